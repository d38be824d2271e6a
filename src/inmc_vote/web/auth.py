"""Who is asking: an API key (`Authorization: Bearer ...`) or a session cookie.

Organiser routes carry the guard `organisers_only`: 401 for nobody, 403 for a wrong
role. A cookie-authenticated change through the JSON API must also carry the CSRF
header, so that a session cookie alone never authorises a cross-site request
(pages are covered by the CSRF middleware, the API is excluded from it).
"""

from __future__ import annotations

from hmac import compare_digest
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.csrf import generate_csrf_hash

from inmc_vote.domain.accounts import Role
from inmc_vote.domain.codes import ActorKind
from inmc_vote.domain.errors import Unauthorized
from inmc_vote.services import queries
from inmc_vote.services.actors import Actor
from inmc_vote.services.queries.accounts import Principal
from inmc_vote.web.deps import db_of, now_of

SESSION_COOKIE = "inmc_session"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_STATE_KEY = "principal"


async def principal(connection: ASGIConnection) -> Principal | None:
    """The signed-in account, looked up once per request."""
    if _STATE_KEY in connection.state:
        return connection.state[_STATE_KEY]
    found: Principal | None = None
    header = connection.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = await queries.accounts.principal_from_api_key(db_of(connection), header[7:])
    elif session_id := connection.cookies.get(SESSION_COOKIE):
        found = await queries.accounts.principal_from_session(
            db_of(connection), session_id, now_of(connection)
        )
    connection.state[_STATE_KEY] = found
    return found


def _require_role(role: Role):
    async def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        who = await principal(connection)
        if who is None:
            raise NotAuthorizedException("Sign in as an organiser, or send an organiser's API key.")
        if who.role is not role:
            raise PermissionDeniedException(
                f"This needs an {role.value}'s account; {who.email} is an {who.role.value}."
            )
        if (
            who.via == "session"
            and connection.scope.get("method") not in SAFE_METHODS
            and connection.url.path.startswith("/api/")
            and not _csrf_header_matches(connection)
        ):
            raise PermissionDeniedException(
                "A change made with a session cookie must carry the x-csrftoken header "
                "(or use an API key)."
            )

    guard.__name__ = f"{role.value}s_only"
    return guard


organisers_only = _require_role(Role.ORGANISER)


def _csrf_header_matches(connection: ASGIConnection) -> bool:
    header = connection.headers.get(CSRF_HEADER, "")
    cookie = connection.cookies.get(CSRF_COOKIE, "")
    secret = connection.app.state.csrf_secret
    return bool(header) and _valid_csrf(header, secret) and compare_digest(header, cookie)


def _valid_csrf(token: str, secret: str) -> bool:
    body, mac = token[:64], token[64:]
    return len(body) == 64 and compare_digest(mac, generate_csrf_hash(body, secret))


def trustee_invitation(request: Request[Any, Any, Any]) -> str:
    """A trustee's key-ceremony invitation, its bearer secret for every message it sends
    (the ceremony's, its shuffle, its decryption); 401 without one."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        raise Unauthorized(
            "Send your invitation as `Authorization: Bearer <invitation>` "
            "(`inmc-vote trustee` does)."
        )
    return header[7:].strip()


async def actor(request: Request[Any, Any, Any]) -> Actor:
    """The acting account, for the event log (a dependency of guarded handlers)."""
    who = await principal(request)
    if who is None:  # only reached behind a guard
        raise NotAuthorizedException("Sign in first.")
    if who.role is not Role.ORGANISER:  # only reached behind organisers_only
        raise PermissionDeniedException("Only an organiser's account acts on a ballot.")
    return Actor(ActorKind.ORGANISER, who.email)
