"""What the mail pages need to read: who cannot be mailed (no contact address)."""

from __future__ import annotations

from sqlalchemy import select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import City, Elector


async def cities_without_address(db: Database, ballot_id: str) -> list[str]:
    """The electorate's cities that have no contact address, by name: their letters go
    by post (or their address is added on the city's page first)."""
    async with db.read() as session:
        rows = await session.execute(
            select(City.name)
            .join(Elector, Elector.city_id == City.id)
            .where(Elector.ballot_id == ballot_id, City.contact_email == "")
            .order_by(City.name)
        )
        return list(rows.scalars())
