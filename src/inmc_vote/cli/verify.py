"""`inmc-vote verify`: the auditor's check. Its arguments and code live in
verify/command.py, which also runs alone (`python -m inmc_vote.verify`)."""

from __future__ import annotations

import argparse

from inmc_vote.cli.common import Subparsers
from inmc_vote.verify.command import add_arguments  # the verifier: no web, no database


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    verify = subparsers.add_parser(
        "verify",
        help="check an audit bundle offline; with OLD NEW, that NEW only adds to OLD",
    )
    add_arguments(verify)
    verify.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    from inmc_vote.verify.command import run

    return run(args)
