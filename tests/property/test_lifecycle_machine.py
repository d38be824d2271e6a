"""domain/lifecycle.py against a model of docs/design.md's lifecycle, driven by hypothesis.

The model is written here, from the design, independently of the code's edge table:
draft → candidacies → frozen → open → closed → tallied; cancelled from every state
before tallied; publish once on tallied; next-round from tallied only for an exhaustive
ballot whose tally called for it, back to frozen with the next round number.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from inmc_vote.domain.errors import Conflict
from inmc_vote.domain.lifecycle import ACTION_VERBS, Action, Lifecycle, State, WrongState

MAIN_PATH = ["draft", "candidacies", "frozen", "open", "closed", "tallied"]
MAIN_ACTIONS = ["open-candidacies", "freeze", "open", "close", "tally"]


@dataclass(frozen=True)
class Model:
    """What docs/design.md says, in plain strings so that it shares nothing with the code."""

    state: str = "draft"
    round: int = 1
    published: bool = False
    exhaustive: bool = False
    tally_called_for_another_round: bool = False

    def edges(self) -> dict[str, Model]:
        found: dict[str, Model] = {}
        if self.state in MAIN_PATH[:-1]:
            index = MAIN_PATH.index(self.state)
            after = replace(self, state=MAIN_PATH[index + 1])
            if MAIN_ACTIONS[index] == "tally":
                after = replace(after, tally_called_for_another_round=False)
            found[MAIN_ACTIONS[index]] = after
            found["cancel"] = replace(self, state="cancelled")
        if self.state == "tallied":
            if not self.published:
                found["publish"] = replace(self, published=True)
            if self.exhaustive and self.tally_called_for_another_round:
                found["next-round"] = replace(
                    self,
                    state="frozen",
                    round=self.round + 1,
                    published=False,
                    tally_called_for_another_round=False,
                )
        return found


def legal_path(transitions: list[tuple[str, str, str]]) -> bool:
    """Whether (from, action, to) steps chain from draft along the design's edges."""
    state = "draft"
    for before, action, after in transitions:
        if before != state:
            return False
        main = before in MAIN_PATH[:-1] and MAIN_ACTIONS[MAIN_PATH.index(before)] == action
        if main and after != MAIN_PATH[MAIN_PATH.index(before) + 1]:
            return False
        cancel = action == "cancel" and before in MAIN_PATH[:-1] and after == "cancelled"
        publish = action == "publish" and before == after == "tallied"
        next_round = action == "next-round" and before == "tallied" and after == "frozen"
        if not (main or cancel or publish or next_round):
            return False
        state = after
    return True


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.lifecycle = Lifecycle()
        self.model = Model()
        self.transitions: list[tuple[str, str, str]] = []

    @rule(exhaustive=st.booleans())
    def choose_the_method(self, exhaustive: bool) -> None:
        """The method is a ballot setting: it may be anything when the action comes."""
        self.lifecycle = replace(self.lifecycle, successive_rounds=exhaustive)
        self.model = replace(self.model, exhaustive=exhaustive)

    @rule(calls_for_it=st.booleans())
    def the_tally_decides_on_another_round(self, calls_for_it: bool) -> None:
        """What the count of a tallied round says (set by the tally, in any state here)."""
        self.lifecycle = replace(self.lifecycle, needs_another_round=calls_for_it)
        self.model = replace(self.model, tally_called_for_another_round=calls_for_it)

    @rule(action=st.sampled_from(Action))
    def try_an_action(self, action: Action) -> None:
        before, edges = self.lifecycle, self.model.edges()
        if action.value not in edges:
            try:
                before.apply(action)
            except WrongState as refused:
                self.check_refusal(refused, action)
            else:
                raise AssertionError(f"{action} was allowed from {self.model}")
            assert self.lifecycle == before  # a refusal changes nothing
            return
        after = before.apply(action)
        expected = edges[action.value]
        assert (after.state.value, after.round, after.published) == (
            expected.state,
            expected.round,
            expected.published,
        )
        assert after.successive_rounds == before.successive_rounds
        if action in (Action.TALLY, Action.NEXT_ROUND):
            assert not after.needs_another_round
        else:
            assert after.needs_another_round == before.needs_another_round
        self.transitions.append((before.state.value, action.value, after.state.value))
        self.lifecycle = after
        self.model = replace(expected, tally_called_for_another_round=after.needs_another_round)

    def check_refusal(self, refused: WrongState, action: Action) -> None:
        assert isinstance(refused, Conflict)
        assert refused.status == 409
        state = self.lifecycle.state.value
        message = refused.message
        assert message.startswith(f"The ballot is {state}: it cannot be {ACTION_VERBS[action]}")
        allowed = sorted(self.model.edges())
        assert sorted(a.value for a in refused.allowed) == allowed
        if allowed:
            for name in allowed:
                assert ACTION_VERBS[Action(name)] in message
        else:
            assert message.endswith("no further change is possible.")
        assert refused.current is self.lifecycle.state
        assert refused.action is action

    @invariant()
    def allowed_is_the_models_set(self) -> None:
        assert sorted(a.value for a in self.lifecycle.allowed()) == sorted(self.model.edges())

    @invariant()
    def only_states_of_the_design(self) -> None:
        assert isinstance(self.lifecycle.state, State)
        assert self.lifecycle.state.value in {*MAIN_PATH, "cancelled"}
        assert self.lifecycle.state.value == self.model.state
        assert self.lifecycle.round == self.model.round >= 1
        assert self.lifecycle.published == self.model.published

    @invariant()
    def the_recorded_transitions_are_a_legal_path(self) -> None:
        assert legal_path(self.transitions)
        rounds = 1 + sum(1 for _, action, _ in self.transitions if action == "next-round")
        assert self.lifecycle.round == rounds


def test_legal_path_refuses_what_the_design_does_not_allow() -> None:
    assert legal_path([("draft", "open-candidacies", "candidacies")])
    assert not legal_path([("draft", "freeze", "frozen")])
    assert not legal_path([("candidacies", "freeze", "frozen")])
    assert not legal_path([("draft", "cancel", "cancelled"), ("cancelled", "cancel", "cancelled")])
    tallied = list(zip(MAIN_PATH[:-1], MAIN_ACTIONS, MAIN_PATH[1:], strict=True))
    assert legal_path([*tallied, ("tallied", "next-round", "frozen")])
    assert not legal_path([*tallied, ("tallied", "cancel", "cancelled")])


LifecycleMachine.TestCase.settings = settings(
    max_examples=300, stateful_step_count=40, deadline=None
)
TestLifecycleMachine = LifecycleMachine.TestCase
