"""Who is asking: an API key (`Authorization: Bearer ...`) or a session cookie.

Organiser routes carry the guard `organisers_only`: 401 for nobody, for a disabled
account and for a revoked API key (the queries do not find them). A cookie-authenticated
change through the JSON API must also carry the CSRF header, so that a session cookie
alone never authorises a cross-site request (pages are covered by the CSRF middleware,
the API is excluded from it).
"""

from __future__ import annotations

from hmac import compare_digest
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.csrf import generate_csrf_hash

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


async def organisers_only(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """The guard of every organiser route (every account is an organiser's)."""
    who = await principal(connection)
    if who is None:
        raise NotAuthorizedException("Sign in as an organiser, or send an organiser's API key.")
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
    return Actor(ActorKind.ORGANISER, who.email)


def client_address(request: Request[Any, Any, Any], trusted_proxies: frozenset[str]) -> str:
    """The address a request comes from. X-Forwarded-For is believed only from a proxy in
    INMC_TRUSTED_PROXIES, and read from the right: the first address that is not one of
    those proxies is the client's (what is left of it, anyone may have written)."""
    peer = request.client.host if request.client else ""
    if peer not in trusted_proxies:
        return peer
    forwarded = ",".join(request.headers.getall("x-forwarded-for", []))
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if hop not in trusted_proxies:
            return hop
    return peer
