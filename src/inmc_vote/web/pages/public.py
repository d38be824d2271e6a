"""Pages that anyone can read: the ballots and each ballot's page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from inmc_vote.db.engine import Database
from inmc_vote.services import ballots
from inmc_vote.web.pages.common import page


class PublicPages(Controller):
    include_in_schema = False

    @get("/")
    async def home(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Template:
        return await page(request, "home.html", ballots=await ballots.list_ballots(db))
