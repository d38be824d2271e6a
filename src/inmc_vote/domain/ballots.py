"""A ballot's settings: its method, its rules and its timetable."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from inmc_vote.domain import text
from inmc_vote.domain.codes import Custody, LastPlaceTie
from inmc_vote.domain.errors import N_, Invalid

# What a ballot's texts may be, part of what a ballot is rather than a server setting
# (config.Limits): the title and question are as wide as their columns (db/models.py)
# and are copied into every round's manifest.
MAX_TITLE = 200
MAX_QUESTION = 500
MAX_DESCRIPTION = 10_000
MAX_REGISTRAR_PARTY = 120

CUSTODY_WORDS: dict[Custody, str] = {
    Custody.OFFLINE: N_(
        "made offline by {party}, who holds the registrar key: the server "
        "never sees a token and cannot make or replace one"
    ),
    Custody.SERVER: N_(
        "made by this server, which holds the registrar key (for a demonstration "
        "or a ballot that chose it): the server could make extra credentials"
    ),
    Custody.SERVER_MAIL: N_(
        "made by this server, which holds the registrar key and e-mails "
        "each city its letter: the server and the mail relays see each token once while it is "
        "sent, and the server could make extra credentials; tokens made offline are safer"
    ),
}
NO_PARTY = N_("a party not yet named")
"""Who makes a ballot's tokens, in plain words for its pages."""


def custody_words(custody: str, party: str) -> str:
    return CUSTODY_WORDS[Custody(custody)].format(party=party or NO_PARTY)


def custody_template(custody: str, party: str) -> tuple[str, dict[str, object]]:
    """`custody_words` as a sentence and its fields, for the web layer to translate."""
    return CUSTODY_WORDS[Custody(custody)], {"party": party or NO_PARTY}


def check_registrar(custody: str, party: str) -> str:
    """The registrar party's name, stripped; Invalid for an unknown custody or a long name."""
    if custody not in CUSTODY_WORDS:
        raise Invalid(
            "«{custody}» is not a credential authority; choose offline (a named party makes "
            "the tokens with `inmc-vote tokens issue`), server or server-mail.",
            custody=custody,
        )
    party = party.strip()
    if len(party) > MAX_REGISTRAR_PARTY:
        raise Invalid(
            "The registrar's name is longer than {maximum} characters.", maximum=MAX_REGISTRAR_PARTY
        )
    return party


class Method(StrEnum):
    PLURALITY = "plurality"
    EXHAUSTIVE = "exhaustive"
    IRV = "irv"
    SCHULZE = "schulze"
    APPROVAL = "approval"


METHOD_NAMES: dict[Method, str] = {
    Method.PLURALITY: N_("Plurality (one choice, most votes wins)"),
    Method.EXHAUSTIVE: N_("Exhaustive ballot (rounds until an absolute majority)"),
    Method.IRV: N_("Instant runoff (ranked choices)"),
    Method.SCHULZE: N_("Schulze (ranked choices, Condorcet)"),
    Method.APPROVAL: N_("Approval (approve any number)"),
}


def parse_method(value: str) -> Method:
    try:
        return Method(value)
    except ValueError:
        allowed = ", ".join(m.value for m in Method)
        raise Invalid(
            "«{value}» is not a counting method; choose one of {allowed}.",
            value=value,
            allowed=allowed,
        ) from None


# How an exhaustive ballot settles a tie for last place (see docs/counting.md).
LAST_PLACE_TIE_RULES: dict[LastPlaceTie, str] = {
    LastPlaceTie.LOT: "by lot, from the seed committed in the manifest",
    LastPlaceTie.RUNOFF: "by an extra round between the cities tied for last",
}


def parse_last_place_tie(value: str) -> LastPlaceTie:
    if value not in LAST_PLACE_TIE_RULES:
        raise Invalid(
            "«{value}» is not a rule for a tie for last place; choose lot or runoff.", value=value
        )
    return LastPlaceTie(value)


def parse_quorum(value: str | None) -> Fraction | None:
    """A quorum such as "1/2" or "2/3" of the eligible cities; empty means none."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        numerator, denominator = (int(part) for part in text.split("/"))
        quorum = Fraction(numerator, denominator)
    except (ValueError, ZeroDivisionError):
        raise Invalid(
            "The quorum «{text}» should be a fraction of the eligible cities, such as 1/2.",
            text=text,
        ) from None
    if not 0 < quorum <= 1:
        raise Invalid("The quorum must be more than 0 and at most 1 (all eligible cities).")
    return quorum


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe", a folder
        raise Invalid("«{name}» is not a time zone name such as Europe/Paris.", name=name) from None


# Whole sentences, so that each language words them its own way.
_OUT_OF_ORDER = {
    ("deadline", "opening"): N_("The opening time must come after the candidacy deadline."),
    ("opening", "closing"): N_("The closing time must come after the opening time."),
    ("deadline", "closing"): N_("The closing time must come after the candidacy deadline."),
}


@dataclass(frozen=True)
class Timetable:
    candidacy_deadline: datetime | None
    opens_at: datetime | None
    closes_at: datetime | None

    def check(self) -> None:
        """Each time that is set comes after the one before it."""
        steps = [
            ("deadline", self.candidacy_deadline),
            ("opening", self.opens_at),
            ("closing", self.closes_at),
        ]
        set_steps = [(name, t) for name, t in steps if t is not None]
        for (first, t1), (second, t2) in itertools.pairwise(set_steps):
            if t2 <= t1:
                raise Invalid(_OUT_OF_ORDER[first, second])

    def deadline_passed(self, now: datetime) -> bool:
        return self.candidacy_deadline is not None and now >= self.candidacy_deadline


def check_text(title: str, question: str, description: str) -> None:
    if not title.strip():
        raise Invalid("The ballot needs a title.")
    if len(title) > MAX_TITLE:
        raise Invalid("The title is longer than {maximum} characters.", maximum=MAX_TITLE)
    if not question.strip():
        raise Invalid("The ballot needs a question, such as «Which city will host 2027?».")
    if len(question) > MAX_QUESTION:
        raise Invalid("The question is longer than {maximum} characters.", maximum=MAX_QUESTION)
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            "The description is longer than {maximum} characters.", maximum=MAX_DESCRIPTION
        )
    text.check_text("the title", title, name=True)
    text.check_text("the question", question)
    text.check_text("the description", description, lines=True)


# A ballot's title and question in French and in English (optional: "" when not given).
TRANSLATED_TEXTS = {
    "title_fr": MAX_TITLE,
    "title_en": MAX_TITLE,
    "question_fr": MAX_QUESTION,
    "question_en": MAX_QUESTION,
}
_VARIANT_LABELS = {
    "title_fr": "the title in French",
    "title_en": "the title in English",
    "question_fr": "the question in French",
    "question_en": "the question in English",
}
_TOO_LONG = {
    "title_fr": N_("The title in French is longer than {maximum} characters."),
    "title_en": N_("The title in English is longer than {maximum} characters."),
    "question_fr": N_("The question in French is longer than {maximum} characters."),
    "question_en": N_("The question in English is longer than {maximum} characters."),
}


def check_translations(texts: dict[str, str]) -> dict[str, str]:
    """The French and English variants, stripped; Invalid when one is too long or holds
    a character a name may not hold."""
    cleaned = {}
    for field, maximum in TRANSLATED_TEXTS.items():
        value = texts.get(field, "").strip()
        if len(value) > maximum:
            raise Invalid(_TOO_LONG[field], maximum=maximum)
        text.check_text(_VARIANT_LABELS[field], value, name=field.startswith("title"))
        cleaned[field] = value
    return cleaned
