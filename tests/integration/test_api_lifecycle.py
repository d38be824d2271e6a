"""Lifecycle through the API: every wrong transition is a 409 that says what is allowed,
freezing checks its conditions, and the clock opens and closes a ballot by itself."""

from __future__ import annotations

from typing import Any

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions
from tests import factories as f
from tests.conftest import FakeClock

BALLOTS = "/api/v1/ballots"
ACTIONS = ["open-candidacies", "freeze", "open", "close", "cancel"]


def post(client: f.Client, key: dict[str, str], ballot_id: str, action: str, **body: Any) -> Any:
    return client.post(f"{BALLOTS}/{ballot_id}/{action}", json=body or None, headers=key)


def events(client: f.Client, ballot_id: str) -> list[dict[str, Any]]:
    return client.get(f"{BALLOTS}/{ballot_id}/events").json()


def frozen_ballot(client: f.Client, clock: FakeClock) -> str:
    """A frozen ballot with its tokens issued (opens at START + 10 days, closes at + 20);
    the clock at + 8 days."""
    ballot, _ = f.ready_to_freeze(client, clock, n_cities=3)
    f.act(client, clock, ballot.id, Action.FREEZE)
    f.issue_tokens(client, clock, ballot.id)  # a ballot opens only once its tokens are issued
    return ballot.id


def in_state(client: f.Client, clock: FakeClock, state: str) -> str:
    if state == "draft":
        return f.ballot(client, clock).id
    if state == "candidacies":
        ballot = f.ballot(client, clock)
        f.act(client, clock, ballot.id, Action.OPEN_CANDIDACIES)
        return ballot.id
    ballot_id = frozen_ballot(client, clock)
    if state in ("open", "closed"):
        clock.advance(days=2)  # past opens_at: the clock opens it
        assert client.get(f"{BALLOTS}/{ballot_id}").json()["state"] == "open"
    if state == "closed":
        f.act(client, clock, ballot_id, Action.CLOSE, "Everyone has voted")
    if state == "cancelled":
        f.act(client, clock, ballot_id, Action.CANCEL, "Postponed")
    return ballot_id


ALLOWS = {
    "draft": "it can be opened for candidacies or cancelled",
    "candidacies": "it can be frozen or cancelled",
    "frozen": "it can be opened for voting or cancelled",
    "open": "it can be closed or cancelled",
    "cancelled": "no further change is possible",
}
WRONG = {
    "draft": ["freeze", "open", "close"],
    "candidacies": ["open-candidacies", "open", "close"],
    "frozen": ["open-candidacies", "freeze", "close"],
    "open": ["open-candidacies", "freeze", "open"],
    "cancelled": ACTIONS,
}
VERBS = {
    "open-candidacies": "opened for candidacies",
    "freeze": "frozen",
    "open": "opened for voting",
    "close": "closed",
    "cancel": "cancelled",
}


@pytest.mark.both_databases  # a refusal proven by snapshot()
@pytest.mark.parametrize("state", list(WRONG))
def test_every_wrong_transition_is_a_409_naming_the_state_and_what_it_allows(
    client: f.Client, clock: FakeClock, state: str
) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id = in_state(client, clock, state)
    shown = client.get(f"{BALLOTS}/{ballot_id}").json()
    assert shown["state"] == state
    before = f.snapshot_of(client)
    for action in WRONG[state]:
        detail = f.problem(post(client, key, ballot_id, action, reason="A reason"), 409)
        assert detail == (
            f"The ballot is {state}: it cannot be {VERBS[action]}; {ALLOWS[state]}."
        ), action
    assert f.snapshot_of(client) == before
    allowed = {"draft": 2, "candidacies": 2, "frozen": 2, "open": 2, "cancelled": 0}[state]
    assert len(shown["allowed_actions"]) == allowed


def test_the_whole_way_through_the_api(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    towns = f.member_cities(client, clock, 3)
    ballot_id = client.post(BALLOTS, json=f.ballot_body(clock, opens_at=None), headers=key).json()[
        "id"
    ]
    assert post(client, key, ballot_id, "open-candidacies").json()["state"] == "candidacies"
    for town in towns[:2]:
        f.candidacy(client, clock, ballot_id, town, accept=True)
    clock.advance(days=8)
    f.complete_ceremony(client, ballot_id)  # the trustees' key ceremony (test_api_ceremony.py)
    frozen = post(client, key, ballot_id, "freeze")
    assert frozen.status_code == 200, frozen.text
    assert frozen.json()["allowed_actions"] == ["open", "cancel"]
    issued = client.post(f"{BALLOTS}/{ballot_id}/tokens", headers=key)
    assert issued.status_code == 201, issued.text
    opened = post(client, key, ballot_id, "open")  # no opening time: opened by hand
    assert opened.status_code == 200, opened.text
    assert opened.json()["state"] == "open"
    last = events(client, ballot_id)[-1]
    assert last["action"] == "open"
    assert last["data"] == {"from": "frozen", "to": "open", "round": 1, "opened_by_hand": True}


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_freeze_refuses_before_the_deadline(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    towns = f.member_cities(client, clock, 3)
    ballot_id = in_state(client, clock, "candidacies")
    for town in towns[:2]:
        f.candidacy(client, clock, ballot_id, town, accept=True)
    before = f.snapshot_of(client)
    detail = f.problem(post(client, key, ballot_id, "freeze"), 409)
    assert detail == (
        "The candidacy deadline (18 January 2027, 10:00 (Europe/Paris, UTC+1)) has not passed: "
        "cities may "
        "still apply. Move the deadline earlier to freeze now."
    )
    assert f.snapshot_of(client) == before


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_freeze_refuses_while_candidacies_wait_for_a_decision(
    client: f.Client, clock: FakeClock
) -> None:
    key = f.bearer(f.account(client, clock))
    towns = f.member_cities(client, clock, 4)
    ballot_id = in_state(client, clock, "candidacies")
    f.candidacy(client, clock, ballot_id, towns[0], accept=True)
    f.candidacy(client, clock, ballot_id, towns[1], accept=True)
    f.candidacy(client, clock, ballot_id, towns[2])
    f.candidacy(client, clock, ballot_id, towns[3])
    clock.advance(days=8)
    before = f.snapshot_of(client)
    detail = f.problem(post(client, key, ballot_id, "freeze"), 409)
    assert detail == (
        "Decide on every candidacy first: City 3, City 4 are still waiting to be accepted "
        "or rejected."
    )
    assert f.snapshot_of(client) == before


@pytest.mark.both_databases  # a refusal proven by snapshot()
@pytest.mark.parametrize("accepted", [0, 1])
def test_freeze_refuses_with_fewer_than_two_accepted_candidacies(
    client: f.Client, clock: FakeClock, accepted: int
) -> None:
    key = f.bearer(f.account(client, clock))
    towns = f.member_cities(client, clock, 3)
    ballot_id = in_state(client, clock, "candidacies")
    for town in towns[:accepted]:
        f.candidacy(client, clock, ballot_id, town, accept=True)
    f.candidacy(client, clock, ballot_id, towns[2], accept=False)
    clock.advance(days=8)
    before = f.snapshot_of(client)
    detail = f.problem(post(client, key, ballot_id, "freeze"), 409)
    assert detail == (
        "A ballot needs at least 2 accepted candidacies from active member cities to be "
        f"frozen; it has {accepted}."
    )
    assert f.snapshot_of(client) == before


def test_a_suspended_candidate_city_does_not_count_at_freeze(
    client: f.Client, clock: FakeClock
) -> None:
    key = f.bearer(f.account(client, clock))
    ballot, towns = f.ready_to_freeze(client, clock, n_cities=3)
    client.post(f"/api/v1/cities/{towns[0].id}/suspend", headers=key)
    assert "it has 1." in f.problem(post(client, key, ballot.id, "freeze"), 409)


@pytest.mark.both_databases  # a refusal proven by snapshot()
@pytest.mark.parametrize("state", ["draft", "candidacies", "frozen", "open", "closed"])
def test_cancel_needs_a_reason(client: f.Client, clock: FakeClock, state: str) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id = in_state(client, clock, state)
    before = f.snapshot_of(client)
    for body in ({}, {"reason": "   "}):
        detail = f.problem(post(client, key, ballot_id, "cancel", **body), 422)
        assert detail == "Cancelling a ballot needs a reason; it is shown on the ballot's page."
    assert f.snapshot_of(client) == before
    cancelled = post(client, key, ballot_id, "cancel", reason="  The network postponed it. ")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "The network postponed it."
    assert cancelled.json()["allowed_actions"] == []
    last = events(client, ballot_id)[-1]
    assert last["action"] == "cancel"
    assert last["data"]["reason"] == "The network postponed it."
    assert last["data"]["from"] == state


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_an_early_close_needs_a_reason(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id = in_state(client, clock, "open")
    before = f.snapshot_of(client)
    detail = f.problem(post(client, key, ballot_id, "close"), 422)
    assert detail.startswith(
        "Closing before the scheduled time (31 January 2027, 10:00 (Europe/Paris, UTC+1)"
    )
    assert "needs a reason" in detail
    assert f.snapshot_of(client) == before
    closed = post(client, key, ballot_id, "close", reason="All cities have voted")
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed"
    last = events(client, ballot_id)[-1]
    assert last["actor"].startswith("organiser:")
    seal = last["data"].pop("seal")  # closing seals the (empty) board
    assert seal["count"] == 0
    assert last["data"] == {
        "from": "open",
        "to": "closed",
        "round": 1,
        "early": True,
        "reason": "All cities have voted",
    }


def test_opening_by_hand_before_the_opening_time_is_refused(
    client: f.Client, clock: FakeClock
) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id = frozen_ballot(client, clock)
    detail = f.problem(post(client, key, ballot_id, "open"), 409)
    assert detail == (
        "Voting is scheduled to open at 21 January 2027, 10:00 (Europe/Paris, UTC+1); it will "
        "open by "
        "itself then."
    )


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_the_clock_opens_and_closes_the_ballot_by_itself(
    client: f.Client, clock: FakeClock
) -> None:
    ballot_id = frozen_ballot(client, clock)
    url = f"{BALLOTS}/{ballot_id}"
    clock.advance(days=2)  # 2027-01-21 09:00 UTC: opens_at
    assert clock() == f.ballot_form(FakeClock()).opens_at
    assert client.get(url).json()["state"] == "open"
    opened = events(client, ballot_id)[-1]
    assert opened["actor"] == "schedule:clock"
    assert opened["action"] == "open"
    assert opened["at"] == "2027-01-21T09:00:00.000Z"
    assert opened["data"] == {
        "from": "frozen",
        "to": "open",
        "round": 1,
        "due_at": "2027-01-21T09:00:00.000Z",
    }

    clock.advance(days=10, seconds=30)  # just past closes_at; the background task's run
    assert f.call(client, actions.schedule.catch_up_all, f.db(client), clock()) == 1
    closed = events(client, ballot_id)[-1]
    assert closed["actor"] == "schedule:clock"
    assert closed["action"] == "close"
    assert closed["data"]["due_at"] == "2027-01-31T09:00:00.000Z"
    before = f.snapshot_of(client)
    assert client.get(url).json()["state"] == "closed"
    assert f.snapshot_of(client) == before  # the background run did it all; a read adds nothing
    assert [e["action"] for e in events(client, ballot_id)][-2:] == ["open", "close"]


def test_a_late_action_sees_the_clock_first(client: f.Client, clock: FakeClock) -> None:
    """Nobody read the ballot when it opened: the next action applies the clock first."""
    key = f.bearer(f.account(client, clock))
    ballot_id = frozen_ballot(client, clock)
    clock.advance(days=3)
    refused = post(client, key, ballot_id, "open")
    assert f.problem(refused, 409).startswith("The ballot is open: it cannot be opened for voting")
    assert client.get(f"{BALLOTS}/{ballot_id}").json()["state"] == "open"
    log = [(e["actor"], e["action"]) for e in events(client, ballot_id)]
    assert log[-2:] == [
        ("organiser:organiser@example.org", "tokens-issued"),
        ("schedule:clock", "open"),
    ]


@pytest.mark.both_databases  # a refusal proven by snapshot()
@pytest.mark.parametrize("action", ["publish", "next-round"])
def test_a_closed_ballot_is_tallied_before_anything_else(
    client: f.Client, clock: FakeClock, action: str
) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id = in_state(client, clock, "closed")
    shown = client.get(f"{BALLOTS}/{ballot_id}").json()
    assert shown["allowed_actions"] == ["tally", "cancel"]
    before = f.snapshot_of(client)
    detail = f.problem(post(client, key, ballot_id, action), 409)
    assert detail.startswith("The ballot is closed: it cannot be ")
    assert detail.endswith("; it can be tallied or cancelled.")
    assert f.snapshot_of(client) == before


def test_an_unknown_ballot_is_404_for_every_action(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    for action in ACTIONS:
        assert "no ballot «nope»" in f.problem(post(client, key, "nope", action, reason="x"), 404)
