"""Filters and globals that templates use to show times, states, sizes and numbers the same
way everywhere, in the reader's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from inmc_vote.db.models import Ballot, Candidacy
from inmc_vote.domain.ballots import METHOD_NAMES, Method
from inmc_vote.web import i18n

# A ballot's title and question, and a candidacy's summary, may be given in French and in
# English (`title_fr`, `title_en`, ...): what a template reads as `ballot.title` is the one
# in the reader's language when there is one, else the text as written.
TRANSLATED_FIELDS = frozenset({"title", "question", "summary"})


class TemplateEnvironment(Environment):
    """Jinja's environment, reading a stored ballot's `title` and `question` and a stored
    candidacy's `summary` in the reader's language, so that every page shows them so
    without each template asking. Only stored rows: a form's fields (an edit form) keep the
    text as written."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        value = super().getattr(obj, attribute)
        if (
            attribute in TRANSLATED_FIELDS
            and isinstance(obj, Ballot | Candidacy)
            and isinstance(value, str)
        ):
            variant = getattr(obj, f"{attribute}_{i18n.language()}", None)
            if isinstance(variant, str) and variant.strip():
                return variant
        return value


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def local_time(moment: datetime | None, zone: str = "UTC") -> Markup:
    """A `<time>` showing `moment` in `zone`, which static/local-time.js completes with the
    reader's own local time when it differs (the page stays whole without JavaScript)."""
    if moment is None:
        return escape(i18n.show_time(None))
    return Markup(
        '<time class="local-time" datetime="{iso}" data-zone="{zone}">{text}</time>'
    ).format(iso=moment.isoformat(), zone=zone, text=i18n.show_time(moment, zone))


def _method_name(method: str) -> str:
    # `str in Method` raises TypeError on Python 3.11, so look the value up instead.
    try:
        return METHOD_NAMES[Method(method)]
    except ValueError:
        return method


def _megabytes(size: int) -> str:
    if size >= 100_000:
        return i18n._("{size} MB").format(size=i18n.number(size / 1_048_576, 1))
    return i18n._("{size} kB").format(size=i18n.number(round(size / 1024), 0))


def install_filters(environment: Environment) -> None:
    environment.filters["when"] = i18n.show_time  # "13 December 2026, 22:50 (Europe/Paris, UTC+1)"
    environment.filters["day"] = i18n.show_date  # "13 December 2026" / "13 décembre 2026"
    environment.filters["local_time"] = local_time
    environment.filters["iso"] = _iso
    environment.filters["method_name"] = _method_name
    environment.filters["megabytes"] = _megabytes
    environment.filters["number"] = i18n.number
    environment.filters["percent"] = i18n.percent
    environment.globals["language"] = i18n.language
    environment.globals["language_names"] = i18n.LANGUAGE_NAMES
    environment.globals["switch_url"] = i18n.switch_url
