"""The `inmc-vote` command: the top-level parser and `main`; each command lives in its own
module with a `register(subparsers)`, and imports what it needs only when it runs, so that
`--help` and `verify` stay light."""

from __future__ import annotations

import argparse
import sys

from inmc_vote import __version__
from inmc_vote.cli import (
    cast,
    count,
    db,
    demo,
    keys,
    organiser,
    serve,
    tokens,
    trustee,
    verify,
)
from inmc_vote.config import (
    DEFAULT_BASE_URL,
    DEFAULT_DATABASE_URL,
    DEFAULT_SECRET_FILE,
    ConfigurationError,
)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="inmc-vote",
        description="The host-city ballot of an international network of cities. "
        "Configuration comes from the environment: INMC_DATABASE_URL (default: "
        f"{DEFAULT_DATABASE_URL}), INMC_SECRET_KEY or INMC_SECRET_KEY_FILE (default: "
        f"{DEFAULT_SECRET_FILE}, created with mode 600 on first start), INMC_BASE_URL "
        f"(default: {DEFAULT_BASE_URL}).",
    )
    top.add_argument("--version", action="version", version=f"inmc-vote {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (serve, db, keys, organiser, demo, trustee, tokens, cast, count, verify):
        command.register(sub)  # in this order in the help
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; a setting that cannot work is a usage error (status 2), said in
    one line on standard error rather than with a traceback."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
