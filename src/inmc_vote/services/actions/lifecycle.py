"""Lifecycle actions pressed by an organiser: each checks the state machine, then its
own conditions, then moves the ballot and records it, in one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.codes import SERVER_MADE
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.timefmt import Zoned
from inmc_vote.services.actors import Actor
from inmc_vote.services.steps import ceremony as ceremony_steps
from inmc_vote.services.steps import event_log, keyring, tallying
from inmc_vote.services.steps.freezing import (
    check_registrar_named,
    freeze_candidates_and_electorate,
)
from inmc_vote.services.steps.schedule import catch_up, has_manifest
from inmc_vote.services.steps.sealing import seal_details, seal_round
from inmc_vote.services.steps.state import lifecycle_of, store


@dataclass(frozen=True)
class ActionRequest:
    """What an action was asked with: its time and reason; for next-round the new
    round's times."""

    now: datetime
    reason: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None


# Each returns the details to record, or raises to refuse; the last argument is the key
# that seals the ballot's private keys at rest (`Database.at_rest_key`).
Step = Callable[[AsyncSession, Ballot, ActionRequest, bytes], Awaitable[dict[str, Any]]]


async def _open_candidacies(
    session: AsyncSession, ballot: Ballot, request: ActionRequest, at_rest_key: bytes
) -> dict[str, Any]:
    return {}


async def _freeze(
    session: AsyncSession, ballot: Ballot, request: ActionRequest, at_rest_key: bytes
) -> dict[str, Any]:
    details = await freeze_candidates_and_electorate(session, ballot, request.now)
    # The votes are encrypted to the trustees' key: no freeze before their ceremony ends.
    election = await ceremony_steps.election(session, ballot.id)
    check_registrar_named(ballot)
    made = await keyring.make_keys(
        session,
        at_rest_key,
        ballot.id,
        request.now,
        server_registrar=ballot.credential_authority in SERVER_MADE,
    )
    return details | {
        "keys": {
            "authority": b64url(made.authority_pk),
            "registrar": b64url(made.registrar_pk),
            "election": b64url(election.election_key),
        },
        "trustees": {"ceremony": election.ceremony, "threshold": election.threshold},
    }


async def _open(
    session: AsyncSession, ballot: Ballot, request: ActionRequest, at_rest_key: bytes
) -> dict[str, Any]:
    now = request.now
    if not await has_manifest(session, ballot):
        raise Conflict(
            "Issue the tokens first: the vote opens once every eligible city has "
            "its token and the manifest is fixed."
        )
    if ballot.closes_at is None:
        raise Conflict("Set the closing time before opening the vote.")
    if ballot.closes_at <= now:
        raise Conflict(
            "The closing time ({time}) has passed: the vote cannot open.",
            time=Zoned(ballot.closes_at, ballot.timezone),
        )
    if ballot.opens_at is not None and now < ballot.opens_at:
        raise Conflict(
            "Voting is scheduled to open at {time}; it will open by itself then.",
            time=Zoned(ballot.opens_at, ballot.timezone),
        )
    return {"opened_by_hand": True}


async def _close(
    session: AsyncSession, ballot: Ballot, request: ActionRequest, at_rest_key: bytes
) -> dict[str, Any]:
    reason = request.reason
    # Reaching closes_at closes the ballot by itself (see steps/schedule.py); closing by hand
    # before that is an early close, allowed only with a reason that everyone can read.
    if not reason:
        raise Invalid(
            "Closing before the scheduled time "
            "({time}) needs a reason; "
            "it is shown on the ballot's public timeline.",
            time=Zoned(ballot.closes_at, ballot.timezone),
        )
    seal = await seal_round(session, ballot, request.now, at_rest_key)
    return {"early": True, "reason": reason, **seal_details(seal)}


async def _cancel(
    session: AsyncSession, ballot: Ballot, request: ActionRequest, at_rest_key: bytes
) -> dict[str, Any]:
    reason = request.reason
    if not reason:
        raise Invalid("Cancelling a ballot needs a reason; it is shown on the ballot's page.")
    ballot.cancel_reason = reason
    return {"reason": reason}


async def _tally(
    session: AsyncSession, ballot: Ballot, request: ActionRequest, at_rest_key: bytes
) -> dict[str, Any]:
    return await tallying.tally_round(session, ballot, request.now, at_rest_key)


async def _publish(
    session: AsyncSession, ballot: Ballot, request: ActionRequest, at_rest_key: bytes
) -> dict[str, Any]:
    return await tallying.publish_round(session, ballot, request.now)


async def _next_round(
    session: AsyncSession, ballot: Ballot, request: ActionRequest, at_rest_key: bytes
) -> dict[str, Any]:
    return await tallying.open_next_round(
        session,
        ballot,
        request.now,
        request.opens_at,
        request.closes_at,
        at_rest_key,
    )


STEPS: dict[Action, Step] = {
    Action.OPEN_CANDIDACIES: _open_candidacies,
    Action.FREEZE: _freeze,
    Action.OPEN: _open,
    Action.CLOSE: _close,
    Action.TALLY: _tally,
    Action.PUBLISH: _publish,
    Action.NEXT_ROUND: _next_round,
    Action.CANCEL: _cancel,
}


async def perform(
    db: Database, actor: Actor, ballot_id: str, action: Action, request: ActionRequest
) -> Ballot:
    """Carry out a lifecycle action, or raise (409 for a wrong state) leaving all as it was."""
    request = dataclasses.replace(request, reason=request.reason.strip())
    if len(request.reason) > LIMITS.reason_chars:
        raise Invalid(
            "The reason is longer than {reason_chars} characters.", reason_chars=LIMITS.reason_chars
        )
    step = STEPS[action]
    now = request.now
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        before = lifecycle_of(ballot)
        after = before.apply(action)  # raises WrongState (409) naming what is allowed
        # The ballot takes its new state first, so that a step sees the round it makes
        # (next-round) and can record what the round's result calls for (tally); a step
        # that refuses rolls the whole action back.
        store(ballot, after, now)
        details = await step(session, ballot, request, db.at_rest_key)
        await event_log.record(
            session,
            ballot.id,
            actor,
            action,
            {"from": before.state.value, "to": after.state.value, "round": after.round, **details},
            now,
        )
        return ballot
