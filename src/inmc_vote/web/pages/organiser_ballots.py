"""The organiser's ballots: the dashboard, the ballot form, and each ballot's management
page with its candidacies (decisions, and candidacies that came by post)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, MultipartBody, URLEncodedBody
from litestar.response import Redirect, Template

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.ballots import METHOD_NAMES, custody_template
from inmc_vote.domain.codes import SERVER_MADE
from inmc_vote.domain.errors import RuleError
from inmc_vote.domain.lifecycle import Action, State
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.ballots import EDITABLE_STATES
from inmc_vote.services.actors import Actor
from inmc_vote.services.queries.portal import IssuedLink
from inmc_vote.services.steps.state import lifecycle_of
from inmc_vote.web.api.candidacies import OnBehalfUpload, read_upload
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.i18n import _, refusal, translate
from inmc_vote.web.pages.checklist import progress_of
from inmc_vote.web.pages.common import BallotPage, current_ballot, page, see_other
from inmc_vote.web.pages.forms import BallotFields, ReasonForm, zone_choices
from inmc_vote.web.pages.ordering import by_name
from inmc_vote.web.pages.organiser_trustees import trustees_section
from inmc_vote.web.pages.timeline import timeline
from inmc_vote.web.pages.voting import voting_facts
from inmc_vote.web.pages.words import ACTION_BUTTONS, N_, STATE_WORDS, state_key
from inmc_vote.web.params import PathId

DONE = {
    "created": N_("The ballot was created, in draft."),
    "saved": N_("The ballot's settings were saved."),
    "accepted": N_("The candidacy was accepted."),
    "rejected": N_("The candidacy was rejected; the city can read your reason."),
    "recorded": N_("The candidacy was recorded on the city's behalf."),
    "links": N_("New candidacy links were made; each city's older link no longer works."),
    "revoked": N_("The city's candidacy link no longer works."),
    "tokens-cancelled": N_(
        "The issuance was cancelled and its reason recorded: none of its tokens can vote. "
        "Issue the tokens again."
    ),
}


def next_actions(ballot: Ballot) -> list[Action]:
    """The lifecycle actions this version can carry out that the ballot allows now."""
    return [a for a in lifecycle_of(ballot).allowed() if a in actions.lifecycle.STEPS]


async def ballot_form_page(
    request: Request[Any, Any, Any],
    fields: BallotFields,
    ballot: Ballot | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    return await page(
        request,
        "organiser_ballot_form.html",
        status_code=status_code,
        ballot=ballot,
        form=fields,
        error=error,
        methods=METHOD_NAMES,
        zones=zone_choices(fields.timezone),
    )


class OrganiserBallots(Controller):
    path = "/organiser"
    guards = [organisers_only]
    include_in_schema = False

    @get("/")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Template:
        listed = [
            await current_ballot(db, b.id, now) for b in await queries.ballots.list_ballots(db)
        ]
        members = await queries.cities.list_cities(db)
        active = sum(1 for c in members if c.active)
        return await page(
            request,
            "organiser_dashboard.html",
            ballots=[(b, next_actions(b)) for b in listed],
            progress=await progress_of(db, listed, now),
            active_cities=active,
            suspended_cities=len(members) - active,
            action_buttons=ACTION_BUTTONS,
        )

    @get("/ballots/new")
    async def new_ballot(self, request: Request[Any, Any, Any]) -> Template:
        return await ballot_form_page(request, BallotFields.blank())

    @post("/ballots/new")
    async def create_ballot(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[BallotFields],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Template | Redirect:
        try:
            ballot = await actions.ballots.create_ballot(db, actor, data.form(), now)
        except RuleError as refused:
            return await ballot_form_page(
                request, data, error=refusal(refused), status_code=refused.status
            )
        return see_other(f"/organiser/ballots/{ballot.id}?done=created")

    @get("/ballots/{ballot_id:str}/edit")
    async def edit_ballot_page(
        self,
        at: NamedDependency[BallotPage],
    ) -> Template:
        ballot = await current_ballot(at.db, at.ballot_id, at.now)
        return await ballot_form_page(at.request, BallotFields.of(ballot), ballot)

    @post("/ballots/{ballot_id:str}/edit")
    async def edit_ballot(
        self,
        at: NamedDependency[BallotPage],
        data: URLEncodedBody[BallotFields],
        actor: NamedDependency[Actor],
    ) -> Template | Redirect:
        ballot = await queries.ballots.get_ballot(at.db, at.ballot_id)
        try:
            await actions.ballots.edit_ballot(at.db, actor, at.ballot_id, data.form(), at.now)
        except RuleError as refused:
            return await ballot_form_page(
                at.request, data, ballot, error=refusal(refused), status_code=refused.status
            )
        return see_other(f"/organiser/ballots/{at.ballot_id}?done=saved")

    @get("/ballots/{ballot_id:str}")
    async def manage(
        self,
        at: NamedDependency[BallotPage],
        done: FromQuery[str] = "",
    ) -> Template:
        return await manage_page(at, done=done)

    @post("/ballots/{ballot_id:str}/candidacies/{candidacy_id:int}/accept")
    async def accept(
        self,
        ballot_id: FromPath[str],
        candidacy_id: PathId,
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Redirect:
        await actions.candidacies.decide(db, actor, ballot_id, candidacy_id, True, "", now)
        return see_other(f"/organiser/ballots/{ballot_id}?done=accepted#candidacies")

    @post("/ballots/{ballot_id:str}/candidacies/{candidacy_id:int}/reject")
    async def reject(
        self,
        ballot_id: FromPath[str],
        candidacy_id: PathId,
        data: URLEncodedBody[ReasonForm],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Redirect:
        await actions.candidacies.decide(
            db, actor, ballot_id, candidacy_id, False, data.reason, now
        )
        return see_other(f"/organiser/ballots/{ballot_id}?done=rejected#candidacies")

    @post("/ballots/{ballot_id:str}/candidacies", request_max_body_size=LIMITS.dossier_body_bytes)
    async def record_on_behalf(
        self,
        at: NamedDependency[BallotPage],
        data: MultipartBody[OnBehalfUpload],
        actor: NamedDependency[Actor],
    ) -> Template | Redirect:
        form, upload = await read_upload(data)
        try:
            await actions.candidacies.submit(
                at.db, actor, at.ballot_id, data.city_id, form, upload, at.now, by_organiser=True
            )
        except RuleError as refused:
            return await refused_page(at, refused, "behalf", behalf=data)
        return see_other(f"/organiser/ballots/{at.ballot_id}?done=recorded#candidacies")


async def manage_page(
    at: BallotPage,
    done: str = "",
    behalf: OnBehalfUpload | None = None,
    behalf_error: str = "",
    status_code: int = 200,
    lost_fingerprint: str = "",
    lost_error: str = "",
    cancel_reason: str = "",
    cancel_error: str = "",
    **trustees_form: Any,
) -> Template:
    """The ballot's management page; also re-rendered when the by-post form is refused
    (and, with `trustees_form`, when naming the trustees is: see organiser_trustees.py)."""
    ballot = await current_ballot(at.db, at.ballot_id, at.now)
    state = State(ballot.state)
    members = await queries.cities.list_cities(at.db)
    links = by_name(
        await queries.portal.current_links(at.db, at.settings.secret_key, at.ballot_id),
        lambda link: link.city_name,
    )
    return await page(
        at.request,
        "organiser_ballot.html",
        status_code=status_code,
        ballot=ballot,
        notice=_done(done, ballot),
        editable=state in EDITABLE_STATES,
        taking_candidacies=state is State.CANDIDACIES,
        can_record=state is State.CANDIDACIES
        and not (ballot.candidacy_deadline and at.now >= ballot.candidacy_deadline),
        links_allowed=ballot.state in actions.portal.LINK_STATES,
        actions=next_actions(ballot),
        action_buttons=ACTION_BUTTONS,
        candidacies=await queries.candidacies.list_for_ballot(at.db, at.ballot_id),
        active_cities=by_name((c for c in members if c.active), lambda c: c.name),
        behalf=behalf or OnBehalfUpload("", "", ""),
        behalf_error=behalf_error,
        links=links,
        link_expiry=_link_expiry(links, ballot.timezone),
        base_url=at.settings.base_url,
        events=timeline(
            await queries.ballots.events(at.db, at.ballot_id), members, show_emails=True
        ),
        state_word=STATE_WORDS[state_key(ballot.state, ballot.published)],
        facts=await voting_facts(at.db, ballot),
        checklist=await queries.checklist.checklist_of(at.db, ballot, at.now),
        can_issue=state is State.FROZEN and ballot.tokens_issued_at is None,
        can_replace=ballot.tokens_issued_at is not None and state in {State.FROZEN, State.OPEN},
        lost_fingerprint=lost_fingerprint,
        lost_error=lost_error,
        custody=translate(*custody_template(ballot.credential_authority, ballot.registrar_party)),
        server_custody=ballot.credential_authority in SERVER_MADE,
        mail_ready=at.settings.smtp is not None,
        can_cancel=state is State.FROZEN
        and ballot.round == 1
        and ballot.tokens_issued_at is not None,
        cancel_reason=cancel_reason,
        cancel_error=cancel_error,
        **await trustees_section(at.db, ballot, trustees_form),
    )


async def refused_page(
    at: BallotPage,
    refused: RuleError,
    form: str,
    **entered: Any,
) -> Template:
    """The management page again after one of its forms (`behalf`, `lost`, `cancel`,
    `trustees`) was refused: the refusal's status, its message as `{form}_error`, and what
    was `entered` in the form (manage_page's arguments), to correct and send again."""
    entered[f"{form}_error"] = refusal(refused)
    return await manage_page(at, status_code=refused.status, **entered)


def _link_expiry(links: list[IssuedLink], zone: str) -> dict[int, str]:
    """Each link's expiry as a date alone (in the ballot's zone): a compact column; the
    time of day is in each cell's <time> and in the section's summary."""
    return {x.city_id: x.expires_at.astimezone(ZoneInfo(zone)).date().isoformat() for x in links}


def _done(key: str, ballot: Ballot) -> str:
    """The message after a redirect, chosen by a fixed key (never text from the URL)."""
    if key in DONE:
        return _(DONE[key])
    if key in {a.value for a in actions.lifecycle.STEPS}:
        word = STATE_WORDS[state_key(ballot.state, ballot.published)]
        return _("Done: the ballot is now “%(state)s”.") % {"state": _(word)}
    return ""
