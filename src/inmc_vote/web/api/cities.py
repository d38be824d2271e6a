"""Member cities: organisers only (the list holds contact details)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from litestar import Controller, Request, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import JSONBody

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.domain.cities import CityFields
from inmc_vote.domain.errors import Invalid
from inmc_vote.services import actions, queries
from inmc_vote.web.api.schemas import CityIn, CityOut, ImportOut
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.params import PathId


@dataclass
class CsvUpload:
    file: UploadFile


def _fields(data: CityIn) -> CityFields:
    return actions.cities.fields_of(
        data.name, data.country, data.region, data.contact_name, data.contact_email
    )


class CitiesApi(Controller):
    path = "/api/v1/cities"
    tags = ["member cities"]
    guards = [organisers_only]

    @get("/", summary="List the member cities")
    async def list_cities(self, db: NamedDependency[Database]) -> list[CityOut]:
        return [CityOut.of(c) for c in await queries.cities.list_cities(db)]

    @post("/", summary="Add a member city")
    async def add_city(
        self, data: JSONBody[CityIn], db: NamedDependency[Database], now: NamedDependency[datetime]
    ) -> CityOut:
        return CityOut.of(await actions.cities.add_city(db, _fields(data), now))

    @get("/{city_id:int}", summary="One member city")
    async def get_city(self, city_id: PathId, db: NamedDependency[Database]) -> CityOut:
        return CityOut.of(await queries.cities.get_city(db, city_id))

    @put("/{city_id:int}", summary="Edit a member city")
    async def edit_city(
        self,
        city_id: PathId,
        data: JSONBody[CityIn],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> CityOut:
        return CityOut.of(await actions.cities.edit_city(db, city_id, _fields(data), now))

    @post("/{city_id:int}/suspend", summary="Suspend a city: it can no longer apply or vote")
    async def suspend(
        self,
        city_id: PathId,
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> CityOut:
        return CityOut.of(await actions.cities.set_active(db, city_id, False, now))

    @post("/{city_id:int}/reinstate", summary="Reinstate a suspended city")
    async def reinstate(
        self,
        city_id: PathId,
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> CityOut:
        return CityOut.of(await actions.cities.set_active(db, city_id, True, now))

    @post(
        "/import",
        summary="Import member cities from CSV (every line checked first)",
        description=(
            "Send the CSV as the multipart field `file`, or as the request body with "
            "Content-Type text/csv. Columns: name, country (ISO 3166 alpha-2), region, "
            "contact name, contact email; comma or semicolon separated, UTF-8. Every row "
            "is checked before any is written: a refusal lists each bad line with its reason "
            "and writes nothing. The rows are then written in short batches, so that votes "
            "never wait behind a large import; if one is cut short, sending the same file "
            "again finishes it. A city already known (same country and name) is updated, "
            "not duplicated."
        ),
        request_max_body_size=LIMITS.csv_body_bytes,
    )
    async def import_cities(
        self, request: Request, db: NamedDependency[Database], now: NamedDependency[datetime]
    ) -> ImportOut:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise Invalid("Send the CSV file in the multipart field “file”.")
            body = await upload.read()
        else:
            body = await request.body()
        report = await actions.cities.import_csv(db, body, now)
        return ImportOut(report.added, report.updated, report.unchanged)
