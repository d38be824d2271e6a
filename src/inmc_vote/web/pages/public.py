"""Pages that anyone can read: the ballots, each ballot's page and its dossiers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from inmc_vote.db.engine import Database
from inmc_vote.domain.ballots import custody_template
from inmc_vote.domain.lifecycle import State
from inmc_vote.services import queries
from inmc_vote.web.api.candidacies import dossier_response
from inmc_vote.web.i18n import translate
from inmc_vote.web.pages.common import BallotPage, current_ballot, page
from inmc_vote.web.pages.ordering import by_name
from inmc_vote.web.pages.results import published_outcome
from inmc_vote.web.pages.timeline import timeline
from inmc_vote.web.pages.visibility import visible_ballot, visible_ballots
from inmc_vote.web.pages.voting import voting_facts
from inmc_vote.web.params import PathId

FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.ico"

# From freezing on, the candidates and the electorate are fixed and worth showing.
FIXED_STATES = frozenset({State.FROZEN, State.OPEN, State.CLOSED, State.TALLIED})


class PublicPages(Controller):
    include_in_schema = False

    @get("/")
    async def home(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Template:
        listed = await visible_ballots(
            request,
            [await current_ballot(db, b.id, now) for b in await queries.ballots.list_ballots(db)],
        )
        outcomes = {
            b.id: await published_outcome(db, b) for b in listed if b.published or b.round > 1
        }
        return await page(request, "home.html", ballots=listed, outcomes=outcomes)

    @get("/favicon.ico", media_type="image/x-icon")
    async def favicon(self) -> Response[bytes]:
        """Browsers ask for it whatever the page links: answer the site's icon, not 404."""
        return Response(
            FAVICON.read_bytes(),
            media_type="image/x-icon",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @get("/ballots/{ballot_id:str}")
    async def ballot(
        self,
        at: NamedDependency[BallotPage],
    ) -> Template:
        ballot = await visible_ballot(at.request, at.db, at.ballot_id, at.now)
        fixed = State(ballot.state) in FIXED_STATES
        events = await queries.ballots.events(at.db, at.ballot_id)
        return await page(
            at.request,
            "ballot.html",
            ballot=ballot,
            candidacies=await queries.candidacies.list_for_ballot(at.db, at.ballot_id),
            candidates=await queries.ballots.candidates(at.db, at.ballot_id) if fixed else [],
            electorate_size=await queries.ballots.electorate_size(at.db, at.ballot_id)
            if fixed
            else None,
            electorate=by_name(
                await queries.ballots.electorate(at.db, at.ballot_id) if fixed else [],
                lambda c: c["name"],
            ),
            custody=translate(
                *custody_template(ballot.credential_authority, ballot.registrar_party)
            ),
            timeline=timeline(events, await queries.cities.list_cities(at.db)),
            facts=await voting_facts(at.db, ballot),
        )

    @get("/ballots/{ballot_id:str}/candidacies/{candidacy_id:int}/dossier")
    async def dossier(
        self,
        ballot_id: FromPath[str],
        candidacy_id: PathId,
        db: NamedDependency[Database],
    ) -> Response[bytes]:
        return dossier_response(await queries.candidacies.dossier_file(db, ballot_id, candidacy_id))
