"""`inmc-vote demo`: a throwaway database with sample data, then serve (`make run`)."""

from __future__ import annotations

import argparse

from inmc_vote.cli.common import Subparsers, listen_options


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="a sample network and ballot, then serve",
        description="Recreate a demo database (a SQLite file) with about 40 sample member "
        "cities and a sample ballot with three candidacies, print an organiser's "
        "credentials and the addresses to open, then serve. Mail goes to a local SMTP "
        "server the demo starts (127.0.0.1, a free port), which writes each message into "
        "<database-file stem>.mail/ as an .eml file.",
    )
    listen_options(demo)
    demo.add_argument(
        "--database-file",
        default="inmc-demo.sqlite3",
        help="the SQLite file to recreate (inmc-demo.sqlite3)",
    )
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from inmc_vote.demo.sample_network import run_demo

    return run_demo(host=args.host, port=args.port, database_file=args.database_file)
