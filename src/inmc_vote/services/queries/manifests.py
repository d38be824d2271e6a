"""Reading a round's signed manifest."""

from __future__ import annotations

from sqlalchemy import select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Manifest
from inmc_vote.domain.errors import NotFound


async def manifest(db: Database, ballot_id: str, round_number: int | None = None) -> Manifest:
    async with db.read() as session:
        query = select(Manifest).where(Manifest.ballot_id == ballot_id)
        if round_number is not None:
            query = query.where(Manifest.round == round_number)
        found = (await session.execute(query.order_by(Manifest.round.desc()).limit(1))).scalar()
        if found is None:
            if round_number is None:
                raise NotFound(
                    "This ballot has no manifest yet: it is fixed when the tokens are issued."
                )
            raise NotFound("This ballot has no manifest for round {round}.", round=round_number)
        return found
