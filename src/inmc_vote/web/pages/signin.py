"""Signing in and out. The session id is new at every sign-in (no fixation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import TooMany
from inmc_vote.services import actions
from inmc_vote.services.actions.accounts import SESSION_LIFETIME
from inmc_vote.web.auth import SESSION_COOKIE, client_address
from inmc_vote.web.i18n import _, refusal
from inmc_vote.web.pages.common import local_path, page


@dataclass
class SignInForm:
    email: str = ""
    password: str = ""
    next: str = ""


class SignInPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = ""
    ) -> Template:
        return await page(request, "login.html", next=local_path(next, ""), email="", error="")

    @post("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[SignInForm],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Redirect | Template:
        address = client_address(request, settings.trusted_proxies)
        try:
            session_id = await actions.accounts.sign_in(
                db, data.email, data.password, now, address, request.cookies.get(SESSION_COOKIE)
            )
        except TooMany as error:
            return await page(
                request,
                "login.html",
                status_code=error.status,
                next=local_path(data.next, ""),
                email=data.email,
                error=refusal(error),
            )
        if session_id is None:
            return await page(
                request,
                "login.html",
                status_code=400,
                next=local_path(data.next, ""),
                email=data.email,
                error=_("The e-mail address or the password is wrong."),
            )
        response = Redirect(local_path(data.next, "/organiser"))
        response.set_cookie(
            SESSION_COOKIE,
            session_id,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            path="/",
        )
        return response

    @post("/logout")
    async def logout(
        self, request: Request[Any, Any, Any], db: NamedDependency[Database]
    ) -> Redirect:
        if session_id := request.cookies.get(SESSION_COOKIE):
            await actions.accounts.sign_out(db, session_id)
        response = Redirect("/")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
