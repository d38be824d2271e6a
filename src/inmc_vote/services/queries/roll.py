"""Reading the roll of voting credentials."""

from __future__ import annotations

from sqlalchemy import select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import RollEntry
from inmc_vote.domain.errors import NotFound


async def roll(db: Database, ballot_id: str) -> list[RollEntry]:
    """The roll as fixed by the manifest (replacements are in the event log)."""
    async with db.read() as session:
        result = await session.execute(
            select(RollEntry)
            .where(RollEntry.ballot_id == ballot_id, RollEntry.initial.is_(True))
            .order_by(RollEntry.pk)
        )
        return list(result.scalars())


async def roll_entry(db: Database, ballot_id: str, credential: bytes) -> RollEntry:
    async with db.read() as session:
        found = await session.get(RollEntry, (ballot_id, credential))
        if found is None:
            raise NotFound("This credential is not on this ballot's roll: check the token.")
        return found
