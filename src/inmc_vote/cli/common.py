"""Small helpers that several commands share, kept here so that each exists once."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

Subparsers = argparse._SubParsersAction  # what `register(subparsers)` receives


def now() -> datetime:
    """The current time, timezone-aware, as the services expect it."""
    return datetime.now(UTC)


def fail(message: str) -> int:
    """Say why on standard error and give exit status 1 (a refusal, not a crash)."""
    print(message, file=sys.stderr)
    return 1


def actions(
    subparsers: Subparsers[argparse.ArgumentParser], name: str, *, help: str, description: str
) -> Subparsers[argparse.ArgumentParser]:
    """A command made of actions (`inmc-vote NAME ACTION`): its parser, and where the actions go."""
    group = subparsers.add_parser(name, help=help, description=description)
    return group.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")


def listen_options(parser: argparse.ArgumentParser) -> None:
    """--host and --port, the same for every command that serves."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
