"""The ballots API: create, read, list, edit until frozen, and the hash-chained event log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from inmc_vote.domain.protocol.encoding import from_b64url
from inmc_vote.domain.protocol.events import Event, verify_chain
from tests import factories as f
from tests.conftest import FakeClock

BALLOTS = "/api/v1/ballots"


def chain_problem(ballot_id: str, events: list[dict[str, Any]]) -> str | None:
    """What `verify_chain` finds wrong with the event log as the API shows it."""
    entries = [
        (
            Event(e["seq"], e["at"], e["actor"], e["action"], e["data"]),
            from_b64url(e["prev"]),
            from_b64url(e["hash"]),
        )
        for e in events
    ]
    return verify_chain(ballot_id, entries)


def test_create_get_and_list(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    body = f.ballot_body(clock, quorum="2/4", description="  The 2029 meetings.  ")
    created = client.post(BALLOTS, json=body, headers=key)
    assert created.status_code == 201, created.text
    ballot = created.json()
    assert ballot["state"] == "draft"
    assert ballot["round"] == 1
    assert ballot["title"] == body["title"]
    assert ballot["description"] == "The 2029 meetings."
    assert ballot["rules"] == {"quorum": "1/2", "blank_allowed": True, "last_place_tie": "lot"}
    assert ballot["timezone"] == "Europe/Paris"
    assert ballot["allowed_actions"] == ["open-candidacies", "cancel"]
    assert ballot["candidates"] == []

    fetched = client.get(f"{BALLOTS}/{ballot['id']}")  # a public read
    assert fetched.status_code == 200
    assert fetched.json() == ballot

    clock.advance(minutes=1)
    second = client.post(BALLOTS, json=f.ballot_body(clock, title="Second"), headers=key).json()
    listed = client.get(BALLOTS)
    assert listed.status_code == 200
    assert [b["id"] for b in listed.json()] == [second["id"], ballot["id"]]  # newest first


def test_times_keep_their_instant_whatever_their_zone(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    body = f.ballot_body(
        clock,
        candidacy_deadline="2027-01-20T18:00:00+01:00",
        opens_at="2027-01-25T08:00:00Z",
        closes_at="2027-02-01T09:00:00-05:00",
    )
    ballot = client.post(BALLOTS, json=body, headers=key).json()
    fetched = client.get(f"{BALLOTS}/{ballot['id']}").json()
    assert fetched["candidacy_deadline"].startswith("2027-01-20T17:00:00")
    assert fetched["opens_at"].startswith("2027-01-25T08:00:00")
    assert fetched["closes_at"].startswith("2027-02-01T14:00:00")


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_time_without_its_zone_is_refused(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    before = f.snapshot_of(client)
    for field in ["candidacy_deadline", "opens_at", "closes_at"]:
        body = f.ballot_body(clock)
        body[field] = body[field][:19]  # 2027-01-18T09:00:00, no offset
        detail = f.problem(client.post(BALLOTS, json=body, headers=key), 422)
        assert "needs its time zone, as in 2027-03-01T12:00:00+01:00" in detail, field
    assert f.snapshot_of(client) == before


def test_an_opening_or_closing_time_in_the_past_is_refused(
    client: f.Client, clock: FakeClock
) -> None:
    key = f.bearer(f.account(client, clock))
    past = (clock() - timedelta(hours=1)).isoformat()
    no_deadline = f.ballot_body(clock, candidacy_deadline=None)
    body = {**no_deadline, "opens_at": past}
    refused = client.post(BALLOTS, json=body, headers=key)
    assert f.problem(refused, 422) == "The opening time is in the past."
    body = {**no_deadline, "opens_at": None, "closes_at": past}
    refused = client.post(BALLOTS, json=body, headers=key)
    assert f.problem(refused, 422) == "The closing time is in the past."


def test_a_candidacy_deadline_in_the_past_is_allowed(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    past = (clock() - timedelta(days=1)).isoformat()
    created = client.post(BALLOTS, json=f.ballot_body(clock, candidacy_deadline=past), headers=key)
    assert created.status_code == 201, created.text


def test_the_deadline_opening_and_closing_come_in_order(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))  # the default deadline is in 7 days, opening in 10

    def days(n: int) -> str:
        return (clock() + timedelta(days=n)).isoformat()

    for overrides, expected in [
        ({"opens_at": days(6)}, "The opening time must come after the candidacy deadline."),
        ({"opens_at": days(7)}, "The opening time must come after the candidacy deadline."),
        ({"closes_at": days(9)}, "The closing time must come after the opening time."),
        ({"closes_at": days(10)}, "The closing time must come after the opening time."),
        (
            {"opens_at": None, "closes_at": days(7)},
            "The closing time must come after the candidacy deadline.",
        ),
    ]:
        refused = client.post(BALLOTS, json=f.ballot_body(clock, **overrides), headers=key)
        assert f.problem(refused, 422) == expected, overrides


def test_bad_settings_are_refused(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    for overrides, expected in [
        ({"method": "borda"}, "«borda» is not a counting method"),
        ({"timezone": "Mars/Olympus"}, "«Mars/Olympus» is not a time zone name"),
        ({"quorum": "half"}, "The quorum «half» should be a fraction"),
        ({"quorum": "3/2"}, "The quorum must be more than 0 and at most 1"),
        ({"title": "  "}, "The ballot needs a title."),
        ({"question": ""}, "The ballot needs a question"),
    ]:
        refused = client.post(BALLOTS, json=f.ballot_body(clock, **overrides), headers=key)
        assert expected in f.problem(refused, 422), overrides


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_edit_until_frozen_then_409(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    ballot = client.post(BALLOTS, json=f.ballot_body(clock), headers=key).json()
    url = f"{BALLOTS}/{ballot['id']}"
    edited = client.put(
        url, json=f.ballot_body(clock, title="Host city 2029 (draft 2)"), headers=key
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "Host city 2029 (draft 2)"

    towns = f.member_cities(client, clock, 3)
    client.post(f"{url}/open-candidacies", headers=key)
    later = f.ballot_body(clock, title="Host city 2029", method="schulze")
    edited = client.put(url, json=later, headers=key)
    assert edited.status_code == 200, edited.text
    assert edited.json()["method"] == "schulze"
    assert edited.json()["state"] == "candidacies"

    for town in towns[:2]:
        f.candidacy(client, clock, ballot["id"], town, accept=True)
    clock.advance(days=8)
    f.complete_ceremony(client, ballot["id"])
    assert client.post(f"{url}/freeze", headers=key).status_code == 200
    before = f.snapshot_of(client)
    refused = client.put(url, json=f.ballot_body(clock, title="Too late"), headers=key)
    assert f.problem(refused, 409) == (
        "The ballot is frozen: its settings were fixed when it was frozen."
    )
    assert f.snapshot_of(client) == before


@pytest.mark.both_databases  # the event log
def test_an_edit_that_changes_nothing_records_nothing(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    body = f.ballot_body(clock)
    ballot = client.post(BALLOTS, json=body, headers=key).json()
    assert client.put(f"{BALLOTS}/{ballot['id']}", json=body, headers=key).status_code == 200
    events = client.get(f"{BALLOTS}/{ballot['id']}/events").json()
    assert [e["action"] for e in events] == ["create"]


@pytest.mark.both_databases  # the event log
def test_the_event_log_is_a_valid_chain_that_says_who_did_what(
    client: f.Client, clock: FakeClock
) -> None:
    organiser = f.account(client, clock)
    key = f.bearer(organiser)
    (town,) = f.member_cities(client, clock, 1)
    body = f.ballot_body(clock)
    ballot = client.post(BALLOTS, json=body, headers=key).json()
    url = f"{BALLOTS}/{ballot['id']}"
    clock.advance(minutes=5)
    client.put(url, json={**body, "title": "Renamed", "quorum": "1/2"}, headers=key)
    clock.advance(minutes=5)
    client.post(f"{url}/open-candidacies", headers=key)
    f.candidacy(client, clock, ballot["id"], town)

    response = client.get(f"{url}/events")  # a public read
    assert response.status_code == 200
    events = response.json()
    assert chain_problem(ballot["id"], events) is None
    me = f"organiser:{organiser.email}"
    assert [(e["seq"], e["actor"], e["action"]) for e in events] == [
        (1, me, "create"),
        (2, me, "edit"),
        (3, me, "open-candidacies"),
        (4, f"city:{town.slug}", "candidacy-submitted"),
    ]
    assert events[0]["at"] == "2027-01-11T09:00:00.000Z"
    assert events[1]["at"] == "2027-01-11T09:05:00.000Z"
    assert events[0]["data"]["title"] == "Host city 2029"
    assert events[0]["data"]["rules"] == {
        "quorum": None,
        "blank_allowed": True,
        "last_place_tie": "lot",
    }
    assert events[1]["data"] == {
        "title": "Renamed",
        "rules": {"quorum": "1/2", "blank_allowed": True, "last_place_tie": "lot"},
    }
    assert events[2]["data"] == {"from": "draft", "to": "candidacies", "round": 1}

    # The check has teeth: any change to a recorded event breaks the chain.
    tampered = [dict(e) for e in events]
    tampered[1]["data"] = {**tampered[1]["data"], "title": "Something else"}
    assert chain_problem(ballot["id"], tampered) == "entry 2 does not match its hash"
    assert chain_problem(ballot["id"], events[1:]) is not None
    assert chain_problem("another-ballot", events) is not None


def test_unknown_ballot_is_404(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    assert "no ballot «nope»" in f.problem(client.get(f"{BALLOTS}/nope"), 404)
    assert f.problem(client.get(f"{BALLOTS}/nope/events"), 404)
    assert f.problem(client.put(f"{BALLOTS}/nope", json=f.ballot_body(clock), headers=key), 404)


@pytest.mark.both_databases  # the event log
def test_an_action_through_the_api_is_recorded_under_the_key_holder(
    client: f.Client, clock: FakeClock
) -> None:
    first = f.account(client, clock)
    second = f.account(client, clock, "second@example.org")
    ballot = client.post(BALLOTS, json=f.ballot_body(clock), headers=f.bearer(first)).json()
    client.post(
        f"{BALLOTS}/{ballot['id']}/cancel", json={"reason": "Test"}, headers=f.bearer(second)
    )
    actors = [e["actor"] for e in client.get(f"{BALLOTS}/{ballot['id']}/events").json()]
    assert actors == [f"organiser:{first.email}", f"organiser:{second.email}"]
