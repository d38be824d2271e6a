"""Rows looked up inside the caller's session (an action's write or a query's read): a
member city by id, a city's candidacy for a ballot."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import Candidacy, City
from inmc_vote.domain.errors import NotFound


async def candidacy_of(session: AsyncSession, ballot_id: str, city_id: int) -> Candidacy | None:
    return (
        (
            await session.execute(
                select(Candidacy).where(
                    Candidacy.ballot_id == ballot_id, Candidacy.city_id == city_id
                )
            )
        )
        .unique()
        .scalar_one_or_none()
    )


async def city_by_id(session: AsyncSession, city_id: int) -> City:
    city = await session.get(City, city_id)
    if city is None:
        raise NotFound("There is no member city with id {city_id}.", city_id=city_id)
    return city
