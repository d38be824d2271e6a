"""Lifecycle buttons: each leads to a confirmation page that says in plain words what the
action does and what it cannot undo; its POST carries the action out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.errors import Invalid, NotFound
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol.encoding import from_b64url
from inmc_vote.i18n import _
from inmc_vote.services import lifecycle
from inmc_vote.services.actors import Actor
from inmc_vote.services.state import lifecycle_of
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.pages.common import current_ballot, page, see_other
from inmc_vote.web.pages.forms import ReasonForm
from inmc_vote.web.pages.words import ACTION_BUTTONS, ACTION_EXPLAINED, NEEDS_REASON


def action_of(name: str) -> Action:
    """An action this version can carry out, or 404."""
    try:
        action = Action(name)
    except ValueError:
        action = None
    if action is None or action not in lifecycle.STEPS:
        raise NotFound(_("There is no such action on a ballot: «%(name)s».") % {"name": name})
    return action


async def confirm_page(
    request: Request[Any, Any, Any],
    ballot: Ballot,
    action: Action,
    reason: str = "",
    error: str = "",
    status_code: int = 200,
    tally_public_key: str = "",
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
        reason=reason,
        error=error,
        asks_tally_key=action is Action.FREEZE,
        tally_public_key=tally_public_key,
        tokens_missing=action is Action.OPEN and ballot.tokens_issued_at is None,
    )


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
        return await confirm_page(request, ballot, action)

    @post("/")
    async def perform(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        action_name: FromPath[str],
        data: URLEncodedBody[ReasonForm],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Template | Redirect:
        action = action_of(action_name)
        try:
            trustee_pk = _trustee_key(data.tally_public_key) if action is Action.FREEZE else None
            await lifecycle.perform(db, actor, ballot_id, action, now, data.reason, trustee_pk)
        except Invalid as refused:  # a missing or too long reason: ask again, keep the text
            ballot = await current_ballot(db, ballot_id, now)
            return await confirm_page(
                request,
                ballot,
                action,
                reason=data.reason,
                error=refused.message,
                status_code=refused.status,
                tally_public_key=data.tally_public_key,
            )
        return see_other(f"/organiser/ballots/{ballot_id}?done={action.value}")
