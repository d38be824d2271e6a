"""The organiser's checklist: a ballot's lifecycle as steps done, the next one, and the
later ones, each with its deadline if it has one.

Nothing of it is stored: it is derived, every time, from the ballot's state and a few
facts read from the database (services/queries/checklist.py), so it can never disagree
with what the ballot is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from inmc_vote.domain.lifecycle import State


class Step(StrEnum):
    CITIES = "cities"
    BALLOT = "ballot"
    LINKS = "links"
    CANDIDACIES = "candidacies"
    CEREMONY = "ceremony"
    FREEZE = "freeze"
    TOKENS = "tokens"
    OPEN = "open"
    CLOSE = "close"
    MIX = "mix"
    DECRYPT = "decrypt"
    TALLY = "tally"
    PUBLISH = "publish"


class Status(StrEnum):
    DONE = "done"
    NEXT = "next"
    LATER = "later"
    PASSED = "passed"  # not done, and the ballot went past it (links never sent, say)


@dataclass(frozen=True)
class Facts:
    state: State
    round: int
    published: bool
    active_cities: int
    links_made: bool
    ceremony_complete: bool
    tokens_issued: bool
    shuffles_in: bool  # the current round's shuffles the tally needs (or nothing to mix)
    decryptions_in: bool
    candidacy_deadline_passed: bool = False
    candidacy_deadline: datetime | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None


@dataclass(frozen=True)
class Item:
    step: Step
    status: Status
    deadline: datetime | None = None


_AFTER_FREEZE = frozenset({State.FROZEN, State.OPEN, State.CLOSED, State.TALLIED})
_VOTING_STARTED = frozenset({State.OPEN, State.CLOSED, State.TALLIED})
_VOTING_OVER = frozenset({State.CLOSED, State.TALLIED})


def _done(f: Facts) -> dict[Step, bool]:
    tallied = f.state is State.TALLIED
    return {
        Step.CITIES: f.active_cities > 0,
        Step.BALLOT: True,
        Step.LINKS: f.links_made,
        Step.CANDIDACIES: f.state in _AFTER_FREEZE
        or f.round > 1
        or (f.state is State.CANDIDACIES and f.candidacy_deadline_passed),
        Step.CEREMONY: f.ceremony_complete,
        Step.FREEZE: f.state in _AFTER_FREEZE,
        Step.TOKENS: f.tokens_issued or f.state in _VOTING_STARTED,
        Step.OPEN: f.state in _VOTING_STARTED,
        Step.CLOSE: f.state in _VOTING_OVER,
        Step.MIX: tallied or (f.state is State.CLOSED and f.shuffles_in),
        Step.DECRYPT: tallied or (f.state is State.CLOSED and f.decryptions_in),
        Step.TALLY: tallied,
        Step.PUBLISH: tallied and f.published,
    }


def _deadline(step: Step, f: Facts) -> datetime | None:
    return {
        Step.CANDIDACIES: f.candidacy_deadline,
        Step.OPEN: f.opens_at,
        Step.CLOSE: f.closes_at,
    }.get(step)


def checklist(f: Facts) -> list[Item]:
    """Every step in order: done, passed (skipped, and too late now), the first one not
    done (next), then later. A cancelled ballot has no next step."""
    done = _done(f)
    steps = list(Step)
    last_done = max((i for i, s in enumerate(steps) if done[s]), default=-1)
    items = []
    next_given = f.state is State.CANCELLED
    for i, step in enumerate(steps):
        if done[step]:
            status = Status.DONE
        elif i < last_done and step in (Step.LINKS, Step.CEREMONY):
            status = Status.PASSED
        elif not next_given:
            status, next_given = Status.NEXT, True
        else:
            status = Status.LATER
        items.append(Item(step, status, _deadline(step, f)))
    return items


def next_step(items: list[Item]) -> Step | None:
    return next((i.step for i in items if i.status is Status.NEXT), None)
