"""The reader's language: every text a person reads goes through `_()` at request time.

The language of a request is chosen once, by `LanguageMiddleware` (`?lang=`, then the
`lang` cookie, then the browser's Accept-Language, then English), and kept in a context
variable, so that `_()`, `ngettext()`, the templates' `{{ _("…") }}`, the refusals and the
dates all follow it without being handed it. The catalogues are the `.po` files under
`locale/`, compiled to `.mo` at install (hatch_build.py); docs/languages.md says how to add
and translate a text.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import cache
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlencode
from zoneinfo import ZoneInfo

from babel.core import Locale, negotiate_locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from inmc_vote.domain import timefmt
from inmc_vote.domain.errors import Choices, RuleError
from inmc_vote.domain.timefmt import NO_TIME, Zoned

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "inmc_vote"
LANGUAGES = ("en", "fr")  # the first is the default
DEFAULT = LANGUAGES[0]
# Each language named in its own words, for the switch on every page.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
# The Babel locale that formats days and numbers: British English writes
# "13 December 2026", as the network's letters do.
_FORMATS = {"en": "en_GB", "fr": "fr_FR"}

_current: ContextVar[str] = ContextVar("inmc_vote_language", default=DEFAULT)


@cache
def catalogue(language: str) -> _gettext.NullTranslations:
    """The compiled catalogue of `language` (English source texts if none is installed)."""
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)


def language() -> str:
    """The current request's language ("en" outside any request)."""
    return _current.get()


def set_language(lang: str) -> None:
    """Make `lang` the language of what runs from here on in this context (a request)."""
    _current.set(lang if lang in LANGUAGES else DEFAULT)


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Run a block in `lang` (a letter in the city's language, a test)."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def supported(value: str | None) -> str | None:
    """`value` if it names a language the site speaks ("fr", "FR", "fr-CA" → "fr")."""
    if not value:
        return None
    base = value.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else None


def negotiate(accept_language: str | None) -> str | None:
    """The best of our languages for an Accept-Language header, by its q-values (Babel)."""
    wanted: list[tuple[float, int, str]] = []
    for order, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            wanted.append((-quality, order, tag))
    preferred = [tag for _q, _o, tag in sorted(wanted)]
    return negotiate_locale(preferred, list(LANGUAGES), sep="-")


def _(message: str) -> str:
    """`message` in the current language (an empty message stays empty: gettext would
    answer the catalogue's header)."""
    return catalogue(language()).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return catalogue(language()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return catalogue(language()).npgettext(context, singular, plural, n)


def translations() -> _gettext.NullTranslations:
    """The current language's catalogue (for code that wants the gettext object)."""
    return catalogue(language())


# --- Refusals ---------------------------------------------------------------------------


def _param(value: object) -> object:
    if isinstance(value, Zoned):
        return show_time(value.moment, value.zone)
    if isinstance(value, Choices):
        words = [_(word) for word in value]
        if len(words) == 1:
            return words[0]
        return _("{choices} or {last}").format(choices=", ".join(words[:-1]), last=words[-1])
    if isinstance(value, str):  # a marked fragment (N_) translates; a city's name does not
        return _(value)
    return value


def translate(template: str, params: Mapping[str, object]) -> str:
    """`template` in the current language, filled in with `params` (themselves translated
    when they are marked fragments, times, or choices)."""
    text = _(template)
    if not params:
        return text
    values = {name: _param(value) for name, value in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):  # a translation with a broken field
        return template.format(**values)


def refusal(error: RuleError) -> str:
    """What a person reads of a refusal, in their language."""
    return translate(error.template, error.params)


# --- Dates and numbers ------------------------------------------------------------------


def show_time(moment: datetime | None, zone: str = "UTC") -> str:
    """ "13 December 2026, 22:50 (Europe/Paris, UTC+1)" or "13 décembre 2026 à 22:50
    (Europe/Paris, UTC+1)": the domain's `show_time`, in the current language."""
    return timefmt.show_time(moment, zone, language())


def show_date(moment: datetime | None, zone: str = "UTC") -> str:
    if moment is None:
        return NO_TIME
    return format_date(moment.astimezone(ZoneInfo(zone)), "long", locale=_FORMATS[language()])


def number(value: float, digits: int | None = None) -> str:
    """1 234,5 / 1,234.5; `digits` fixes the decimals shown."""
    if digits is None:
        return format_decimal(value, locale=_FORMATS[language()])
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_FORMATS[language()])


def percent(ratio: float, digits: int = 0) -> str:
    """0.5 → "50%" / "50 %" (each language's own pattern), with `digits` decimals."""
    locale = Locale.parse(_FORMATS[language()])
    pattern = locale.percent_formats[None].pattern
    if digits:
        last = pattern.rfind("0") + 1
        pattern = pattern[:last] + "." + "0" * digits + pattern[last:]
    return format_percent(ratio, format=pattern, locale=locale)


# --- Choosing the language of a request -------------------------------------------------

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def choose(asked: str | None, cookie: str | None, accept_language: str | None) -> str:
    """`?lang=`, else the remembered choice, else the browser's languages, else English."""
    return supported(asked) or supported(cookie) or negotiate(accept_language) or DEFAULT


def _cookie_value(header: str | None) -> str | None:
    if not header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None


class LanguageMiddleware(ASGIMiddleware):
    """Set the request's language before anything reads it, and remember a `?lang=`
    choice in a cookie for a year (not HttpOnly: it is no secret; SameSite=Lax so that a
    link from elsewhere keeps the reader's language)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        asked = supported(query["lang"][-1] if query.get("lang") else None)
        remembered = _cookie_value(headers.get("cookie"))
        lang = choose(asked, remembered, headers.get("accept-language"))
        # Not reset afterwards: the error handler, which Litestar runs outside the route's
        # middleware, renders in the same language (each request is a task of its own).
        set_language(lang)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"content-language", lang.encode()),
                    (b"vary", b"Accept-Language, Cookie"),
                ]
                if asked and asked != supported(remembered):
                    extra.append((b"set-cookie", remember(asked).encode("latin-1")))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await next_app(scope, receive, send_with_language)


def remember(lang: str) -> str:
    """The Set-Cookie value that keeps `lang` for a year."""
    return f"{COOKIE}={lang}; Max-Age={COOKIE_MAX_AGE}; Path=/; SameSite=Lax"


def switch_url(path: str, query: str, lang: str) -> str:
    """The current page (a local path only) in `lang`: its query kept, `lang` replaced."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        path = "/"
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "lang"]
    return path + "?" + urlencode([*kept, ("lang", lang)])
