"""Reading ballots: one or all, their event log, candidates and electorate."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot, BallotEvent, Candidate, Elector
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services.steps import event_log


async def get_ballot(db: Database, ballot_id: str) -> Ballot:
    async with db.read() as session:
        ballot = await session.get(Ballot, ballot_id)
        if ballot is None:
            raise NotFound("There is no ballot «{ballot_id}».", ballot_id=ballot_id)
        return ballot


async def list_ballots(db: Database) -> list[Ballot]:
    async with db.read() as session:
        result = await session.execute(select(Ballot).order_by(Ballot.created_at.desc()))
        return list(result.scalars())


async def events(db: Database, ballot_id: str) -> list[BallotEvent]:
    async with db.read() as session:
        return await event_log.events_of(session, ballot_id)


async def candidates(db: Database, ballot_id: str) -> list[Candidate]:
    async with db.read() as session:
        result = await session.execute(
            select(Candidate).where(Candidate.ballot_id == ballot_id).order_by(Candidate.position)
        )
        return list(result.scalars())


async def electorate_size(db: Database, ballot_id: str) -> int:
    async with db.read() as session:
        return (
            await session.execute(
                select(func.count()).select_from(Elector).where(Elector.ballot_id == ballot_id)
            )
        ).scalar_one()


async def electorate(db: Database, ballot_id: str) -> list[dict[str, str]]:
    """The eligible cities as the freeze event published them ({slug, name, country}, in
    slug order): what the audit bundle carries, so the page shows the same list."""
    async with db.read() as session:
        data = (
            await session.execute(
                select(BallotEvent.data)
                .where(BallotEvent.ballot_id == ballot_id, BallotEvent.action == Action.FREEZE)
                .order_by(BallotEvent.seq)
                .limit(1)
            )
        ).scalar()
    return list(json.loads(data).get("electorate", [])) if data else []
