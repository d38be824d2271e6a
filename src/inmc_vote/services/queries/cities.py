"""Reading the member cities."""

from __future__ import annotations

from sqlalchemy import select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import City
from inmc_vote.services.steps.rows import city_by_id


async def list_cities(db: Database) -> list[City]:
    async with db.read() as session:
        result = await session.execute(select(City).order_by(City.country, City.name))
        return list(result.scalars())


async def get_city(db: Database, city_id: int) -> City:
    async with db.read() as session:
        return await city_by_id(session, city_id)
