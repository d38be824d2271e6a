"""The organisers' accounts page: list them; disable or enable one; reset a password or
make an API key (each shown once, on the answer's page); revoke an account's API keys.
Each change is an action of services/actions/accounts.py, recorded in account_events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from inmc_vote.db.engine import Database
from inmc_vote.services import actions, queries
from inmc_vote.services.actors import Actor
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.i18n import _
from inmc_vote.web.pages.common import page, see_other

PATH = "/organiser/accounts"


@dataclass
class AccountForm:
    email: str = ""


class OrganiserAccounts(Controller):
    path = PATH
    guards = [organisers_only]
    include_in_schema = False

    @get("/")
    async def list_accounts(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        done: FromQuery[str] = "",
    ) -> Template:
        return await self._page(request, db, notice=_(_NOTICES[done]) if done in _NOTICES else "")

    @post("/disable")
    async def disable(
        self,
        data: URLEncodedBody[AccountForm],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Redirect:
        await actions.accounts.set_disabled(db, data.email, True, str(actor), now)
        return see_other(f"{PATH}?done=disabled")

    @post("/enable")
    async def enable(
        self,
        data: URLEncodedBody[AccountForm],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Redirect:
        await actions.accounts.set_disabled(db, data.email, False, str(actor), now)
        return see_other(f"{PATH}?done=enabled")

    @post("/revoke-keys")
    async def revoke_keys(
        self,
        data: URLEncodedBody[AccountForm],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Redirect:
        await actions.accounts.revoke_api_keys(db, data.email, str(actor), now)
        return see_other(f"{PATH}?done=revoked")

    @post("/reset-password")
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[AccountForm],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Template:
        password = await actions.accounts.reset_password(db, data.email, str(actor), now)
        return await self._shown_once(request, db, _("New password for %(email)s"), data, password)

    @post("/new-key")
    async def new_key(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[AccountForm],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Template:
        key = await actions.accounts.new_api_key(db, data.email, str(actor), now)
        return await self._shown_once(request, db, _("New API key for %(email)s"), data, key)

    async def _shown_once(
        self,
        request: Request[Any, Any, Any],
        db: Database,
        label: str,
        data: AccountForm,
        secret: str,
    ) -> Template:
        """The page with a new `secret` of the account, under `label` (%(email)s names it)."""
        email = data.email.strip().lower()
        return await self._page(request, db, shown=(label % {"email": email}, secret))

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db: Database,
        notice: str = "",
        shown: tuple[str, str] | None = None,
    ) -> Template:
        # A page that shows a secret once must not be kept by any cache.
        headers = {"Cache-Control": "no-store"} if shown else {}
        template = await page(
            request,
            "organiser_accounts.html",
            accounts=await queries.accounts.accounts(db),
            events=await queries.accounts.account_events(db),
            notice=notice,
            shown=shown,
        )
        template.headers.update(headers)
        return template


_NOTICES = {
    "disabled": "The account is disabled: it can neither sign in nor use its API keys.",
    "enabled": "The account is enabled again.",
    "revoked": "The account's API keys are revoked: they now answer 401.",
}
