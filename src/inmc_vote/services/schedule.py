"""The clock's transitions: a ballot opens and closes at its times whether or not
anyone presses a button. Every write action catches up first, and a background
task catches up every ballot that is due, so that the event log says when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot, Manifest
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.lifecycle import Action, State, due_action
from inmc_vote.domain.protocol.encoding import rfc3339_ms
from inmc_vote.services import event_log
from inmc_vote.services.actors import SCHEDULE
from inmc_vote.services.sealing import seal_details, seal_round
from inmc_vote.services.state import lifecycle_of, store


async def catch_up(session: AsyncSession, ballot: Ballot, now: datetime) -> None:
    """Apply every transition that the ballot's times have made due (caller holds the lock).

    A ballot opens by the clock only once its tokens are issued (its manifest fixed);
    closing by the clock seals the board, as closing by hand does."""
    while (action := is_due(ballot, now)) is not None:
        if action is Action.OPEN and not await has_manifest(session, ballot):
            return
        due_at = ballot.opens_at if action is Action.OPEN else ballot.closes_at
        before = ballot.state
        store(ballot, lifecycle_of(ballot).apply(action), now)
        details: dict[str, object] = {}
        if action is Action.CLOSE:
            details = seal_details(await seal_round(session, ballot, due_at or now))
        await event_log.record(
            session,
            ballot.id,
            SCHEDULE,
            action.value,
            {
                "from": before,
                "to": ballot.state,
                "round": ballot.round,
                "due_at": rfc3339_ms(due_at) if due_at else None,
                **details,
            },
            now,
        )


async def has_manifest(session: AsyncSession, ballot: Ballot) -> bool:
    return await session.get(Manifest, (ballot.id, ballot.round)) is not None


def is_due(ballot: Ballot, now: datetime) -> Action | None:
    action = due_action(State(ballot.state), now, ballot.opens_at, ballot.closes_at)
    if action is Action.OPEN and ballot.tokens_issued_at is None:
        # Not due until its tokens are issued (see catch_up): otherwise every read of such
        # a ballot would start a write transaction that changes nothing.
        return None
    return action


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
        await catch_up(session, ballot, now)


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
        raise NotFound(f"There is no ballot «{ballot_id}».")
    return ballot
