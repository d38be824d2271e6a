"""domain/lifecycle.py: the edges, the messages of a refusal, and what the clock makes due."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from inmc_vote.domain.errors import Conflict
from inmc_vote.domain.lifecycle import (
    ACTION_VERBS,
    CANCELLABLE,
    Action,
    Lifecycle,
    State,
    WrongState,
    due_action,
)

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
OPENS = T0 + timedelta(days=1)
CLOSES = T0 + timedelta(days=3)


def walk(*actions: Action, **context: bool) -> Lifecycle:
    lifecycle = Lifecycle(**context)
    for action in actions:
        lifecycle = lifecycle.apply(action)
    return lifecycle


TO_TALLIED = (Action.OPEN_CANDIDACIES, Action.FREEZE, Action.OPEN, Action.CLOSE, Action.TALLY)


def test_the_main_path_goes_from_draft_to_tallied() -> None:
    states = [Lifecycle().state]
    lifecycle = Lifecycle()
    for action in TO_TALLIED:
        lifecycle = lifecycle.apply(action)
        states.append(lifecycle.state)
    assert states == [
        State.DRAFT,
        State.CANDIDACIES,
        State.FROZEN,
        State.OPEN,
        State.CLOSED,
        State.TALLIED,
    ]
    assert lifecycle.round == 1
    assert not lifecycle.published


def test_a_new_ballot_can_only_be_opened_for_candidacies_or_cancelled() -> None:
    assert Lifecycle().allowed() == [Action.OPEN_CANDIDACIES, Action.CANCEL]


@pytest.mark.parametrize("steps", range(5))
def test_cancel_is_allowed_from_every_state_before_tallied(steps: int) -> None:
    lifecycle = walk(*TO_TALLIED[:steps])
    assert lifecycle.state in CANCELLABLE
    cancelled = lifecycle.apply(Action.CANCEL)
    assert cancelled.state is State.CANCELLED
    assert cancelled.allowed() == []


def test_a_tallied_ballot_cannot_be_cancelled() -> None:
    tallied = walk(*TO_TALLIED)
    with pytest.raises(WrongState) as refused:
        tallied.apply(Action.CANCEL)
    assert refused.value.message == (
        "The ballot is tallied: it cannot be cancelled; it can be published."
    )


def test_a_refusal_is_a_409_conflict_naming_the_state_and_what_it_allows() -> None:
    with pytest.raises(WrongState) as refused:
        Lifecycle().apply(Action.OPEN)
    error = refused.value
    assert isinstance(error, Conflict)
    assert error.status == 409
    assert error.message == (
        "The ballot is draft: it cannot be opened for voting; "
        "it can be opened for candidacies or cancelled."
    )
    assert error.current is State.DRAFT
    assert error.action is Action.OPEN
    assert error.allowed == [Action.OPEN_CANDIDACIES, Action.CANCEL]


def test_a_cancelled_ballot_says_no_further_change_is_possible() -> None:
    with pytest.raises(WrongState) as refused:
        walk(Action.CANCEL).apply(Action.OPEN_CANDIDACIES)
    assert refused.value.message == (
        "The ballot is cancelled: it cannot be opened for candidacies; "
        "no further change is possible."
    )


def test_results_are_published_once() -> None:
    published = walk(*TO_TALLIED, Action.PUBLISH)
    assert published.published
    assert published.state is State.TALLIED
    with pytest.raises(WrongState) as refused:
        published.apply(Action.PUBLISH)
    assert refused.value.message == (
        "The ballot is tallied: it cannot be published "
        "(its results are already published); no further change is possible."
    )


def test_next_round_needs_the_exhaustive_method() -> None:
    tallied = walk(*TO_TALLIED, successive_rounds=False)
    with pytest.raises(WrongState) as refused:
        tallied.apply(Action.NEXT_ROUND)
    assert "(only an exhaustive ballot has successive rounds)" in refused.value.message


def test_next_round_needs_a_tally_that_called_for_it() -> None:
    tallied = walk(*TO_TALLIED, successive_rounds=True)
    assert not tallied.needs_another_round
    with pytest.raises(WrongState) as refused:
        tallied.apply(Action.NEXT_ROUND)
    assert "(the last round's tally did not call for another round)" in refused.value.message


def test_next_round_goes_back_to_frozen_with_the_next_round_number() -> None:
    tallied = replace(walk(*TO_TALLIED, successive_rounds=True), needs_another_round=True)
    tallied = tallied.apply(Action.PUBLISH)
    assert tallied.allowed() == [Action.NEXT_ROUND]
    second = tallied.apply(Action.NEXT_ROUND)
    assert (second.state, second.round, second.published, second.needs_another_round) == (
        State.FROZEN,
        2,
        False,
        False,
    )
    assert second.allowed() == [Action.OPEN, Action.CANCEL]


def test_the_tally_clears_the_previous_rounds_call_for_another_round() -> None:
    closed = Lifecycle(state=State.CLOSED, successive_rounds=True, needs_another_round=True)
    assert not closed.apply(Action.TALLY).needs_another_round


def test_every_action_has_a_verb_and_the_message_uses_or_for_two_or_more() -> None:
    assert set(ACTION_VERBS) == set(Action)
    with pytest.raises(WrongState) as refused:
        Lifecycle(state=State.FROZEN).apply(Action.CLOSE)
    assert refused.value.message.endswith("it can be opened for voting or cancelled.")


def test_apply_never_changes_the_lifecycle_it_is_called_on() -> None:
    before = Lifecycle()
    after = before.apply(Action.OPEN_CANDIDACIES)
    assert before.state is State.DRAFT
    assert after is not before


# due_action: what the clock makes due


def test_an_open_ballot_closes_at_its_closing_time() -> None:
    assert due_action(State.OPEN, CLOSES - timedelta(milliseconds=1), OPENS, CLOSES) is None
    assert due_action(State.OPEN, CLOSES, OPENS, CLOSES) is Action.CLOSE
    assert due_action(State.OPEN, CLOSES + timedelta(days=9), OPENS, CLOSES) is Action.CLOSE


def test_an_open_ballot_without_closing_time_never_closes_by_itself() -> None:
    assert due_action(State.OPEN, CLOSES + timedelta(days=999), OPENS, None) is None


def test_a_frozen_ballot_opens_at_its_opening_time() -> None:
    assert due_action(State.FROZEN, OPENS - timedelta(milliseconds=1), OPENS, CLOSES) is None
    assert due_action(State.FROZEN, OPENS, OPENS, CLOSES) is Action.OPEN
    assert due_action(State.FROZEN, OPENS, OPENS, None) is Action.OPEN


def test_a_frozen_ballot_past_its_whole_window_opens_then_closes() -> None:
    assert due_action(State.FROZEN, CLOSES, OPENS, CLOSES) is Action.OPEN
    assert due_action(State.OPEN, CLOSES, OPENS, CLOSES) is Action.CLOSE


def test_a_frozen_ballot_without_opening_time_waits_for_the_organiser() -> None:
    assert due_action(State.FROZEN, OPENS, None, CLOSES) is None


@pytest.mark.parametrize(
    "state", [State.DRAFT, State.CANDIDACIES, State.CLOSED, State.TALLIED, State.CANCELLED]
)
def test_the_clock_moves_no_other_state(state: State) -> None:
    for now in (T0, OPENS, CLOSES, CLOSES + timedelta(days=1)):
        assert due_action(state, now, OPENS, CLOSES) is None
