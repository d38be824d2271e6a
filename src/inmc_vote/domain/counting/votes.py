"""What each decrypted vote counts as: counted (with its marks), blank, or invalid with a
reason, checked against the round's method, candidates and rules."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.ballots import Method
from inmc_vote.domain.counting.rules import Rules

REASONS: dict[str, str] = {
    "undecryptable": "The ballot could not be decrypted with the tally key.",
    "malformed": "The vote is not in the expected form "
    "(a missing, wrong or extra field, an unknown version, or a value of the wrong type).",
    "wrong-kind": "The vote is of a kind this counting method does not take "
    "(for example a ranking on a single-choice ballot).",
    "unknown-candidate": "The vote names a candidate who is not standing in this round.",
    "duplicate-rank": "The ranking names the same candidate more than once.",
    "duplicate-approval": "The vote approves the same candidate more than once.",
    "empty": "The ranking or the list of approved candidates is empty.",
    "blank-not-allowed": "The vote is blank, and this ballot does not allow blank votes.",
}
"""Every reason a ballot is set aside, by code, in words for the pages and the CLI."""

# The one field that carries a vote, by method.
_FIELD: dict[Method, str] = {
    Method.PLURALITY: "choice",
    Method.EXHAUSTIVE: "choice",
    Method.IRV: "ranking",
    Method.SCHULZE: "ranking",
    Method.APPROVAL: "approve",
}


@dataclass(frozen=True)
class Verdict:
    """`marks`, for a counted vote: (choice,), the ranking in order, or the approved
    candidates in candidate order (so equal approvals are equal marks)."""

    kind: str
    reason: str | None = None
    marks: tuple[str, ...] = ()


BLANK = Verdict("blank")
_INVALID = {code: Verdict("invalid", code) for code in REASONS}


def invalid(reason: str) -> Verdict:
    """An invalid ballot, for one of `REASONS` (the caller's own: "undecryptable", "malformed")."""
    try:
        return _INVALID[reason]
    except KeyError:
        raise ValueError(f"«{reason}» is not a reason code; see REASONS") from None


def field_for(method: str) -> str:
    """The vote field a method reads: "choice", "ranking" or "approve"."""
    return _FIELD[Method(method)]


def classify(vote: Any, method: str, candidates: Sequence[str], rules: Rules) -> Verdict:
    """Check one decoded vote plaintext. The first reason that applies wins, in this order:
    malformed, blank-not-allowed, wrong-kind, empty, unknown-candidate, duplicate-*."""
    field, known, index = _round(method, tuple(candidates))
    if type(vote) is not dict or len(vote) != 2 or "v" not in vote:
        return _INVALID["malformed"]
    version = vote["v"]
    if type(version) is not int or version != 1:  # not True, not 1.0
        return _INVALID["malformed"]
    (kind,) = (key for key in vote if key != "v")
    value = vote[kind]
    if kind == "blank":
        if value is not True:
            return _INVALID["malformed"]
        return BLANK if rules.blank_allowed else _INVALID["blank-not-allowed"]
    if kind == "choice":
        if type(value) is not str:
            return _INVALID["malformed"]
        marks: tuple[str, ...] = (value,)
    elif kind in ("ranking", "approve"):
        if type(value) is not list or not _STR.issuperset(map(type, value)):
            return _INVALID["malformed"]
        marks = tuple(value)
    else:
        return _INVALID["malformed"]
    if kind != field:
        return _INVALID["wrong-kind"]
    if not marks:
        return _INVALID["empty"]
    if not known.issuperset(marks):
        return _INVALID["unknown-candidate"]
    if len(marks) > 1 and len(set(marks)) != len(marks):
        return _INVALID["duplicate-rank" if kind == "ranking" else "duplicate-approval"]
    if kind == "approve":
        marks = tuple(sorted(marks, key=index.__getitem__))
    return Verdict("counted", None, marks)


_STR = frozenset({str})


@functools.lru_cache(maxsize=16)
def _round(method: str, candidates: tuple[str, ...]) -> tuple[str, frozenset[str], dict[str, int]]:
    """What classifying against one round needs, made once per round rather than per vote."""
    index = {candidate: position for position, candidate in enumerate(candidates)}
    return field_for(method), frozenset(candidates), index
