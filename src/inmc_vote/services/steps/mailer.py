"""Sending messages through the SMTP server the settings name, and writing what happened
into the ballot's event log without any secret.

`smtplib` runs in a worker thread (one connection for a batch), so that a slow mail
server never blocks the event loop. A message refused, or a connection that breaks,
fails that message only: the others are still sent, and the outcome of each is returned
for the page to show and written to the log. The log keeps the city, the kind of
message, the outcome and the server's reply code: never the address, the body, a token
or a portal link.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import TypeVar

from inmc_vote.config import SmtpSettings
from inmc_vote.db.engine import Database
from inmc_vote.documents.emails import Outgoing
from inmc_vote.domain.codes import EventAction
from inmc_vote.domain.errors import Conflict
from inmc_vote.services.actors import Actor
from inmc_vote.services.steps import event_log

T = TypeVar("T")

SENT = "sent"
REFUSED = "refused"  # the mail server answered no (a code the page and log show)
UNREACHABLE = "unreachable"  # no connection, or it broke before the server answered
NO_ADDRESS = "no-address"  # the city has no contact address: nothing was sent


@dataclass(frozen=True)
class Delivery:
    """What became of one city's message."""

    city_id: int
    city: str
    outcome: str
    code: int | None = None  # the SMTP reply code of a refusal

    @property
    def sent(self) -> bool:
        return self.outcome == SENT

    def to_json(self) -> dict[str, object]:
        entry: dict[str, object] = {"city": self.city, "outcome": self.outcome}
        if self.code is not None:
            entry["code"] = self.code
        return entry


def require(smtp: SmtpSettings | None) -> SmtpSettings:
    """The mail settings, or a refusal that says how to set mail up."""
    if smtp is None:
        raise Conflict(
            "Mail is not set up on this server, so nothing was sent. The server's operator "
            "sets INMC_SMTP_HOST, INMC_SMTP_PORT, INMC_SMTP_STARTTLS, INMC_SMTP_USER, "
            "INMC_SMTP_PASSWORD and INMC_MAIL_FROM and restarts it (see the README); "
            "meanwhile, use the printable files."
        )
    return smtp


async def deliver(smtp: SmtpSettings, messages: Sequence[Outgoing]) -> list[Delivery]:
    return await asyncio.to_thread(_deliver, smtp, list(messages))


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    try:
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
        if smtp.user:
            client.login(smtp.user, smtp.password)
    except BaseException:
        client.close()
        raise
    return client


def _deliver(smtp: SmtpSettings, messages: list[Outgoing]) -> list[Delivery]:
    """Send each message; a connection (or login) that fails fails the rest at once, so
    that a wrong password is tried once, not once per city."""
    done: list[Delivery] = []
    client: smtplib.SMTP | None = None
    try:
        for index, out in enumerate(messages):
            if client is None:
                try:
                    client = _connect(smtp)
                except (smtplib.SMTPException, OSError) as failed:
                    code = (
                        failed.smtp_code
                        if isinstance(failed, smtplib.SMTPResponseException)
                        else None
                    )
                    outcome = REFUSED if code is not None else UNREACHABLE
                    done.extend(
                        Delivery(rest.city_id, rest.city, outcome, code)
                        for rest in messages[index:]
                    )
                    return done
            try:
                client.send_message(out.message)
                done.append(Delivery(out.city_id, out.city, SENT))
            except smtplib.SMTPRecipientsRefused as refused:
                codes = [code for code, _text in refused.recipients.values()]
                done.append(Delivery(out.city_id, out.city, REFUSED, codes[0] if codes else None))
            except smtplib.SMTPServerDisconnected:
                client = None  # a new connection for the next message
                done.append(Delivery(out.city_id, out.city, UNREACHABLE))
            except smtplib.SMTPResponseException as refused:
                done.append(Delivery(out.city_id, out.city, REFUSED, refused.smtp_code))
                client = _reset(client)
            except (smtplib.SMTPException, OSError):
                _drop(client)
                client = None
                done.append(Delivery(out.city_id, out.city, UNREACHABLE))
    finally:
        if client is not None:
            _drop(client)
    return done


def _reset(client: smtplib.SMTP | None) -> smtplib.SMTP | None:
    """After a refused message, RSET so that the next one starts clean (or reconnect)."""
    if client is None:
        return None
    try:
        client.rset()
    except (smtplib.SMTPException, OSError):
        _drop(client)
        return None
    return client


def _drop(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


async def record(
    db: Database,
    actor: Actor,
    ballot_id: str,
    kind: str,
    deliveries: Sequence[Delivery],
    now: datetime,
) -> None:
    """One `mail-sent` event for a batch: per city, the outcome (no address, no secret)."""
    if not deliveries:
        return
    async with db.write() as session:
        await event_log.lock_ballot(session, ballot_id)
        await event_log.record(
            session,
            ballot_id,
            actor,
            EventAction.MAIL_SENT,
            {"kind": kind, "messages": [one.to_json() for one in deliveries]},
            now,
        )


async def send_each(
    db: Database,
    smtp: SmtpSettings,
    actor: Actor,
    ballot_id: str,
    kind: str,
    recipients: Sequence[T],
    to: Callable[[T], tuple[int, str, str | None]],
    compose: Callable[[T, str], EmailMessage],
    now: datetime,
) -> list[Delivery]:
    """Mail each recipient that has an address (`to` gives its city id, city name and
    address; `compose` its message) and record the batch, so that every kind of mail
    treats a missing address alike: a `no-address` delivery, listed after the others."""
    outgoing: list[Outgoing] = []
    missing: list[Delivery] = []
    for one in recipients:
        city_id, city, address = to(one)
        if not address:
            missing.append(Delivery(city_id, city, NO_ADDRESS))
            continue
        outgoing.append(Outgoing(city_id, city, compose(one, address)))
    deliveries = await deliver(smtp, outgoing) + missing
    await record(db, actor, ballot_id, kind, deliveries, now)
    return deliveries
