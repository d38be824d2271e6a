"""The ballot's lifecycle as a pure state machine.

draft → candidacies → frozen → open → closed → tallied, and `cancelled` from every
state before tallied. An exhaustive ballot goes from a tallied round with no
absolute majority back to `frozen` for the next round. Every change of state goes
through `apply`, so that a transition the rules do not allow can never be stored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from inmc_vote.domain.errors import Conflict


class State(StrEnum):
    DRAFT = "draft"
    CANDIDACIES = "candidacies"
    FROZEN = "frozen"
    OPEN = "open"
    CLOSED = "closed"
    TALLIED = "tallied"
    CANCELLED = "cancelled"


class Action(StrEnum):
    OPEN_CANDIDACIES = "open-candidacies"
    FREEZE = "freeze"
    OPEN = "open"
    CLOSE = "close"
    TALLY = "tally"
    PUBLISH = "publish"
    NEXT_ROUND = "next-round"
    CANCEL = "cancel"


# What a person reads: "it can be opened or cancelled".
ACTION_VERBS: dict[Action, str] = {
    Action.OPEN_CANDIDACIES: "opened for candidacies",
    Action.FREEZE: "frozen",
    Action.OPEN: "opened for voting",
    Action.CLOSE: "closed",
    Action.TALLY: "tallied",
    Action.PUBLISH: "published",
    Action.NEXT_ROUND: "taken to a next round",
    Action.CANCEL: "cancelled",
}

_EDGES: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.OPEN_CANDIDACIES): State.CANDIDACIES,
    (State.CANDIDACIES, Action.FREEZE): State.FROZEN,
    (State.FROZEN, Action.OPEN): State.OPEN,
    (State.OPEN, Action.CLOSE): State.CLOSED,
    (State.CLOSED, Action.TALLY): State.TALLIED,
    (State.TALLIED, Action.PUBLISH): State.TALLIED,
    (State.TALLIED, Action.NEXT_ROUND): State.FROZEN,
}
CANCELLABLE = frozenset({State.DRAFT, State.CANDIDACIES, State.FROZEN, State.OPEN, State.CLOSED})


@dataclass(frozen=True)
class Lifecycle:
    """What the rules need to know to decide a transition."""

    state: State = State.DRAFT
    round: int = 1
    published: bool = False
    successive_rounds: bool = False  # the exhaustive method
    needs_another_round: bool = False  # set by the tally of a round with no majority

    def allowed(self) -> list[Action]:
        return [a for a in Action if self._refusal(a) is None]

    def apply(self, action: Action) -> Lifecycle:
        """Return the lifecycle after `action`, or raise Conflict saying why not."""
        refusal = self._refusal(action)
        if refusal is not None:
            raise WrongState(self, action, refusal)
        if action is Action.CANCEL:
            return replace(self, state=State.CANCELLED)
        if action is Action.PUBLISH:
            return replace(self, published=True)
        if action is Action.NEXT_ROUND:
            return replace(
                self,
                state=State.FROZEN,
                round=self.round + 1,
                published=False,
                needs_another_round=False,
            )
        if action is Action.TALLY:
            return replace(self, state=State.TALLIED, needs_another_round=False)
        return replace(self, state=_EDGES[(self.state, action)])

    def _refusal(self, action: Action) -> str | None:
        if action is Action.CANCEL:
            return None if self.state in CANCELLABLE else "not from this state"
        if (self.state, action) not in _EDGES:
            return "not from this state"
        if action is Action.PUBLISH and self.published:
            return "its results are already published"
        if action is Action.NEXT_ROUND:
            if not self.successive_rounds:
                return "only an exhaustive ballot has successive rounds"
            if not self.needs_another_round:
                return "the last round's tally did not call for another round"
        return None


class WrongState(Conflict):
    """A transition that the current state does not allow (HTTP 409)."""

    def __init__(self, lifecycle: Lifecycle, action: Action, reason: str) -> None:
        allowed = [ACTION_VERBS[a] for a in lifecycle.allowed()]
        allows = "it can be " + _join_or(allowed) if allowed else "no further change is possible"
        why = "" if reason == "not from this state" else f" ({reason})"
        super().__init__(
            f"The ballot is {lifecycle.state.value}: it cannot be "
            f"{ACTION_VERBS[action]}{why}; {allows}."
        )
        self.current = lifecycle.state
        self.action = action
        self.allowed = lifecycle.allowed()


def _join_or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def due_action(
    state: State, now: datetime, opens_at: datetime | None, closes_at: datetime | None
) -> Action | None:
    """The transition that the clock makes due, whether or not anyone presses a button."""
    if state is State.OPEN and closes_at is not None and now >= closes_at:
        return Action.CLOSE
    # A voting window that passed while nobody looked still opens, then closes: the
    # round is sealed empty rather than left frozen for ever.
    if state is State.FROZEN and opens_at is not None and now >= opens_at:
        return Action.OPEN
    return None
