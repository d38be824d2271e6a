"""The facts the organiser's checklist is derived from (domain/checklist.py): a few
reads per ballot, nothing stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot, Ceremony, City, PortalLink
from inmc_vote.domain import checklist
from inmc_vote.domain.codes import CeremonyState
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.lifecycle import State
from inmc_vote.services.queries import mixing


async def facts(db: Database, ballot: Ballot, now: datetime) -> checklist.Facts:
    """What the checklist needs to know of `ballot` (as the clock left it) at `now`."""
    async with db.read() as session:
        cities = (
            await session.execute(select(func.count()).select_from(City).where(City.active))
        ).scalar_one()
        links = (
            await session.execute(
                select(PortalLink.id).where(PortalLink.ballot_id == ballot.id).limit(1)
            )
        ).first()
        ceremony = (
            await session.execute(
                select(Ceremony.ceremony)
                .where(Ceremony.ballot_id == ballot.id, Ceremony.state == CeremonyState.COMPLETE)
                .limit(1)
            )
        ).first()
    state = State(ballot.state)
    shuffles_in = decryptions_in = False
    if state is State.CLOSED:
        try:
            mix = (await mixing.mix_state(db, ballot.id, None)).mix
        except NotFound:
            mix = None
        if mix is not None:
            shuffles_in = mix.empty or len(mix.shuffles) >= mix.threshold
            decryptions_in = mix.empty or len(mix.decryptions) >= mix.threshold
    return checklist.Facts(
        state=state,
        round=ballot.round,
        published=ballot.published,
        active_cities=cities,
        links_made=links is not None,
        ceremony_complete=ceremony is not None,
        tokens_issued=ballot.tokens_issued_at is not None,
        shuffles_in=shuffles_in,
        decryptions_in=decryptions_in,
        candidacy_deadline_passed=ballot.candidacy_deadline is not None
        and now >= ballot.candidacy_deadline,
        candidacy_deadline=ballot.candidacy_deadline,
        opens_at=ballot.opens_at,
        closes_at=ballot.closes_at,
    )


async def checklist_of(db: Database, ballot: Ballot, now: datetime) -> list[checklist.Item]:
    return checklist.checklist(await facts(db, ballot, now))
