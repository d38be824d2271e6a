"""Lifecycle actions pressed by an organiser: each checks the state machine, then its
own conditions, then moves the ballot and records it, in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import event_log
from inmc_vote.services.actors import Actor
from inmc_vote.services.freezing import freeze_candidates_and_electorate
from inmc_vote.services.schedule import catch_up
from inmc_vote.services.state import lifecycle_of, store
from inmc_vote.services.timefmt import show_time

MAX_REASON = 2_000

# Each returns the details to record, or raises to refuse.
Step = Callable[[AsyncSession, Ballot, datetime, str], Awaitable[dict[str, Any]]]


async def _open_candidacies(
    session: AsyncSession, ballot: Ballot, now: datetime, reason: str
) -> dict[str, Any]:
    return {}


async def _open(
    session: AsyncSession, ballot: Ballot, now: datetime, reason: str
) -> dict[str, Any]:
    if ballot.closes_at is None:
        raise Conflict("Set the closing time before opening the vote.")
    if ballot.closes_at <= now:
        raise Conflict(
            f"The closing time ({show_time(ballot.closes_at, ballot.timezone)}) "
            "has passed: the vote cannot open."
        )
    if ballot.opens_at is not None and now < ballot.opens_at:
        raise Conflict(
            f"Voting is scheduled to open at {show_time(ballot.opens_at, ballot.timezone)}; "
            "it will open by itself then."
        )
    return {"opened_by_hand": True}


async def _close(
    session: AsyncSession, ballot: Ballot, now: datetime, reason: str
) -> dict[str, Any]:
    # Reaching closes_at closes the ballot by itself (see schedule.py); closing by hand
    # before that is an early close, allowed only with a reason that everyone can read.
    if not reason:
        raise Invalid(
            "Closing before the scheduled time "
            f"({show_time(ballot.closes_at, ballot.timezone)}) needs a reason; "
            "it is shown on the ballot's public timeline."
        )
    return {"early": True, "reason": reason}


async def _cancel(
    session: AsyncSession, ballot: Ballot, now: datetime, reason: str
) -> dict[str, Any]:
    if not reason:
        raise Invalid("Cancelling a ballot needs a reason; it is shown on the ballot's page.")
    ballot.cancel_reason = reason
    return {"reason": reason}


# The actions of this version; tally, publish and next-round arrive with counting.
STEPS: dict[Action, Step] = {
    Action.OPEN_CANDIDACIES: _open_candidacies,
    Action.FREEZE: freeze_candidates_and_electorate,
    Action.OPEN: _open,
    Action.CLOSE: _close,
    Action.CANCEL: _cancel,
}


async def perform(
    db: Database, actor: Actor, ballot_id: str, action: Action, now: datetime, reason: str = ""
) -> Ballot:
    """Carry out a lifecycle action, or raise (409 for a wrong state) leaving all as it was."""
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise Invalid(f"The reason is longer than {MAX_REASON} characters.")
    step = STEPS[action]
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now)
        before = lifecycle_of(ballot)
        after = before.apply(action)  # raises WrongState (409) naming what is allowed
        details = await step(session, ballot, now, reason)
        store(ballot, after, now)
        await event_log.record(
            session,
            ballot.id,
            actor,
            action.value,
            {"from": before.state.value, "to": after.state.value, "round": after.round, **details},
            now,
        )
        return ballot
