"""Candidacy-portal links from the organiser's ballot page: make them, e-mail each city
its own (and again to those that failed), download them for a mail merge (UTF-8 with a
BOM, so that Excel shows accents), revoke one city's link."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.documents.csv_safe import spreadsheet_safe
from inmc_vote.documents.token_letters import BOM
from inmc_vote.domain.candidacies import link_validity
from inmc_vote.domain.errors import Invalid, RuleError
from inmc_vote.domain.protocol.encoding import rfc3339_ms
from inmc_vote.services import actions, queries
from inmc_vote.services.actors import Actor
from inmc_vote.web.attachment import attachment
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.i18n import refusal
from inmc_vote.web.pages.common import BallotPage, page, see_other
from inmc_vote.web.pages.forms import LinksForm
from inmc_vote.web.pages.mail_words import OUTCOME_WORDS
from inmc_vote.web.params import PathId

CSV_HEADER = ("city", "country", "contact_name", "contact_email", "link", "expires_at")


def links_csv(links: list[queries.portal.IssuedLink], base_url: str) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for link in links:
        writer.writerow(
            [
                spreadsheet_safe(link.city_name),
                spreadsheet_safe(link.country),
                spreadsheet_safe(link.contact_name),
                spreadsheet_safe(link.contact_email),
                base_url + link.path,
                rfc3339_ms(link.expires_at),
            ]
        )
    return out.getvalue()


def _valid_days(text: str) -> timedelta:
    try:
        days = int(text.strip() or "60")
    except ValueError:
        raise Invalid("The validity must be a whole number of days, such as 60.") from None
    return link_validity(days)


class OrganiserLinks(Controller):
    path = "/organiser/ballots/{ballot_id:str}/links"
    guards = [organisers_only]
    include_in_schema = False

    @post("/")
    async def make(
        self,
        ballot_id: FromPath[str],
        data: URLEncodedBody[LinksForm],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Redirect:
        valid_for = _valid_days(data.valid_days)
        await actions.portal.make_links(db, settings.secret_key, actor, ballot_id, now, valid_for)
        return see_other(f"/organiser/ballots/{ballot_id}?done=links#links")

    @post("/mail")
    async def mail(
        self,
        at: NamedDependency[BallotPage],
        actor: NamedDependency[Actor],
    ) -> Template:
        """E-mail each city its link; with `city` fields, only those cities (a retry)."""
        form = await at.request.form()
        only = None
        if "city" in form:
            ids = [str(value) for value in form.getall("city")]
            if not all(x.isdigit() for x in ids):
                raise Invalid("The cities to send again are not valid.")
            only = frozenset(int(x) for x in ids)
        ballot = await queries.ballots.get_ballot(at.db, at.ballot_id)
        report: actions.mailing.MailReport | None = None
        refused: RuleError | None = None
        try:
            report = await actions.mailing.mail_portal_links(
                at.db, at.settings, actor, at.ballot_id, at.now, only
            )
        except RuleError as error:
            refused = error
        return await page(
            at.request,
            "organiser_links_mailed.html",
            status_code=refused.status if refused else 200,
            ballot=ballot,
            refused=refusal(refused) if refused else "",
            report=report,
            outcome_words=OUTCOME_WORDS,
        )

    @get("/links.csv")
    async def download(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
    ) -> Response[str]:
        await queries.ballots.get_ballot(db, ballot_id)  # 404 for an unknown ballot
        links = await queries.portal.current_links(db, settings.secret_key, ballot_id)
        return Response(
            links_csv(links, settings.base_url),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": attachment(f"portal-links-{ballot_id}.csv"),
                "Cache-Control": "no-store",
            },
        )

    @post("/{city_id:int}/revoke")
    async def revoke(
        self,
        ballot_id: FromPath[str],
        city_id: PathId,
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Redirect:
        await actions.portal.revoke_link(db, actor, ballot_id, city_id, now)
        return see_other(f"/organiser/ballots/{ballot_id}?done=revoked#links")
