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

from inmc_vote.domain.errors import N_, Choices, Conflict


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


# A state as a refusal names it ("The ballot is frozen: …", its `state` field): marked so
# that the web layer translates it with the sentence.
STATE_NAMES = (
    # Translators: a ballot's state, as in "The ballot is {state}: …".
    N_("draft"),
    # Translators: a ballot's state (open for candidacies), as in "The ballot is {state}: …".
    N_("candidacies"),
    N_("frozen"),
    N_("open"),
    N_("closed"),
    N_("tallied"),
    N_("cancelled"),
)

# What a person reads: "it can be opened or cancelled".
ACTION_VERBS: dict[Action, str] = {
    Action.OPEN_CANDIDACIES: N_("opened for candidacies"),
    Action.FREEZE: N_("frozen"),
    Action.OPEN: N_("opened for voting"),
    Action.CLOSE: N_("closed"),
    Action.TALLY: N_("tallied"),
    Action.PUBLISH: N_("published"),
    Action.NEXT_ROUND: N_("taken to a next round"),
    Action.CANCEL: N_("cancelled"),
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
_NOT_FROM_HERE = "not from this state"
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
            return None if self.state in CANCELLABLE else _NOT_FROM_HERE
        if (self.state, action) not in _EDGES:
            return _NOT_FROM_HERE
        if action is Action.PUBLISH and self.published:
            return N_("its results are already published")
        if action is Action.NEXT_ROUND:
            if not self.successive_rounds:
                return N_("only an exhaustive ballot has successive rounds")
            if not self.needs_another_round:
                return N_("the last round's tally did not call for another round")
        return None


class WrongState(Conflict):
    """A transition that the current state does not allow (HTTP 409)."""

    def __init__(self, lifecycle: Lifecycle, action: Action, reason: str) -> None:
        allowed = Choices(ACTION_VERBS[a] for a in lifecycle.allowed())
        state, verb = lifecycle.state.value, ACTION_VERBS[action]
        if reason == _NOT_FROM_HERE and allowed:
            super().__init__(
                N_("The ballot is {state}: it cannot be {verb}; it can be {allowed}."),
                state=state,
                verb=verb,
                allowed=allowed,
            )
        elif reason == _NOT_FROM_HERE:
            super().__init__(
                N_("The ballot is {state}: it cannot be {verb}; no further change is possible."),
                state=state,
                verb=verb,
            )
        elif allowed:
            super().__init__(
                N_("The ballot is {state}: it cannot be {verb} ({reason}); it can be {allowed}."),
                state=state,
                verb=verb,
                reason=reason,
                allowed=allowed,
            )
        else:
            super().__init__(
                N_(
                    "The ballot is {state}: it cannot be {verb} ({reason}); no further change "
                    "is possible."
                ),
                state=state,
                verb=verb,
                reason=reason,
            )
        self.current = lifecycle.state
        self.action = action
        self.allowed = lifecycle.allowed()


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
