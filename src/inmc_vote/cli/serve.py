"""`inmc-vote serve`: run the web service, refusing a database whose schema is behind or
whose sealed keys the secret key does not open."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from inmc_vote.cli.common import Subparsers, listen_options

if TYPE_CHECKING:
    from inmc_vote.config import Settings


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the service",
        description="Run the web service (the schema must be up to date, and the secret "
        "key must open the keys already sealed in the database).",
        epilog="Mail (candidacy links, token letters, reminders) is sent when INMC_SMTP_HOST "
        "is set, with INMC_SMTP_PORT (587 with STARTTLS, else 25), INMC_SMTP_STARTTLS (on/off), "
        "INMC_SMTP_USER and INMC_SMTP_PASSWORD, INMC_MAIL_FROM (the sender) and "
        "INMC_REMINDER_HOURS (48: reminders that long before a deadline). Without them the "
        "pages offer the printable files.",
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
    if problem := asyncio.run(_secret_key_problem(settings)):
        print(problem, file=sys.stderr)
        return 2
    from inmc_vote.web.app import create_app

    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level="info",
        # X-Forwarded-For only from INMC_TRUSTED_PROXIES (uvicorn alone trusts 127.0.0.1).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=sorted(settings.trusted_proxies) or None,
    )
    return 0


async def _secret_key_problem(settings: Settings) -> str | None:
    from inmc_vote.db.engine import Database
    from inmc_vote.services.queries.keys import secret_key_problem

    db = Database(settings.database_url, at_rest_key=settings.secret_key)
    try:
        return await secret_key_problem(db, settings.secret_key_source)
    finally:
        await db.dispose()
