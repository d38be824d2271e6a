"""`inmc-vote organiser`: accounts from the command line. The first account has to come
from here; the others can be managed here or on the organiser's accounts page."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from inmc_vote.cli.common import Subparsers, actions, fail, now

if TYPE_CHECKING:
    from inmc_vote.db.engine import Database


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    org_sub = actions(
        subparsers,
        "organiser",
        help="organiser accounts",
        description="Manage the organisers' accounts (the only accounts: the audit is "
        "public, city representatives use their links and letters).",
    )
    for name, func, help_text in (
        ("add", cmd_add, "create an account; prints its password and API key, once"),
        ("disable", cmd_disable, "disable an account: no sign-in, its API keys answer 401"),
        ("enable", cmd_enable, "enable a disabled account again"),
        ("reset-password", cmd_reset_password, "give an account a new password, shown once"),
        ("revoke-key", cmd_revoke_key, "revoke every API key of an account (they answer 401)"),
        ("new-key", cmd_new_key, "make a new API key for an account, shown once"),
    ):
        command = org_sub.add_parser(
            name, help=help_text, description=help_text[0].upper() + help_text[1:] + "."
        )
        command.add_argument("email", metavar="EMAIL")
        command.set_defaults(func=func)


def _run(act: Callable[[Database, str], Awaitable[str]], email: str) -> int:
    """Run one account action on INMC_DATABASE_URL and print what it says."""
    from inmc_vote.config import Settings
    from inmc_vote.db.engine import Database
    from inmc_vote.domain.errors import RuleError

    async def run() -> int:
        settings = Settings.from_env()
        db = Database(settings.database_url, at_rest_key=settings.secret_key)
        try:
            said = await act(db, email.strip().lower())
        except RuleError as error:
            return fail(error.message)
        finally:
            await db.dispose()
        print(said)
        return 0

    return asyncio.run(run())


def cmd_add(args: argparse.Namespace) -> int:
    from inmc_vote.services.actions.accounts import add_account

    async def act(db: Database, email: str) -> str:
        account = await add_account(db, email, now())
        return (
            f"Organiser account created for {account.email}.\n"
            f"password: {account.password}\n"
            f"API key:  {account.api_key}\n"
            "Both are shown only now: keep them somewhere safe."
        )

    return _run(act, args.email)


def cmd_disable(args: argparse.Namespace) -> int:
    from inmc_vote.services.actions.accounts import COMMAND_LINE, set_disabled

    async def act(db: Database, email: str) -> str:
        await set_disabled(db, email, True, COMMAND_LINE, now())
        return f"The account of {email} is disabled: it cannot sign in or use its API keys."

    return _run(act, args.email)


def cmd_enable(args: argparse.Namespace) -> int:
    from inmc_vote.services.actions.accounts import COMMAND_LINE, set_disabled

    async def act(db: Database, email: str) -> str:
        await set_disabled(db, email, False, COMMAND_LINE, now())
        return f"The account of {email} is enabled again."

    return _run(act, args.email)


def cmd_reset_password(args: argparse.Namespace) -> int:
    from inmc_vote.services.actions.accounts import COMMAND_LINE, reset_password

    async def act(db: Database, email: str) -> str:
        password = await reset_password(db, email, COMMAND_LINE, now())
        return (
            f"New password for {email}: {password}\n"
            "Shown only now; the old password no longer works and its sessions are ended."
        )

    return _run(act, args.email)


def cmd_revoke_key(args: argparse.Namespace) -> int:
    from inmc_vote.services.actions.accounts import COMMAND_LINE, revoke_api_keys

    async def act(db: Database, email: str) -> str:
        count = await revoke_api_keys(db, email, COMMAND_LINE, now())
        return f"{count} API key(s) of {email} revoked: they now answer 401."

    return _run(act, args.email)


def cmd_new_key(args: argparse.Namespace) -> int:
    from inmc_vote.services.actions.accounts import COMMAND_LINE, new_api_key

    async def act(db: Database, email: str) -> str:
        key = await new_api_key(db, email, COMMAND_LINE, now())
        return f"API key: {key}\nShown only now: keep it somewhere safe."

    return _run(act, args.email)
