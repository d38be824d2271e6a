"""Lifecycle buttons: each leads to a confirmation page that says in plain words what the
action does and what it cannot undo; its POST carries the action out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.codes import Custody
from inmc_vote.domain.errors import Invalid, NotFound
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol.encoding import from_b64url
from inmc_vote.domain.protocol.manifest import Manifest
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import Actor
from inmc_vote.services.steps.state import lifecycle_of
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.i18n import _
from inmc_vote.web.pages.common import current_ballot, page, see_other
from inmc_vote.web.pages.forms import (
    TALLY_KEY_FIELD,
    ReasonForm,
    parse_local,
    tally_key_from_file,
)
from inmc_vote.web.pages.results import city_names, happened, next_round_words
from inmc_vote.web.pages.words import ACTION_BUTTONS, ACTION_EXPLAINED, NEEDS_REASON

# The actions whose page depends on who keeps the round's tally key.
ROUND_ACTIONS = frozenset({Action.TALLY, Action.NEXT_ROUND})


def action_of(name: str) -> Action:
    """An action this version can carry out, or 404."""
    try:
        action = Action(name)
    except ValueError:
        action = None
    if action is None or action not in actions.lifecycle.STEPS:
        raise NotFound(_("There is no such action on a ballot: «%(name)s».") % {"name": name})
    return action


@dataclass(frozen=True)
class NextRoundPlan:
    """What the last tally calls for, for the next-round confirmation."""

    round: int
    published: bool
    happened: str
    plan: str
    cities: list[str]


async def _tally_custody(db: Database, ballot: Ballot) -> Custody | None:
    """Who keeps the tally key of the ballot's latest round."""
    try:
        latest = await queries.manifests.manifest(db, ballot.id)
    except NotFound:
        return None
    return Manifest.parse(latest.data).keys.tally_custody


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
    custody = await _tally_custody(db, ballot) if action in ROUND_ACTIONS else None
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
        asks_tally_key=action is Action.FREEZE
        or (action is Action.NEXT_ROUND and custody == Custody.TRUSTEE),
        asks_key_file=action is Action.TALLY and custody == Custody.TRUSTEE,
        asks_times=action is Action.NEXT_ROUND,
        next_round=await _next_round_plan(db, ballot) if action is Action.NEXT_ROUND else None,
        tokens_missing=action is Action.OPEN and ballot.tokens_issued_at is None,
    )


async def _key_file(form: Any) -> bytes:
    """The private key in the uploaded trustee key file, or Invalid saying why not (an
    empty file input sends no file name and no content)."""
    upload = form.get(TALLY_KEY_FIELD)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return tally_key_from_file("", b"")  # raises: no file chosen
    return tally_key_from_file(upload.filename, await upload.read())


def _trustee_key(text: str) -> bytes | None:
    """The trustee's tally public key as typed (base64url), or None when left empty."""
    cleaned = "".join(text.split())
    if not cleaned:
        return None
    try:
        return from_b64url(cleaned)
    except ValueError:
        raise Invalid(
            _("The tally public key is not unpadded base64url: copy it again from the trustee.")
        ) from None


class OrganiserLifecycle(Controller):
    path = "/organiser/ballots/{ballot_id:str}/confirm/{action_name:str}"
    guards = [organisers_only]
    include_in_schema = False

    @get("/")
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        action_name: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Template:
        action = action_of(action_name)
        ballot = await current_ballot(db, ballot_id, now)
        lifecycle_of(ballot).apply(action)  # a 409 naming what the state allows, up front
        return await confirm_page(request, db, ballot, action)

    @post("/")
    async def perform(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        action_name: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Template | Redirect:
        action = action_of(action_name)
        posted = await request.form()  # URL-encoded, or multipart with the tally key file
        form = ReasonForm.of(posted)
        ballot = await current_ballot(db, ballot_id, now)
        lifecycle_of(ballot).apply(action)  # a wrong state is a 409 before any file is read
        try:
            trustee_pk = None
            if action is Action.FREEZE or action is Action.NEXT_ROUND:
                trustee_pk = _trustee_key(form.tally_public_key)
            trustee_key = None
            if action is Action.TALLY and await _tally_custody(db, ballot) == Custody.TRUSTEE:
                trustee_key = await _key_file(posted)
            opens_at = closes_at = None
            if action is Action.NEXT_ROUND:
                zone = ballot.timezone
                opens_at = parse_local(form.opens_at, zone, _("opening time"))
                closes_at = parse_local(form.closes_at, zone, _("closing time"))
            await actions.lifecycle.perform(
                db,
                actor,
                ballot_id,
                action,
                ActionRequest(
                    now,
                    form.reason,
                    trustee_tally_pk=trustee_pk,
                    trustee_tally_key=trustee_key,
                    opens_at=opens_at,
                    closes_at=closes_at,
                ),
            )
        except Invalid as refused:  # ask again, keeping what was typed
            return await confirm_page(
                request,
                db,
                await current_ballot(db, ballot_id, now),
                action,
                form=form,
                error=refused.message,
                status_code=refused.status,
            )
        if action in (Action.TALLY, Action.PUBLISH):
            return see_other(f"/ballots/{ballot_id}/results?done={action.value}")
        return see_other(f"/organiser/ballots/{ballot_id}?done={action.value}")
