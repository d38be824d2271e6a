"""`inmc-vote organiser add`: the first account has to come from the command line, since
only an organiser can create accounts on the web."""

from __future__ import annotations

import argparse
import asyncio

from inmc_vote.cli.common import Subparsers, actions, fail, now


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    org_sub = actions(
        subparsers,
        "organiser",
        help="organiser and auditor accounts",
        description="Manage accounts.",
    )
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
    add.set_defaults(func=cmd_organiser_add)


def cmd_organiser_add(args: argparse.Namespace) -> int:
    from inmc_vote.config import Settings
    from inmc_vote.db.engine import Database
    from inmc_vote.domain.accounts import Role
    from inmc_vote.domain.errors import RuleError
    from inmc_vote.services.actions.accounts import add_account

    async def run() -> int:
        settings = Settings.from_env()
        db = Database(settings.database_url, at_rest_key=settings.secret_key)
        try:
            account = await add_account(db, args.email, Role(args.role), now())
        except RuleError as error:
            return fail(error.message)
        finally:
            await db.dispose()
        print(f"{account.role.value.capitalize()} account created for {account.email}.")
        print(f"password: {account.password}")
        print(f"API key:  {account.api_key}")
        print("Both are shown only now: keep them somewhere safe.")
        return 0

    return asyncio.run(run())
