"""Reading candidacies: a ballot's, a city's, and a dossier's file."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import undefer

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Candidacy, Dossier
from inmc_vote.domain.errors import NotFound
from inmc_vote.services.steps.rows import candidacy_of


async def list_for_ballot(db: Database, ballot_id: str) -> list[Candidacy]:
    async with db.read() as session:
        result = await session.execute(
            select(Candidacy)
            .where(Candidacy.ballot_id == ballot_id)
            .order_by(Candidacy.submitted_at)
        )
        return list(result.unique().scalars())


async def for_city(db: Database, ballot_id: str, city_id: int) -> Candidacy | None:
    async with db.read() as session:
        return await candidacy_of(session, ballot_id, city_id)


async def dossier_file(db: Database, ballot_id: str, candidacy_id: int) -> Dossier:
    async with db.read() as session:
        dossier = (
            await session.execute(
                select(Dossier)
                .join(Candidacy)
                .where(Candidacy.id == candidacy_id, Candidacy.ballot_id == ballot_id)
                .options(undefer(Dossier.content))
            )
        ).scalar_one_or_none()
        if dossier is None:
            raise NotFound("This candidacy has no dossier.")
        return dossier
