"""A round's counting rules, as the manifest's "rules" object states them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

from inmc_vote.domain.codes import LastPlaceTie, RoundKind
from inmc_vote.domain.protocol.encoding import fraction_text

Family = TypeVar("Family", LastPlaceTie, RoundKind)


def _member(name: str, family: type[Family], value: str) -> Family:
    """`value` as a member of `family` (given as text from JSON, a form or a test)."""
    try:
        return family(value)
    except ValueError:
        raise ValueError(f"{name} must be one of {', '.join(family)}") from None


_FRACTION = re.compile(r"[0-9]+/[0-9]+")
_KEYS = {"quorum", "blank_allowed", "last_place_tie", "round_kind", "continuing"}


@dataclass(frozen=True)
class Rules:
    """`quorum` is a fraction of the eligible cities; the last three matter to the
    exhaustive ballot only: how a tie for last place is settled (`lot`, or `runoff`: a
    vote among the tied alone), which kind of round this is, and, for a last-place
    runoff, every candidate still in the race (the tied ones included)."""

    quorum: Fraction | None = None
    blank_allowed: bool = True
    last_place_tie: LastPlaceTie = LastPlaceTie.LOT
    round_kind: RoundKind = RoundKind.REGULAR
    continuing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.quorum is not None and not 0 < self.quorum <= 1:
            raise ValueError("the quorum must be more than 0 and at most 1")
        # Given as text (from JSON, a form, a test), each is stored as its member.
        object.__setattr__(
            self, "last_place_tie", _member("last_place_tie", LastPlaceTie, self.last_place_tie)
        )
        object.__setattr__(self, "round_kind", _member("round_kind", RoundKind, self.round_kind))
        if (self.round_kind == RoundKind.LAST_PLACE_RUNOFF) != bool(self.continuing):
            raise ValueError("continuing is given for a last-place runoff, and only then")
        if len(set(self.continuing)) != len(self.continuing):
            raise ValueError("continuing names a candidate twice")

    @classmethod
    def from_json(cls, rules: Mapping[str, Any]) -> Rules:
        """Read a manifest's rules; a key this code does not know is refused rather than
        silently ignored, since it would be a rule nobody applies."""
        if not isinstance(rules, Mapping):
            raise ValueError("the rules are not a JSON object")
        unknown = sorted(set(rules) - _KEYS)
        if unknown:
            raise ValueError(f"unknown counting rules: {', '.join(unknown)}")
        blank_allowed = rules.get("blank_allowed", True)
        if not isinstance(blank_allowed, bool):
            raise ValueError("blank_allowed must be true or false")
        last_place_tie = rules.get("last_place_tie", LastPlaceTie.LOT)
        round_kind = rules.get("round_kind", RoundKind.REGULAR)
        if not isinstance(last_place_tie, str) or not isinstance(round_kind, str):
            raise ValueError("last_place_tie and round_kind must be strings")
        tie, kind = (
            _member("last_place_tie", LastPlaceTie, last_place_tie),
            _member("round_kind", RoundKind, round_kind),
        )
        continuing = rules.get("continuing", [])
        if not isinstance(continuing, list) or not all(isinstance(c, str) for c in continuing):
            raise ValueError("continuing must be a list of candidate ids")
        return cls(
            quorum=_parse_fraction(rules.get("quorum")),
            blank_allowed=blank_allowed,
            last_place_tie=tie,
            round_kind=kind,
            continuing=tuple(continuing),
        )

    def to_json(self) -> dict[str, Any]:
        """The inverse of `from_json`; the exhaustive-only keys appear when not the defaults."""
        data: dict[str, Any] = {
            "quorum": fraction_text(self.quorum) if self.quorum is not None else None,
            "blank_allowed": self.blank_allowed,
        }
        if self.last_place_tie != LastPlaceTie.LOT:
            data["last_place_tie"] = self.last_place_tie
        if self.round_kind != RoundKind.REGULAR:
            data["round_kind"] = self.round_kind
        if self.continuing:
            data["continuing"] = list(self.continuing)
        return data


def _parse_fraction(value: Any) -> Fraction | None:
    """ "n/d" as written by `fraction_text`, or null for no quorum."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError('the quorum must be a fraction such as "1/2", or null')
    if not _FRACTION.fullmatch(value):
        raise ValueError(f'the quorum «{value}» is not a fraction such as "1/2"')
    numerator, denominator = (int(part) for part in value.split("/"))
    if denominator == 0:
        raise ValueError(f"the quorum «{value}» divides by zero")
    return Fraction(numerator, denominator)
