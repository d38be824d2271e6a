"""Every refusal answers a 4xx that a person understands.

The JSON API answers problem details (RFC 9457); pages answer an error page, and a
page that needs signing in redirects to the login page.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_401_UNAUTHORIZED, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from inmc_vote.domain.errors import N_, RuleError
from inmc_vote.web import error_context, i18n
from inmc_vote.web.i18n import _, refusal
from inmc_vote.web.security_headers import SECURITY_HEADERS

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("inmc_vote.web")

# The status lines' words (HTTPStatus phrases), marked so that an error page and a problem's
# `title` can show them in the reader's language.
STATUS_PHRASES = (
    N_("Bad Request"),
    N_("Unauthorized"),
    N_("Forbidden"),
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Conflict"),
    N_("Request Entity Too Large"),
    N_("Unsupported Media Type"),
    N_("Unprocessable Entity"),
    N_("Too Many Requests"),
    N_("Internal Server Error"),
    N_("Service Unavailable"),
)

_PLAIN_WORDS = {
    400: N_("The request could not be understood."),
    401: N_("Sign in first."),
    403: N_("You are not allowed to do this."),
    404: N_("There is nothing at this address."),
    405: N_("This address does not accept this kind of request."),
    413: N_("What you sent is too large."),
    429: N_("Too many attempts in a short time: wait a minute and try again."),
}


def _validation_detail(exc: ValidationException) -> str:
    problems = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            key = item.get("key")
            message = str(item.get("message", "")).rstrip(".")
            if key == "data" and message.strip("'") == "data":  # an empty body
                problems.append(_("the body is empty where a JSON object was expected"))
            elif key == "data":  # the whole body: msgspec's message names the field, if any
                problems.append(message)
            else:
                problems.append(f"“{key}”: {message}" if key else message)
    if not problems:
        return _("The request is not valid: check its fields and their types.")
    return _("The request is not valid: {problems}.").format(problems="; ".join(problems))


def _json_error(exc: BaseException) -> msgspec.DecodeError | None:
    """The JSON decoding error behind a 400, if that is what it was."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, msgspec.DecodeError) and not isinstance(seen, msgspec.ValidationError):
            return seen
        seen = seen.__cause__
    return None


def _too_deep(exc: BaseException) -> bool:
    """msgspec refuses JSON nested past its depth with a RecursionError of its own."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, RecursionError) and "deserializing" in str(seen):
            return True
        seen = seen.__cause__
    return False


def describe(exc: Exception) -> tuple[int, str]:
    """The status and the message a person reads."""
    if isinstance(exc, RuleError):
        return exc.status, refusal(exc)
    if isinstance(exc, UnicodeDecodeError):  # a form field (read by the CSRF check first)
        return 400, _("The request holds text that is not UTF-8: send it as UTF-8.")
    if _too_deep(exc):
        return 400, _("The body is not valid JSON: it is nested too deeply.")
    if isinstance(exc, HTTPException) and exc.status_code == 400 and (bad := _json_error(exc)):
        # msgspec says "Input data was truncated" or "JSON is malformed: ...".
        why = str(bad).removeprefix("JSON is malformed: ")
        return 400, _("The body is not valid JSON: {why}.").format(why=why[:1].lower() + why[1:])
    if isinstance(exc, ValidationException):
        return 400, _validation_detail(exc)
    if isinstance(exc, HTTPException):
        status = exc.status_code
        detail = exc.detail if exc.detail and exc.detail != HTTPStatus(status).phrase else ""
        if status == 413:
            detail = _("What you sent is larger than this address accepts.")
        return status, detail or _(_PLAIN_WORDS.get(status, HTTPStatus(status).phrase))
    return HTTP_500_INTERNAL_SERVER_ERROR, _(
        "Something went wrong on our side; nothing was changed. Please try again."
    )


def is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def log_answer(request: Request[Any, Any, Any], exc: Exception, status: int, detail: str) -> None:
    """A refusal (4xx) is one line at INFO, with the route rather than the address (which
    may hold a portal link or a credential); a failure (5xx) is an ERROR with its traceback."""
    route = request.scope.get("path_template") or "(no route)"
    if status < 500:
        log.info("%s %s answered %d: %s", request.method, route, status, detail)
    else:
        log.error("%s %s failed", request.method, route, exc_info=exc)


def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Some errors (no such route) are answered before LanguageMiddleware runs.
    i18n.set_language(
        i18n.choose(
            request.query_params.get("lang"),
            request.cookies.get(i18n.COOKIE),
            request.headers.get("accept-language"),
        )
    )
    status, detail = describe(exc)
    # The log keeps a refusal in English, whatever the reader's language.
    log_answer(request, exc, status, exc.message if isinstance(exc, RuleError) else detail)
    if is_api(request):
        return Response(
            {
                "type": "about:blank",
                "title": _(HTTPStatus(status).phrase),
                "status": status,
                "detail": detail,
            },
            status_code=status,
            media_type=PROBLEM_JSON,
            headers=_headers(exc, status),
        )
    if status == HTTP_401_UNAUTHORIZED:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/login?next={quote(target, safe='')}")
    return Template(
        template_name="error.html",
        context={
            "status": status,
            "title": HTTPStatus(status).phrase,
            "detail": detail,
            **error_context.context(request),  # who reads it, and the way back to the ballot
        },
        status_code=status,
        media_type=MediaType.HTML,
        headers=_headers(exc, status),
    )


def _headers(exc: Exception, status: int) -> dict[str, str]:
    """Error answers carry the site's security headers too (they bypass the app's)."""
    headers = dict(SECURITY_HEADERS) | dict(getattr(exc, "headers", None) or {})
    if status == HTTP_401_UNAUTHORIZED:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="inmc-vote"')
    return headers


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    RuleError: handle,
    HTTPException: handle,
    Exception: handle,
}
