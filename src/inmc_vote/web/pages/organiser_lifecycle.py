"""Lifecycle buttons: each leads to a confirmation page that says in plain words what the
action does and what it cannot undo; its POST carries the action out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.errors import Invalid, NotFound
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import Actor
from inmc_vote.services.steps.state import lifecycle_of
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.i18n import _, refusal
from inmc_vote.web.pages.common import BallotPage, current_ballot, page, see_other
from inmc_vote.web.pages.forms import ReasonForm, parse_local
from inmc_vote.web.pages.results import city_names, happened, next_round_words
from inmc_vote.web.pages.words import ACTION_BUTTONS, ACTION_EXPLAINED, NEEDS_REASON


def action_of(name: str) -> Action:
    """An action this version can carry out, or 404."""
    try:
        action = Action(name)
    except ValueError:
        action = None
    if action is None or action not in actions.lifecycle.STEPS:
        raise NotFound("There is no such action on a ballot: “{name}”.", name=name)
    return action


@dataclass(frozen=True)
class NextRoundPlan:
    """What the last tally calls for, for the next-round confirmation."""

    round: int
    published: bool
    happened: str
    plan: str
    cities: list[str]


async def _mix_waiting(db: Database, ballot: Ballot) -> str | None:
    """What the tally still waits for from the trustees (shuffles, decryptions), if anything."""
    try:
        state = await queries.mixing.mix_state(db, ballot.id, None)
    except NotFound:
        return None
    return state.mix.missing() if state.mix.open_for_mixing else None


async def _ceremony(db: Database, ballot: Ballot) -> queries.ceremony.CeremonyView | None:
    """The key ceremony the freeze will take its election key from, if trustees are named."""
    return await queries.ceremony.find(db, ballot.id)


async def _next_round_plan(db: Database, ballot: Ballot) -> NextRoundPlan | None:
    tallied = await queries.results.tallied_rounds(db, ballot.id, include_unpublished=True)
    if not tallied or tallied[-1].result.next_round is None:
        return None
    last = tallied[-1]
    result, names = last.result, city_names(tallied)
    plan = result.next_round
    assert plan is not None
    return NextRoundPlan(
        round=last.round,
        published=last.published_at is not None,
        happened=" ".join(happened(result, count, names) for count in result.rounds),
        plan=next_round_words(result, names),
        cities=[names.get(c, c) for c in plan.candidates],
    )


async def confirm_page(
    request: Request[Any, Any, Any],
    db: Database,
    ballot: Ballot,
    action: Action,
    form: ReasonForm | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    does, cannot_undo = ACTION_EXPLAINED[action]
    return await page(
        request,
        "organiser_confirm.html",
        status_code=status_code,
        ballot=ballot,
        action=action,
        button=ACTION_BUTTONS[action],
        does=does,
        cannot_undo=cannot_undo,
        needs_reason=action in NEEDS_REASON,
        form=form or ReasonForm(),
        error=error,
        mix_waiting=await _mix_waiting(db, ballot) if action is Action.TALLY else None,
        ceremony=await _ceremony(db, ballot) if action is Action.FREEZE else None,
        asks_times=action is Action.NEXT_ROUND,
        next_round=await _next_round_plan(db, ballot) if action is Action.NEXT_ROUND else None,
        tokens_missing=action is Action.OPEN and ballot.tokens_issued_at is None,
    )


class OrganiserLifecycle(Controller):
    path = "/organiser/ballots/{ballot_id:str}/confirm/{action_name:str}"
    guards = [organisers_only]
    include_in_schema = False

    @get("/")
    async def confirm(
        self,
        at: NamedDependency[BallotPage],
        action_name: FromPath[str],
    ) -> Template:
        action = action_of(action_name)
        ballot = await current_ballot(at.db, at.ballot_id, at.now)
        lifecycle_of(ballot).apply(action)  # a 409 naming what the state allows, up front
        return await confirm_page(at.request, at.db, ballot, action)

    @post("/")
    async def perform(
        self,
        at: NamedDependency[BallotPage],
        action_name: FromPath[str],
        actor: NamedDependency[Actor],
    ) -> Template | Redirect:
        action = action_of(action_name)
        form = ReasonForm.of(await at.request.form())
        ballot = await current_ballot(at.db, at.ballot_id, at.now)
        lifecycle_of(ballot).apply(action)  # a wrong state is a 409 up front
        try:
            opens_at = closes_at = None
            if action is Action.NEXT_ROUND:
                zone = ballot.timezone
                opens_at = parse_local(form.opens_at, zone, _("opening time"))
                closes_at = parse_local(form.closes_at, zone, _("closing time"))
            await actions.lifecycle.perform(
                at.db,
                actor,
                at.ballot_id,
                action,
                ActionRequest(
                    at.now,
                    form.reason,
                    opens_at=opens_at,
                    closes_at=closes_at,
                ),
            )
        except Invalid as refused:  # ask again, keeping what was typed
            return await confirm_page(
                at.request,
                at.db,
                await current_ballot(at.db, at.ballot_id, at.now),
                action,
                form=form,
                error=refusal(refused),
                status_code=refused.status,
            )
        if action in (Action.TALLY, Action.PUBLISH):
            return see_other(f"/ballots/{at.ballot_id}/results?done={action.value}")
        return see_other(f"/organiser/ballots/{at.ballot_id}?done={action.value}")
