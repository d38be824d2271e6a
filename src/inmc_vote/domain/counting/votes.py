"""What each decrypted vote counts as: counted (with its marks), blank, or invalid with a
reason, checked against the round's method, candidates and rules."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.ballots import Method
from inmc_vote.domain.codes import InvalidReason, VerdictKind, VoteKind
from inmc_vote.domain.counting.rules import Rules

REASONS: dict[InvalidReason, str] = {
    InvalidReason.MALFORMED: "The vote is not in the expected form "
    "(a missing, wrong or extra field, an unknown version, or a value of the wrong type).",
    InvalidReason.WRONG_KIND: "The vote is of a kind this counting method does not take "
    "(for example a ranking on a single-choice ballot).",
    InvalidReason.UNKNOWN_CANDIDATE: "The vote names a candidate who is not standing in this "
    "round.",
    InvalidReason.DUPLICATE_RANK: "The ranking names the same candidate more than once.",
    InvalidReason.DUPLICATE_APPROVAL: "The vote approves the same candidate more than once.",
    InvalidReason.EMPTY: "The ranking or the list of approved candidates is empty.",
    InvalidReason.BLANK_NOT_ALLOWED: "The vote is blank, and this ballot does not allow blank "
    "votes.",
}
"""Every reason a ballot is set aside, by code, in words for the pages and the CLI."""

# The one field that carries a vote, by method.
_FIELD: dict[Method, VoteKind] = {
    Method.PLURALITY: VoteKind.CHOICE,
    Method.EXHAUSTIVE: VoteKind.CHOICE,
    Method.IRV: VoteKind.RANKING,
    Method.SCHULZE: VoteKind.RANKING,
    Method.APPROVAL: VoteKind.APPROVE,
}


@dataclass(frozen=True)
class Verdict:
    """`marks`, for a counted vote: (choice,), the ranking in order, or the approved
    candidates in candidate order (so equal approvals are equal marks)."""

    kind: VerdictKind
    reason: InvalidReason | None = None
    marks: tuple[str, ...] = ()


BLANK = Verdict(VerdictKind.BLANK)
_INVALID = {code: Verdict(VerdictKind.INVALID, code) for code in InvalidReason}

# `classify` runs once a ballot: it uses these names, as looking a member up on its enum
# class costs several times a comparison.
_CHOICE, _RANKING, _APPROVE = VoteKind.CHOICE, VoteKind.RANKING, VoteKind.APPROVE
_BLANK_KIND, _COUNTED = VoteKind.BLANK, VerdictKind.COUNTED
_LISTS = (VoteKind.RANKING, VoteKind.APPROVE)
_MALFORMED = _INVALID[InvalidReason.MALFORMED]


def invalid(reason: InvalidReason | str) -> Verdict:
    """An invalid ballot, for one of `InvalidReason` (the caller's own: malformed, for a
    decrypted point that is no vote payload)."""
    try:
        return _INVALID[InvalidReason(reason)]
    except ValueError:
        raise ValueError(f"«{reason}» is not a reason code; see REASONS") from None


def field_for(method: str) -> VoteKind:
    """The vote field a method reads: choice, ranking or approve."""
    return _FIELD[Method(method)]


def classify(vote: Any, method: str, candidates: Sequence[str], rules: Rules) -> Verdict:
    """Check one decoded vote plaintext. The first reason that applies wins, in this order:
    malformed, blank-not-allowed, wrong-kind, empty, unknown-candidate, duplicate-*."""
    field, known, index = _round(method, tuple(candidates))
    if type(vote) is not dict or len(vote) != 2 or "v" not in vote:
        return _MALFORMED
    version = vote["v"]
    if type(version) is not int or version != 1:  # not True, not 1.0
        return _MALFORMED
    (kind,) = (key for key in vote if key != "v")
    value = vote[kind]
    if kind == _BLANK_KIND:
        if value is not True:
            return _MALFORMED
        return BLANK if rules.blank_allowed else _INVALID[InvalidReason.BLANK_NOT_ALLOWED]
    if kind == _CHOICE:
        if type(value) is not str:
            return _MALFORMED
        marks: tuple[str, ...] = (value,)
    elif kind in _LISTS:
        if type(value) is not list or not _STR.issuperset(map(type, value)):
            return _MALFORMED
        marks = tuple(value)
    else:
        return _MALFORMED
    if kind != field:
        return _INVALID[InvalidReason.WRONG_KIND]
    if not marks:
        return _INVALID[InvalidReason.EMPTY]
    if not known.issuperset(marks):
        return _INVALID[InvalidReason.UNKNOWN_CANDIDATE]
    if len(marks) > 1 and len(set(marks)) != len(marks):
        if kind == _RANKING:
            return _INVALID[InvalidReason.DUPLICATE_RANK]
        return _INVALID[InvalidReason.DUPLICATE_APPROVAL]
    if kind == _APPROVE:
        marks = tuple(sorted(marks, key=index.__getitem__))
    return Verdict(_COUNTED, None, marks)


_STR = frozenset({str})


@functools.lru_cache(maxsize=16)
def _round(
    method: str, candidates: tuple[str, ...]
) -> tuple[VoteKind, frozenset[str], dict[str, int]]:
    """What classifying against one round needs, made once per round rather than per vote."""
    index = {candidate: position for position, candidate in enumerate(candidates)}
    return field_for(method), frozenset(candidates), index
