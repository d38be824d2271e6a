"""The clock's transitions inside a write transaction: what a ballot's times have made due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import Ballot, Manifest
from inmc_vote.domain.lifecycle import Action, State, due_action
from inmc_vote.domain.protocol.encoding import rfc3339_ms
from inmc_vote.services.actors import SCHEDULE
from inmc_vote.services.steps import event_log
from inmc_vote.services.steps.sealing import seal_details, seal_round
from inmc_vote.services.steps.state import lifecycle_of, store


async def catch_up(
    session: AsyncSession, ballot: Ballot, now: datetime, at_rest_key: bytes
) -> None:
    """Apply every transition that the ballot's times have made due (caller holds the lock).

    A ballot opens by the clock only once its tokens are issued (its manifest fixed);
    closing by the clock seals the board, as closing by hand does (with the authority
    key, opened with `at_rest_key`)."""
    while (action := is_due(ballot, now)) is not None:
        if action is Action.OPEN and not await has_manifest(session, ballot):
            return
        due_at = ballot.opens_at if action is Action.OPEN else ballot.closes_at
        before = ballot.state
        store(ballot, lifecycle_of(ballot).apply(action), now)
        details: dict[str, object] = {}
        if action is Action.CLOSE:
            details = seal_details(await seal_round(session, ballot, due_at or now, at_rest_key))
        await event_log.record(
            session,
            ballot.id,
            SCHEDULE,
            action,
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
