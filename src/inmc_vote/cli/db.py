"""`inmc-vote db upgrade`: apply the migrations, a step of its own so that serving never
changes the schema behind an operator's back."""

from __future__ import annotations

import argparse

from inmc_vote.cli.common import Subparsers, actions


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    db_sub = actions(
        subparsers, "db", help="database schema", description="Manage the database schema."
    )
    up = db_sub.add_parser(
        "upgrade",
        help="apply the migrations",
        description="Apply every migration to INMC_DATABASE_URL.",
    )
    up.set_defaults(func=cmd_db_upgrade)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from inmc_vote.config import Settings
    from inmc_vote.db.migrate import upgrade

    upgrade(Settings.from_env().database_url)
    print("The database schema is up to date.")
    return 0
