"""The organiser's token pages: issue the tokens (once, through a confirmation page that
says the download is the only copy), cancel an issuance whose letters were lost before
voting opened, and replace a lost token by its fingerprint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import RuleError
from inmc_vote.services import actions, queries
from inmc_vote.services.actors import Actor
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.letters_download import issue_letters, replacement_letter, zip_response
from inmc_vote.web.pages.common import current_ballot, page, see_other
from inmc_vote.web.pages.organiser_ballots import refused_page
from inmc_vote.web.pages.voting import voting_facts


@dataclass
class LostTokenForm:
    fingerprint: str = ""


@dataclass
class CancelIssuanceForm:
    reason: str = ""


class OrganiserTokens(Controller):
    path = "/organiser/ballots/{ballot_id:str}"
    guards = [organisers_only]
    include_in_schema = False

    @get("/tokens")
    async def confirm_issue(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Template:
        ballot = await current_ballot(db, ballot_id, now)
        return await page(
            request,
            "organiser_tokens.html",
            ballot=ballot,
            electorate_size=await queries.ballots.electorate_size(db, ballot_id),
            facts=await voting_facts(db, ballot),
        )

    @post("/tokens")
    async def issue(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Response[bytes]:
        return zip_response(await issue_letters(db, settings, actor, ballot_id, now))

    @post("/tokens/cancel")
    async def cancel_issuance(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        data: URLEncodedBody[CancelIssuanceForm],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Redirect | Template:
        try:
            await actions.tokens.cancel_issuance(db, actor, ballot_id, data.reason, now)
        except RuleError as refused:
            return await refused_page(
                request, db, settings, now, ballot_id, refused, "cancel", cancel_reason=data.reason
            )
        return see_other(f"/organiser/ballots/{ballot_id}?done=tokens-cancelled#tokens")

    @post("/lost-token")
    async def lost_token(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        data: URLEncodedBody[LostTokenForm],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Response[bytes] | Template:
        try:
            download = await replacement_letter(
                db, settings, actor, ballot_id, data.fingerprint, now
            )
        except RuleError as refused:
            return await refused_page(
                request,
                db,
                settings,
                now,
                ballot_id,
                refused,
                "lost",
                lost_fingerprint=data.fingerprint,
            )
        return zip_response(download)
