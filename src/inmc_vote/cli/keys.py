"""`inmc-vote keys rotate`: re-seal every ballot's private keys under a new secret key,
for a key that may have leaked or an operator who leaves."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from inmc_vote.cli.common import Subparsers, actions, fail


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    keys_sub = actions(
        subparsers,
        "keys",
        help="the secret key that seals the ballots' private keys",
        description="Manage the secret key (INMC_SECRET_KEY or INMC_SECRET_KEY_FILE).",
    )
    rotate = keys_sub.add_parser(
        "rotate",
        help="re-seal every sealed key under a new secret key",
        description="Open every ballot's sealed private keys with the current secret key "
        "and seal them again under the key in FILE, all in one transaction (all or "
        "nothing). FILE is made (mode 600, a new random key) if it does not exist. Stop "
        "the server first, then start it with INMC_SECRET_KEY_FILE=FILE. The secret key "
        "also signs the portal links and the sign-in forms: links sent before the rotation "
        "no longer open, so send them again.",
    )
    rotate.add_argument(
        "--new-key-file", metavar="FILE", required=True, type=Path, help="the new secret key"
    )
    rotate.set_defaults(func=cmd_keys_rotate)


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from inmc_vote.config import Settings, load_secret_key
    from inmc_vote.db.engine import Database
    from inmc_vote.domain.errors import RuleError
    from inmc_vote.services.actions.keys import rotate

    settings = Settings.from_env()
    new_key = load_secret_key({"INMC_SECRET_KEY_FILE": str(args.new_key_file)})

    async def run() -> int:
        db = Database(settings.database_url, at_rest_key=settings.secret_key)
        try:
            count = await rotate(db, new_key)
        except RuleError as error:
            return fail(error.message)
        finally:
            await db.dispose()
        print(
            f"The keys of {count} ballot(s) are now sealed under {args.new_key_file}. Start "
            f"the server with INMC_SECRET_KEY_FILE={args.new_key_file} (and without "
            "INMC_SECRET_KEY), and send the portal links again."
        )
        return 0

    return asyncio.run(run())
