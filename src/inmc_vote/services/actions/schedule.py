"""The clock's transitions: a ballot opens and closes at its times whether or not
anyone presses a button. Every write action catches up first, and a background
task catches up every ballot that is due, so that the event log says when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.lifecycle import State
from inmc_vote.services.steps import event_log
from inmc_vote.services.steps.schedule import catch_up, is_due


async def catch_up_all(db: Database, now: datetime) -> int:
    """Catch up every ballot whose time has come; return how many changed."""
    async with db.read() as session:
        rows = await session.execute(
            select(Ballot).where(Ballot.state.in_([State.FROZEN.value, State.OPEN.value]))
        )
        due = [b.id for b in rows.scalars() if is_due(b, now) is not None]
    for ballot_id in due:
        await catch_up_one(db, ballot_id, now)
    return len(due)


async def catch_up_one(db: Database, ballot_id: str, now: datetime) -> None:
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)


async def current(db: Database, ballot_id: str, now: datetime) -> Ballot:
    """A ballot as it stands now: what its times have made due is applied first."""
    ballot = await _read(db, ballot_id)
    if is_due(ballot, now) is not None:
        await catch_up_one(db, ballot_id, now)
        ballot = await _read(db, ballot_id)
    return ballot


async def _read(db: Database, ballot_id: str) -> Ballot:
    async with db.read() as session:
        ballot = await session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound("There is no ballot «{ballot_id}».", ballot_id=ballot_id)
    return ballot
