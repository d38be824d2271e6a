"""Pages that anyone can read: the ballots, each ballot's page and its dossiers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from inmc_vote.db.engine import Database
from inmc_vote.domain.ballots import custody_words
from inmc_vote.domain.lifecycle import State
from inmc_vote.services import queries
from inmc_vote.web.api.candidacies import dossier_response
from inmc_vote.web.pages.common import current_ballot, page
from inmc_vote.web.pages.timeline import timeline
from inmc_vote.web.pages.voting import voting_facts
from inmc_vote.web.params import PathId

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
        listed = [
            await current_ballot(db, b.id, now) for b in await queries.ballots.list_ballots(db)
        ]
        return await page(request, "home.html", ballots=listed)

    @get("/ballots/{ballot_id:str}")
    async def ballot(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Template:
        ballot = await current_ballot(db, ballot_id, now)
        fixed = State(ballot.state) in FIXED_STATES
        events = await queries.ballots.events(db, ballot_id)
        return await page(
            request,
            "ballot.html",
            ballot=ballot,
            candidacies=await queries.candidacies.list_for_ballot(db, ballot_id),
            candidates=await queries.ballots.candidates(db, ballot_id) if fixed else [],
            electorate_size=await queries.ballots.electorate_size(db, ballot_id) if fixed else None,
            electorate=await queries.ballots.electorate(db, ballot_id) if fixed else [],
            custody=custody_words(ballot.credential_authority, ballot.registrar_party),
            timeline=timeline(events, await queries.cities.list_cities(db)),
            facts=await voting_facts(db, ballot),
        )

    @get("/ballots/{ballot_id:str}/candidacies/{candidacy_id:int}/dossier")
    async def dossier(
        self,
        ballot_id: FromPath[str],
        candidacy_id: PathId,
        db: NamedDependency[Database],
    ) -> Response[bytes]:
        return dossier_response(await queries.candidacies.dossier_file(db, ballot_id, candidacy_id))
