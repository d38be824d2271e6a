"""`inmc-vote serve`: run the web service, refusing a database whose schema is behind."""

from __future__ import annotations

import argparse
import sys

from inmc_vote.cli.common import Subparsers, listen_options


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the service",
        description="Run the web service (the schema must be up to date).",
    )
    listen_options(serve)
    serve.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from inmc_vote.config import Settings
    from inmc_vote.db.migrate import pending

    settings = Settings.from_env()
    if pending(settings.database_url):
        print(
            "The database schema is not up to date: run `inmc-vote db upgrade` first.",
            file=sys.stderr,
        )
        return 2
    from inmc_vote.web.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0
