"""Appending to a ballot's hash-chained event log, inside the caller's transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import Ballot, BallotEvent
from inmc_vote.domain.codes import LoggedAction, logged_action
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.protocol.encoding import canonical_json, rfc3339_ms
from inmc_vote.domain.protocol.events import Event, genesis
from inmc_vote.services.actors import Actor


async def lock_ballot(session: AsyncSession, ballot_id: str) -> Ballot:
    """Load a ballot for writing: a row lock on PostgreSQL (BEGIN IMMEDIATE on SQLite)."""
    ballot = (
        await session.execute(select(Ballot).where(Ballot.id == ballot_id).with_for_update())
    ).scalar_one_or_none()
    if ballot is None:
        raise NotFound("There is no ballot «{ballot_id}».", ballot_id=ballot_id)
    return ballot


async def record(
    session: AsyncSession,
    ballot_id: str,
    actor: Actor,
    action: LoggedAction,
    data: dict[str, Any],
    now: datetime,
) -> BallotEvent:
    """Append one event; the caller holds the ballot's lock (see `lock_ballot`)."""
    last = (
        await session.execute(
            select(BallotEvent)
            .where(BallotEvent.ballot_id == ballot_id)
            .order_by(BallotEvent.seq.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    seq = 1 if last is None else last.seq + 1
    prev = genesis(ballot_id) if last is None else last.hash
    event = Event(seq=seq, at=rfc3339_ms(now), actor=str(actor), action=action, data=data)
    row = BallotEvent(
        ballot_id=ballot_id,
        seq=seq,
        at=event.at,
        actor=event.actor,
        action=action,
        data=canonical_json(data).decode(),
        prev=prev,
        hash=event.chain_hash(prev),
    )
    session.add(row)
    await session.flush()
    return row


def as_event(row: BallotEvent) -> Event:
    return Event(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=logged_action(row.action),
        data=json.loads(row.data),
    )


async def events_of(session: AsyncSession, ballot_id: str) -> list[BallotEvent]:
    result = await session.execute(
        select(BallotEvent).where(BallotEvent.ballot_id == ballot_id).order_by(BallotEvent.seq)
    )
    return list(result.scalars())
