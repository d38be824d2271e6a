"""The organiser names a ballot's trustees from its page, and sees each invitation once
with the exact `inmc-vote trustee join` command to give that trustee; the ballot's page
shows the key ceremony's progress (the Trustees section, `_trustees.html`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Template

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.errors import Invalid, RuleError
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.trustees import DEFAULT_THRESHOLD, DEFAULT_TRUSTEES
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.ceremony import NAMING_STATES
from inmc_vote.services.actors import Actor
from inmc_vote.web.api.ceremony import named_out
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.pages.common import BallotPage, current_ballot, page


@dataclass
class TrusteesForm:
    names: str = ""
    threshold: str = str(DEFAULT_THRESHOLD)


async def trustees_section(db: Database, ballot: Ballot, form: dict[str, Any]) -> dict[str, Any]:
    """What `_trustees.html` needs, for the ballot's page."""
    view = await queries.ceremony.find(db, ballot.id)
    names = form.get("trustee_names")
    if names is None:
        names = "\n".join(t.name for t in view.trustees) if view else ""
    return {
        "ceremony": view,
        "election_key": b64url(view.election_key) if view and view.election_key else "",
        "can_name_trustees": State(ballot.state) in NAMING_STATES,
        "trustee_names": names,
        "trustee_threshold": form.get(
            "trustee_threshold", view.threshold if view else DEFAULT_THRESHOLD
        ),
        "trustees_error": form.get("trustees_error", ""),
        "default_trustees": DEFAULT_TRUSTEES,
    }


class OrganiserTrustees(Controller):
    path = "/organiser"
    guards = [organisers_only]
    include_in_schema = False

    @post("/ballots/{ballot_id:str}/trustees")
    async def name_trustees(
        self,
        at: NamedDependency[BallotPage],
        data: URLEncodedBody[TrusteesForm],
        actor: NamedDependency[Actor],
    ) -> Template:
        from inmc_vote.web.pages.organiser_ballots import refused_page

        names = [line for line in data.names.splitlines() if line.strip()]
        try:
            try:
                threshold = int(data.threshold)
            except ValueError:
                raise Invalid("The threshold is a whole number.") from None
            named = await actions.ceremony.name_trustees(
                at.db, actor, at.ballot_id, names, threshold, now=at.now
            )
        except RuleError as refused:
            return await refused_page(
                at,
                refused,
                "trustees",
                trustee_names=data.names,
                trustee_threshold=data.threshold,
            )
        shown = named_out(named, at.settings.base_url)
        response = await page(
            at.request,
            "organiser_trustees_named.html",
            ballot=await current_ballot(at.db, at.ballot_id, at.now),
            named=shown,
            warning=shown.warning,
            base_url=at.settings.base_url.rstrip("/"),
        )
        response.headers["Cache-Control"] = "no-store"  # the invitations are secrets
        return response
