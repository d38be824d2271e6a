"""Member cities: add, edit, suspend or reinstate, and the all-or-nothing CSV import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.db.models import City
from inmc_vote.domain.cities import CityFields, clean_city, natural_key, parse_cities_csv, slug_for
from inmc_vote.domain.errors import Conflict
from inmc_vote.services.steps.rows import city_by_id


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int


async def add_city(db: Database, fields: CityFields, now: datetime) -> City:
    try:
        async with db.write() as session:
            existing = await _find(session, fields)
            if existing is not None:
                raise Conflict(
                    f"{existing.name} ({existing.country}) is already a member city "
                    f"(id {existing.id})."
                )
            city = City(slug=await _free_slug(session, fields), created_at=now, updated_at=now)
            _assign(city, fields)
            session.add(city)
            await session.flush()
            return city
    except IntegrityError:
        raise Conflict(f"{fields.name} ({fields.country}) is already a member city.") from None


async def edit_city(db: Database, city_id: int, fields: CityFields, now: datetime) -> City:
    try:
        async with db.write() as session:
            city = await city_by_id(session, city_id)
            other = await _find(session, fields)
            if other is not None and other.id != city.id:
                raise Conflict(f"{other.name} ({other.country}) is already member city {other.id}.")
            _assign(city, fields)
            city.updated_at = now
            return city
    except IntegrityError:
        raise Conflict(f"{fields.name} ({fields.country}) is already a member city.") from None


async def set_active(db: Database, city_id: int, active: bool, now: datetime) -> City:
    """Suspend or reinstate a city. Ballots already frozen keep the electorate they fixed."""
    async with db.write() as session:
        city = await city_by_id(session, city_id)
        city.active = active
        city.updated_at = now
        return city


async def import_csv(db: Database, data: bytes, now: datetime) -> ImportReport:
    """Import every row or none; a city already known (same country and name) is updated."""
    rows = parse_cities_csv(data, LIMITS.csv_bytes)  # raises CsvRejected naming each bad line
    added = updated = unchanged = 0
    async with db.write() as session:
        for fields in rows:
            city = await _find(session, fields)
            if city is None:
                city = City(slug=await _free_slug(session, fields), created_at=now, updated_at=now)
                _assign(city, fields)
                session.add(city)
                await session.flush()
                added += 1
            elif _differs(city, fields):
                _assign(city, fields)
                city.updated_at = now
                updated += 1
            else:
                unchanged += 1
    return ImportReport(added=added, updated=updated, unchanged=unchanged)


def fields_of(
    name: str, country: str, region: str = "", contact_name: str = "", contact_email: str = ""
) -> CityFields:
    return clean_city(name, country, region, contact_name, contact_email)


async def _find(session: AsyncSession, fields: CityFields) -> City | None:
    country, name_key = natural_key(fields.name, fields.country)
    return (
        await session.execute(
            select(City).where(City.country == country, City.name_key == name_key)
        )
    ).scalar_one_or_none()


async def _free_slug(session: AsyncSession, fields: CityFields) -> str:
    base = slug_for(fields.name, fields.country)
    slug, n = base, 1
    while (await session.execute(select(City.id).where(City.slug == slug))).first():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _assign(city: City, fields: CityFields) -> None:
    city.name = fields.name
    city.name_key = fields.key[1]
    city.country = fields.country
    city.region = fields.region
    city.contact_name = fields.contact_name
    city.contact_email = fields.contact_email


def _differs(city: City, fields: CityFields) -> bool:
    return (city.name, city.region, city.contact_name, city.contact_email) != (
        fields.name,
        fields.region,
        fields.contact_name,
        fields.contact_email,
    )
