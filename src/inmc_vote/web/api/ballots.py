"""Ballots, their lifecycle and their event log."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Router, get, post, put
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from inmc_vote.db.engine import Database
from inmc_vote.domain.lifecycle import ACTION_VERBS, Action
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import Actor
from inmc_vote.web.api.schemas import (
    ActionIn,
    BallotIn,
    BallotOut,
    CandidateOut,
    EventOut,
    Turnout,
    aware,
)
from inmc_vote.web.auth import organisers_only


async def ballot_out(db: Database, ballot_id: str, now: datetime) -> BallotOut:
    """A ballot as the API shows it, after the clock has applied what is due."""
    ballot = await actions.schedule.current(db, ballot_id, now)
    candidates = [
        CandidateOut(c.candidate_id, c.city.name, c.city.country)
        for c in await queries.ballots.candidates(db, ballot_id)
    ]
    out = BallotOut.of(ballot, candidates, await queries.ballots.electorate_size(db, ballot_id))
    if ballot.tokens_issued_at is not None:
        current = await queries.manifests.manifest(db, ballot_id)
        counted = await queries.board.turnout(db, ballot_id, current.round)
        out.manifest_hash = b64url(current.hash)
        out.fingerprint = short_fingerprint(current.hash)
        out.turnout = Turnout(counted.ballots, counted.eligible)
    return out


class BallotsApi(Controller):
    path = "/api/v1/ballots"
    tags = ["ballots"]

    @get("/", summary="List the ballots")
    async def list_ballots(
        self, db: NamedDependency[Database], now: NamedDependency[datetime]
    ) -> list[BallotOut]:
        return [await ballot_out(db, b.id, now) for b in await queries.ballots.list_ballots(db)]

    @post("/", summary="Create a ballot (in draft)", guards=[organisers_only])
    async def create_ballot(
        self,
        data: JSONBody[BallotIn],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> BallotOut:
        ballot = await actions.ballots.create_ballot(db, actor, data.form(), now)
        return BallotOut.of(ballot)

    @get("/{ballot_id:str}", summary="A ballot, its state and what it allows next")
    async def get_ballot(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> BallotOut:
        return await ballot_out(db, ballot_id, now)

    @put(
        "/{ballot_id:str}",
        summary="Edit a ballot's settings (until it is frozen)",
        guards=[organisers_only],
    )
    async def edit_ballot(
        self,
        ballot_id: FromPath[str],
        data: JSONBody[BallotIn],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> BallotOut:
        await actions.ballots.edit_ballot(db, actor, ballot_id, data.form(), now)
        return await ballot_out(db, ballot_id, now)

    @get("/{ballot_id:str}/events", summary="The ballot's hash-chained event log")
    async def events(
        self, ballot_id: FromPath[str], db: NamedDependency[Database]
    ) -> list[EventOut]:
        await queries.ballots.get_ballot(db, ballot_id)  # 404 for an unknown ballot
        return [EventOut.of(e) for e in await queries.ballots.events(db, ballot_id)]


def _action_handler(action: Action) -> HTTPRouteHandler:
    async def handler(
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
        data: JSONBody[ActionIn | None] = None,
    ) -> BallotOut:
        data = data or ActionIn()
        await actions.lifecycle.perform(
            db,
            actor,
            ballot_id,
            action,
            ActionRequest(
                now,
                data.reason,
                opens_at=aware(data.opens_at, "opening time"),
                closes_at=aware(data.closes_at, "closing time"),
            ),
        )
        return await ballot_out(db, ballot_id, now)

    handler.__name__ = f"ballot_{action.name.lower()}"
    return post(
        f"/{{ballot_id:str}}/{action.value}",
        summary=f"Lifecycle: the ballot is {ACTION_VERBS[action]}",
        description=(
            "Answers 409 naming the current state and what it allows when the state does "
            "not allow this, or when a condition of the action is not met."
        ),
        guards=[organisers_only],
        status_code=HTTP_200_OK,
        tags=["lifecycle"],
    )(handler)


lifecycle_api = Router(
    path="/api/v1/ballots",
    route_handlers=[_action_handler(action) for action in actions.lifecycle.STEPS],
)
