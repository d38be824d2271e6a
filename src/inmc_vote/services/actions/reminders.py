"""Reminders before a ballot's deadlines, sent once: before the candidacy deadline to the
cities holding a candidacy link, and before voting closes to every elector. They carry no
secret (the deadline and the ballot's public page), so a forwarded one gives nothing away.

The app's background task calls `send_due_reminders` every minute. A reminder is first
*claimed*: the event `reminder-due` (the reminder and its deadline) is written under the
ballot's lock (a row lock on PostgreSQL, SQLite's single writer), and only the process
that wrote it sends. A restart, or a second process, finds the claim and sends nothing.
A deadline that moves is a new deadline, and gets its own reminder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot, BallotEvent, City, Elector, PortalLink
from inmc_vote.documents.emails import (
    CANDIDACY_REMINDER,
    CLOSING_REMINDER,
    reminder_message,
)
from inmc_vote.documents.token_letters import InBoth
from inmc_vote.domain.codes import EventAction
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol.encoding import rfc3339_ms
from inmc_vote.services import queries
from inmc_vote.services.actions.mailing import MailReport
from inmc_vote.services.actors import SCHEDULE
from inmc_vote.services.steps import event_log, mailer
from inmc_vote.services.steps.schedule import catch_up


@dataclass(frozen=True)
class Due:
    ballot_id: str
    kind: str
    deadline: datetime


def due_reminders(
    ballot: Ballot, now: datetime, ahead: timedelta, *, soon: bool = False
) -> list[Due]:
    """The reminders whose deadline is in the next `ahead` (and not past). `soon` also
    counts a frozen ballot's closing, as the clock may have opened it since it was read
    (the claim catches the ballot up under its lock and asks again)."""
    found = []
    candidacies = ballot.state == State.CANDIDACIES
    voting = ballot.state == State.OPEN or (soon and ballot.state == State.FROZEN)
    deadlines = {
        CANDIDACY_REMINDER: ballot.candidacy_deadline if candidacies else None,
        CLOSING_REMINDER: ballot.closes_at if voting else None,
    }
    for kind, deadline in deadlines.items():
        if deadline is not None and now < deadline <= now + ahead:
            found.append(Due(ballot.id, kind, deadline))
    return found


async def send_due_reminders(db: Database, settings: Settings, now: datetime) -> list[MailReport]:
    """Send every reminder that is due and not yet claimed; nothing when mail is off."""
    if settings.smtp is None:
        return []
    ahead = timedelta(hours=settings.reminder_hours)
    reports = []
    for ballot in await queries.ballots.list_ballots(db):
        for due in due_reminders(ballot, now, ahead, soon=True):
            async with db.read() as session:  # the usual case: claimed a minute ago
                if await _claimed(session, due):
                    continue
            if await _claim(db, due, now, ahead):
                reports.append(await _send(db, settings, due, now))
    return reports


async def _claimed(session: AsyncSession, due: Due) -> bool:
    """Whether the event log already holds this reminder's claim."""
    deadline = rfc3339_ms(due.deadline)
    claims = await session.execute(
        select(BallotEvent.data).where(
            BallotEvent.ballot_id == due.ballot_id,
            BallotEvent.action == EventAction.REMINDER_DUE.value,
        )
    )
    for (data,) in claims:
        claimed = json.loads(data)
        if claimed.get("reminder") == due.kind and claimed.get("deadline") == deadline:
            return True
    return False


async def _claim(db: Database, due: Due, now: datetime, ahead: timedelta) -> bool:
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, due.ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        if due not in due_reminders(ballot, now, ahead):
            return False  # the ballot moved on while we looked
        if await _claimed(session, due):
            return False
        await event_log.record(
            session,
            due.ballot_id,
            SCHEDULE,
            EventAction.REMINDER_DUE,
            {"reminder": due.kind, "deadline": rfc3339_ms(due.deadline)},
            now,
        )
        return True


async def _recipients(db: Database, due: Due) -> list[City]:
    """Candidacy reminders: the cities holding a candidacy link; closing: the electorate."""
    async with db.read() as session:
        if due.kind == CANDIDACY_REMINDER:
            query = (
                select(City)
                .join(PortalLink, PortalLink.city_id == City.id)
                .where(PortalLink.ballot_id == due.ballot_id, PortalLink.revoked_at.is_(None))
            )
        else:
            query = (
                select(City)
                .join(Elector, Elector.city_id == City.id)
                .where(Elector.ballot_id == due.ballot_id)
            )
        return list((await session.execute(query.distinct().order_by(City.name))).scalars())


async def _send(db: Database, settings: Settings, due: Due, now: datetime) -> MailReport:
    smtp = mailer.require(settings.smtp)
    ballot = await queries.ballots.get_ballot(db, due.ballot_id)

    def compose(city: City, to: str) -> EmailMessage:
        return reminder_message(
            sender=smtp.sender,
            to=to,
            kind=due.kind,
            city=city.name,
            title=ballot.title,
            deadline=InBoth.time(due.deadline, ballot.timezone),
            page=f"{settings.base_url}/ballots/{due.ballot_id}",
        )

    deliveries = await mailer.send_each(
        db,
        smtp,
        SCHEDULE,
        due.ballot_id,
        due.kind,
        await _recipients(db, due),
        lambda city: (city.id, city.name, city.contact_email),
        compose,
        now,
    )
    return MailReport(due.kind, deliveries)
