"""Reading the messages the local SMTP server kept, and the event log's raw rows."""

from __future__ import annotations

import re
from email.message import EmailMessage

from inmc_vote.db.models import BallotEvent
from inmc_vote.services.steps import event_log
from tests import factories as f


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content()


def html_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return body.get_content()


def links(message: EmailMessage, base_url: str) -> list[str]:
    return re.findall(re.escape(base_url) + r"/[^\s<>\"]+", plain_text(message))


def to_address(message: EmailMessage) -> str:
    return str(message["To"])


def event_rows(client: f.Client, ballot_id: str) -> list[BallotEvent]:
    async def read() -> list[BallotEvent]:
        async with f.db(client).read() as session:
            return await event_log.events_of(session, ballot_id)

    return f.call(client, read)


def log_text(client: f.Client, ballot_id: str) -> str:
    """Every byte of every event row, to look for a secret in."""
    return "\n".join(
        f"{row.actor} {row.action} {row.data} {row.prev.hex()} {row.hash.hex()}"
        for row in event_rows(client, ballot_id)
    )
