"""The city's candidacy portal: the signed link is the city's only credential.

Every request re-checks the link (a revoked or expired link answers 403 with the
service's message), then acts as that city and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, MultipartBody
from litestar.response import Redirect, Template

from inmc_vote.config import LIMITS, Settings
from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import RuleError
from inmc_vote.domain.lifecycle import State
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.portal import PortalAccess
from inmc_vote.services.actors import city
from inmc_vote.web.api.candidacies import CandidacyUpload, read_upload
from inmc_vote.web.i18n import _, refusal
from inmc_vote.web.pages.common import current_ballot, page, see_other
from inmc_vote.web.pages.words import N_

DONE = {
    "saved": N_("Your candidacy was saved. The organiser will accept or reject it."),
    "withdrawn": N_("Your candidacy was withdrawn."),
}


async def portal_page(
    request: Request[Any, Any, Any],
    db: Database,
    now: datetime,
    token: str,
    access: PortalAccess,
    form: CandidacyUpload | None = None,
    error: str = "",
    notice: str = "",
    status_code: int = 200,
) -> Template:
    ballot = await current_ballot(db, access.ballot.id, now)
    found = await queries.candidacies.for_city(db, ballot.id, access.city.id)
    if form is None and found is not None:
        form = CandidacyUpload(
            found.summary,
            found.proposed_dates,
            found.venue,
            summary_fr=found.summary_fr,
            summary_en=found.summary_en,
        )
    open_for_candidacies = ballot.state == State.CANDIDACIES.value and not (
        ballot.candidacy_deadline is not None and now >= ballot.candidacy_deadline
    )
    return await page(
        request,
        "portal.html",
        status_code=status_code,
        token=token,
        ballot=ballot,
        city=access.city,
        candidacy=found,
        form=form or CandidacyUpload("", "", ""),
        error=error,
        notice=notice,
        open_for_candidacies=open_for_candidacies,
        can_withdraw=open_for_candidacies and found is not None and found.status != "withdrawn",
    )


class PortalPages(Controller):
    path = "/portal/{token:str}"
    include_in_schema = False

    @get("/")
    async def show(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        done: FromQuery[str] = "",
    ) -> Template:
        access = await actions.portal.open_portal(db, settings.secret_key, token, now)
        notice = _(DONE[done]) if done in DONE else ""
        return await portal_page(request, db, now, token, access, notice=notice)

    @post("/", request_max_body_size=LIMITS.dossier_body_bytes)
    async def submit(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        data: MultipartBody[CandidacyUpload],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template | Redirect:
        access = await actions.portal.open_portal(db, settings.secret_key, token, now)
        form, upload = await read_upload(data)
        try:
            await actions.candidacies.submit(
                db, city(access.city.slug), access.ballot.id, access.city.id, form, upload, now
            )
        except RuleError as refused:
            return await portal_page(
                request,
                db,
                now,
                token,
                access,
                form=data,
                error=refusal(refused),
                status_code=refused.status,
            )
        return see_other(f"/portal/{token}?done=saved")

    @get("/withdraw")
    async def confirm_withdraw(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template:
        access = await actions.portal.open_portal(db, settings.secret_key, token, now)
        found = await queries.candidacies.for_city(db, access.ballot.id, access.city.id)
        return await page(
            request,
            "portal_withdraw.html",
            token=token,
            ballot=access.ballot,
            city=access.city,
            candidacy=found,
        )

    @post("/withdraw")
    async def withdraw(
        self,
        token: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Redirect:
        access = await actions.portal.open_portal(db, settings.secret_key, token, now)
        await actions.candidacies.withdraw(
            db, city(access.city.slug), access.ballot.id, access.city.id, now
        )
        return see_other(f"/portal/{token}?done=withdrawn")
