"""The organiser's member cities: list, add, edit, suspend or reinstate, import a CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromQuery, MultipartBody, URLEncodedBody
from litestar.response import Redirect, Template

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.domain.cities import CsvProblem, CsvRejected
from inmc_vote.domain.errors import Invalid, RuleError
from inmc_vote.services import actions, queries
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.i18n import _, refusal
from inmc_vote.web.pages.common import page, see_other
from inmc_vote.web.pages.forms import CityForm
from inmc_vote.web.pages.ordering import by_name
from inmc_vote.web.pages.words import N_
from inmc_vote.web.params import Count, PathId

# Messages after a redirect, by a fixed key (the query string never carries text to show).
DONE = {
    "added": N_("The city was added."),
    "saved": N_("The city's details were saved."),
    "suspended": N_(
        "The city is suspended: it can no longer apply, nor vote in a ballot frozen from now on."
    ),
    "reinstated": N_("The city is reinstated."),
}


@dataclass
class CsvUpload:
    file: UploadFile | None = None


class OrganiserCities(Controller):
    path = "/organiser/cities"
    guards = [organisers_only]
    include_in_schema = False

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        done: FromQuery[str] = "",
        added: Count = None,
        updated: Count = None,
        unchanged: Count = None,
    ) -> Template:
        imported = None if added is None else (added, updated or 0, unchanged or 0)
        notice = _(DONE[done]) if done in DONE else ""
        return await cities_page(request, db, notice=notice, imported=imported)

    @post("/")
    async def add(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[CityForm],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Template | Redirect:
        try:
            await actions.cities.add_city(db, data.fields(), now)
        except RuleError as refused:
            return await cities_page(
                request, db, form=data, error=refusal(refused), status_code=refused.status
            )
        return see_other("/organiser/cities?done=added")

    @post("/import", request_max_body_size=LIMITS.csv_body_bytes)
    async def import_csv(
        self,
        request: Request[Any, Any, Any],
        data: MultipartBody[CsvUpload],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Template | Redirect:
        try:
            if data.file is None or not data.file.filename:
                raise Invalid("Choose a CSV file to import.")
            report = await actions.cities.import_csv(db, await data.file.read(), now)
        except CsvRejected as refused:
            return await cities_page(
                request, db, problems=refused.problems, status_code=refused.status
            )
        except RuleError as refused:
            return await cities_page(
                request, db, import_error=refusal(refused), status_code=refused.status
            )
        return see_other(
            f"/organiser/cities?added={report.added}&updated={report.updated}"
            f"&unchanged={report.unchanged}"
        )

    @get("/{city_id:int}")
    async def edit_page(
        self,
        request: Request[Any, Any, Any],
        city_id: PathId,
        db: NamedDependency[Database],
    ) -> Template:
        city = await queries.cities.get_city(db, city_id)
        return await page(request, "organiser_city.html", city=city, form=CityForm.of(city))

    @post("/{city_id:int}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        city_id: PathId,
        data: URLEncodedBody[CityForm],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Template | Redirect:
        city = await queries.cities.get_city(db, city_id)
        try:
            await actions.cities.edit_city(db, city_id, data.fields(), now)
        except RuleError as refused:
            return await page(
                request,
                "organiser_city.html",
                status_code=refused.status,
                city=city,
                form=data,
                error=refusal(refused),
            )
        return see_other("/organiser/cities?done=saved")

    @post("/{city_id:int}/suspend")
    async def suspend(
        self, city_id: PathId, db: NamedDependency[Database], now: NamedDependency[datetime]
    ) -> Redirect:
        await actions.cities.set_active(db, city_id, False, now)
        return see_other("/organiser/cities?done=suspended")

    @post("/{city_id:int}/reinstate")
    async def reinstate(
        self, city_id: PathId, db: NamedDependency[Database], now: NamedDependency[datetime]
    ) -> Redirect:
        await actions.cities.set_active(db, city_id, True, now)
        return see_other("/organiser/cities?done=reinstated")


async def cities_page(
    request: Request[Any, Any, Any],
    db: Database,
    status_code: int = 200,
    form: CityForm | None = None,
    error: str = "",
    notice: str = "",
    imported: tuple[int, int, int] | None = None,
    problems: list[CsvProblem] | None = None,
    import_error: str = "",
) -> Template:
    return await page(
        request,
        "organiser_cities.html",
        status_code=status_code,
        cities=by_name(await queries.cities.list_cities(db), lambda c: c.name),
        form=form or CityForm(),
        error=error,
        notice=notice,
        imported=imported,
        problems=problems or [],
        import_error=import_error,
    )
