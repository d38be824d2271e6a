"""The `inmc-vote` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from inmc_vote import __version__


def _now() -> datetime:
    return datetime.now(UTC)


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


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from inmc_vote.config import Settings
    from inmc_vote.db.migrate import upgrade

    upgrade(Settings.from_env().database_url)
    print("The database schema is up to date.")
    return 0


def cmd_organiser_add(args: argparse.Namespace) -> int:
    from inmc_vote.config import Settings
    from inmc_vote.db.engine import Database
    from inmc_vote.domain.errors import RuleError
    from inmc_vote.services.accounts import Role, add_account

    async def run() -> int:
        db = Database(Settings.from_env().database_url)
        try:
            account = await add_account(db, args.email, Role(args.role), _now())
        except RuleError as error:
            print(error.message, file=sys.stderr)
            return 1
        finally:
            await db.dispose()
        print(f"{account.role.value.capitalize()} account created for {account.email}.")
        print(f"password: {account.password}")
        print(f"API key:  {account.api_key}")
        print("Both are shown only now: keep them somewhere safe.")
        return 0

    return asyncio.run(run())


def cmd_demo(args: argparse.Namespace) -> int:
    from inmc_vote.demo import run_demo

    return run_demo(host=args.host, port=args.port, database_file=args.database_file)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="inmc-vote",
        description="The host-city ballot of an international network of cities. "
        "Configuration comes from the environment: INMC_DATABASE_URL (default: "
        "sqlite:///./inmc-vote.sqlite3), INMC_SECRET_KEY or INMC_SECRET_KEY_FILE (default: "
        "./inmc-vote-secret.key, created with mode 600 on first start), INMC_BASE_URL "
        "(default: http://127.0.0.1:8000).",
    )
    top.add_argument("--version", action="version", version=f"inmc-vote {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="run the service",
        description="Run the web service (the schema must be up to date).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.set_defaults(run=cmd_serve)

    db = sub.add_parser("db", help="database schema", description="Manage the database schema.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = db_sub.add_parser(
        "upgrade",
        help="apply the migrations",
        description="Apply every migration to INMC_DATABASE_URL.",
    )
    up.set_defaults(run=cmd_db_upgrade)

    organiser = sub.add_parser(
        "organiser", help="organiser and auditor accounts", description="Manage accounts."
    )
    org_sub = organiser.add_subparsers(dest="organiser_command", required=True, metavar="ACTION")
    add = org_sub.add_parser(
        "add",
        help="create an account; prints its password and API key",
        description="Create an account and print its password and API key (shown only once).",
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument(
        "--role",
        choices=["organiser", "auditor"],
        default="organiser",
        help="organisers run ballots; auditors read them (default: organiser)",
    )
    add.set_defaults(run=cmd_organiser_add)

    demo = sub.add_parser(
        "demo",
        help="a sample network and ballot, then serve",
        description="Recreate a demo database (a SQLite file) with about 40 sample member "
        "cities and a sample ballot with three candidacies, print an organiser's "
        "credentials and the addresses to open, then serve.",
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    demo.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    demo.add_argument(
        "--database-file",
        default="inmc-demo.sqlite3",
        help="the SQLite file to recreate (inmc-demo.sqlite3)",
    )
    demo.set_defaults(run=cmd_demo)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
