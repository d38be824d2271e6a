"""Member cities: add, edit, suspend or reinstate, and the CSV import (checked whole,
written in short batches)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
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
                    "{name} ({country}) is already a member city (id {id}).",
                    name=existing.name,
                    country=existing.country,
                    id=existing.id,
                )
            city = City(slug=await _free_slug(session, fields), created_at=now, updated_at=now)
            _assign(city, fields)
            session.add(city)
            await session.flush()
            return city
    except IntegrityError:
        raise Conflict(
            "{name} ({country}) is already a member city.", name=fields.name, country=fields.country
        ) from None


async def edit_city(db: Database, city_id: int, fields: CityFields, now: datetime) -> City:
    try:
        async with db.write() as session:
            city = await city_by_id(session, city_id)
            other = await _find(session, fields)
            if other is not None and other.id != city.id:
                raise Conflict(
                    "{name} ({country}) is already member city {id}.",
                    name=other.name,
                    country=other.country,
                    id=other.id,
                )
            _assign(city, fields)
            city.updated_at = now
            return city
    except IntegrityError:
        raise Conflict(
            "{name} ({country}) is already a member city.", name=fields.name, country=fields.country
        ) from None


async def set_active(db: Database, city_id: int, active: bool, now: datetime) -> City:
    """Suspend or reinstate a city. Ballots already frozen keep the electorate they fixed."""
    async with db.write() as session:
        city = await city_by_id(session, city_id)
        city.active = active
        city.updated_at = now
        return city


async def import_csv(db: Database, data: bytes, now: datetime) -> ImportReport:
    """Import a CSV of cities; a city already known (same country and name) is updated.

    The file is checked whole first: one bad line, or more than `LIMITS.csv_rows` cities,
    refuses it and nothing is written. It is then written in batches of
    `LIMITS.csv_batch_rows` cities, each its own short transaction, with a pause after
    each as long as the batch took: on SQLite, where there is one writer, a cast waits for
    one batch at most, never for the whole file. Every row is an upsert by its natural
    key, so an import cut short between batches (a crash, a city added by hand meanwhile
    under the same name) is finished by sending the same file again."""
    rows = parse_cities_csv(data, LIMITS.csv_bytes, LIMITS.csv_rows)  # raises CsvRejected
    total = ImportReport(added=0, updated=0, unchanged=0)
    for start in range(0, len(rows), LIMITS.csv_batch_rows):
        began = time.monotonic()
        batch = rows[start : start + LIMITS.csv_batch_rows]
        try:
            done = await _import_batch(db, batch, now)
        except IntegrityError:
            raise Conflict(
                "Another change to the member cities came in while the file was being "
                "imported; its first {start:,} cities were imported: send the file again "
                "to finish.",
                start=start,
            ) from None
        total = ImportReport(
            added=total.added + done.added,
            updated=total.updated + done.updated,
            unchanged=total.unchanged + done.unchanged,
        )
        if start + LIMITS.csv_batch_rows < len(rows):
            # let the writers that queued behind this batch go first
            await asyncio.sleep(min(time.monotonic() - began, 1.0))
    return total


async def _import_batch(db: Database, batch: list[CityFields], now: datetime) -> ImportReport:
    added = updated = unchanged = 0
    async with db.write() as session:
        keys = [natural_key(fields.name, fields.country) for fields in batch]
        known = {
            (city.country, city.name_key): city
            for city in (
                await session.execute(
                    select(City).where(tuple_(City.country, City.name_key).in_(keys))
                )
            ).scalars()
        }
        taken: set[str] = set()
        for fields, key in zip(batch, keys, strict=True):
            city = known.get(key)
            if city is None:
                slug = await _free_slug(session, fields, taken)
                taken.add(slug)
                city = City(slug=slug, created_at=now, updated_at=now)
                _assign(city, fields)
                session.add(city)
                added += 1
            elif _differs(city, fields):
                _assign(city, fields)
                city.updated_at = now
                updated += 1
            else:
                unchanged += 1
        await session.flush()
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


async def _free_slug(
    session: AsyncSession, fields: CityFields, taken: set[str] | frozenset[str] = frozenset()
) -> str:
    """A slug no city has, nor any of `taken` (those of a batch not flushed yet)."""
    base = slug_for(fields.name, fields.country)
    slug, n = base, 1
    while (
        slug in taken or (await session.execute(select(City.id).where(City.slug == slug))).first()
    ):
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
