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
from inmc_vote.domain.errors import Invalid

# What a ballot's texts may be, part of what a ballot is rather than a server setting
# (config.Limits): the title and question are as wide as their columns (db/models.py)
# and are copied into every round's manifest.
MAX_TITLE = 200
MAX_QUESTION = 500
MAX_DESCRIPTION = 10_000
MAX_REGISTRAR_PARTY = 120

CUSTODY_WORDS: dict[Custody, str] = {
    Custody.OFFLINE: "made offline by {party}, who holds the registrar key: the server "
    "never sees a token and cannot make or replace one",
    Custody.SERVER: "made by this server, which holds the registrar key (for a demonstration "
    "or a ballot that chose it): the server could make extra credentials",
}
"""Who makes a ballot's tokens, in plain words for its pages."""


def custody_words(custody: str, party: str) -> str:
    return CUSTODY_WORDS[Custody(custody)].format(party=party or "a party not yet named")


def check_registrar(custody: str, party: str) -> str:
    """The registrar party's name, stripped; Invalid for an unknown custody or a long name."""
    if custody not in CUSTODY_WORDS:
        raise Invalid(
            f"«{custody}» is not a credential authority; choose offline (a named party makes "
            "the tokens with `inmc-vote tokens issue`) or server."
        )
    party = party.strip()
    if len(party) > MAX_REGISTRAR_PARTY:
        raise Invalid(f"The registrar's name is longer than {MAX_REGISTRAR_PARTY} characters.")
    return party


class Method(StrEnum):
    PLURALITY = "plurality"
    EXHAUSTIVE = "exhaustive"
    IRV = "irv"
    SCHULZE = "schulze"
    APPROVAL = "approval"


METHOD_NAMES: dict[Method, str] = {
    Method.PLURALITY: "Plurality (one choice, most votes wins)",
    Method.EXHAUSTIVE: "Exhaustive ballot (rounds until an absolute majority)",
    Method.IRV: "Instant runoff (ranked choices)",
    Method.SCHULZE: "Schulze (ranked choices, Condorcet)",
    Method.APPROVAL: "Approval (approve any number)",
}


def parse_method(value: str) -> Method:
    try:
        return Method(value)
    except ValueError:
        allowed = ", ".join(m.value for m in Method)
        raise Invalid(f"«{value}» is not a counting method; choose one of {allowed}.") from None


# How an exhaustive ballot settles a tie for last place (see docs/counting.md).
LAST_PLACE_TIE_RULES: dict[LastPlaceTie, str] = {
    LastPlaceTie.LOT: "by lot, from the seed committed in the manifest",
    LastPlaceTie.RUNOFF: "by an extra round between the cities tied for last",
}


def parse_last_place_tie(value: str) -> LastPlaceTie:
    if value not in LAST_PLACE_TIE_RULES:
        raise Invalid(f"«{value}» is not a rule for a tie for last place; choose lot or runoff.")
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
            f"The quorum «{text}» should be a fraction of the eligible cities, such as 1/2."
        ) from None
    if not 0 < quorum <= 1:
        raise Invalid("The quorum must be more than 0 and at most 1 (all eligible cities).")
    return quorum


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe", a folder
        raise Invalid(f"«{name}» is not a time zone name such as Europe/Paris.") from None


@dataclass(frozen=True)
class Timetable:
    candidacy_deadline: datetime | None
    opens_at: datetime | None
    closes_at: datetime | None

    def check(self) -> None:
        """Each time that is set comes after the one before it."""
        steps = [
            ("the candidacy deadline", self.candidacy_deadline),
            ("the opening time", self.opens_at),
            ("the closing time", self.closes_at),
        ]
        set_steps = [(name, t) for name, t in steps if t is not None]
        for (first, t1), (second, t2) in itertools.pairwise(set_steps):
            if t2 <= t1:
                raise Invalid(f"{second.capitalize()} must come after {first}.")

    def deadline_passed(self, now: datetime) -> bool:
        return self.candidacy_deadline is not None and now >= self.candidacy_deadline


def check_text(title: str, question: str, description: str) -> None:
    if not title.strip():
        raise Invalid("The ballot needs a title.")
    if len(title) > MAX_TITLE:
        raise Invalid(f"The title is longer than {MAX_TITLE} characters.")
    if not question.strip():
        raise Invalid("The ballot needs a question, such as «Which city will host 2027?».")
    if len(question) > MAX_QUESTION:
        raise Invalid(f"The question is longer than {MAX_QUESTION} characters.")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(f"The description is longer than {MAX_DESCRIPTION} characters.")
    text.check_text("the title", title, name=True)
    text.check_text("the question", question)
    text.check_text("the description", description, lines=True)
