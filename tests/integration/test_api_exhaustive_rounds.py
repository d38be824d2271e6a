"""A three-round exhaustive ballot through the API, with a tie for last settled by lot and,
on another ballot, by an extra round between the tied cities (the 1997 Olympic way)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from inmc_vote.domain.counting.lot import draw
from inmc_vote.domain.protocol.encoding import from_b64url
from tests import factories as f
from tests.conftest import FakeClock
from tests.integration.test_api_tally import act, cast, close_early, done
from tests.voting_helpers import manifest_of, open_ballot

BALLOTS = "/api/v1/ballots"


def run_round(
    client: f.Client,
    key: dict[str, str],
    ballot_id: str,
    tokens: list[str],
    votes: dict[str, int],
) -> dict[str, Any]:
    """Cast `votes` (candidate → how many cities) with the same tokens, close, tally,
    publish; return the round's result."""
    ballot = client.get(f"{BALLOTS}/{ballot_id}").json()
    if ballot["state"] == "frozen":
        done(act(client, key, ballot_id, "open"))
    choices = [c for c, n in votes.items() for _ in range(n)]
    for token, choice in zip(tokens, choices, strict=False):
        cast(client, ballot_id, token, {"choice": choice})
    close_early(client, key, ballot_id)
    done(act(client, key, ballot_id, "tally"))
    done(act(client, key, ballot_id, "publish"))
    shown = done(client.get(f"{BALLOTS}/{ballot_id}/results"))
    return shown["rounds"][-1]["result"]


def next_round(client: f.Client, clock: FakeClock, key: dict[str, str], ballot_id: str) -> None:
    closes = (clock() + timedelta(days=2)).isoformat()
    moved = done(act(client, key, ballot_id, "next-round", closes_at=closes))
    assert moved["state"] == "frozen"


def exhaustive(client: f.Client, clock: FakeClock, rule: str) -> tuple[str, dict, list[str], list]:
    ballot_id, key, rows = open_ballot(
        client, clock, n_cities=9, n_candidates=4, method="exhaustive", last_place_tie=rule
    )
    manifest, _ = manifest_of(client, ballot_id)
    assert manifest["rules"]["last_place_tie"] == rule
    return ballot_id, key, [r["token"] for r in rows], [c["id"] for c in manifest["candidates"]]


def test_a_tie_for_last_settled_by_lot_over_three_rounds(client, clock) -> None:
    ballot_id, key, tokens, (a, b, c, d) = exhaustive(client, clock, "lot")

    first = run_round(client, key, ballot_id, tokens, {a: 4, b: 3, c: 1, d: 1})
    assert first["outcome"] == "next-round"
    (lot,) = first["lots"]
    record = json.loads(client.get(f"{BALLOTS}/{ballot_id}/tally/record?round=1").content)
    # anyone can redo the draw from the seed (the seal's head and the trustees' reveals)
    assert lot["order"] == draw(from_b64url(record["lot"]["seed"]), [c, d])
    eliminated = lot["order"][-1]
    survivor = c if eliminated == d else d
    assert first["rounds"][0]["eliminated"] == [eliminated]
    assert first["next_round"]["candidates"] == [a, b, survivor]

    # The next round may not open before its results are published (they are), and its
    # manifest names the previous round's manifest and result.
    next_round(client, clock, key, ballot_id)
    manifest2, _ = manifest_of(client, ballot_id)
    assert manifest2["round"] == 2
    assert [x["id"] for x in manifest2["candidates"]] == [a, b, survivor]
    assert (
        manifest2["previous"]["result"]
        == client.get(f"{BALLOTS}/{ballot_id}/tally/record?round=1").headers["x-tally-hash"]
    )
    # one election key and the same trustees for every round (each round's lot reveal is
    # a fresh link of each trustee's chain)
    manifest1 = json.loads(client.get(f"{BALLOTS}/{ballot_id}/manifest?round=1").content)
    assert manifest2["keys"]["election"] == manifest1["keys"]["election"]
    assert manifest2["trustees"] == manifest1["trustees"]

    second = run_round(client, key, ballot_id, tokens, {a: 4, b: 4, survivor: 1})
    assert second["rounds"][0]["eliminated"] == [survivor]
    next_round(client, clock, key, ballot_id)
    third = run_round(client, key, ballot_id, tokens, {a: 5, b: 4})
    assert third["outcome"] == "elected"
    assert third["winner"] == a
    results = done(client.get(f"{BALLOTS}/{ballot_id}/results"))
    assert [r["round"] for r in results["rounds"]] == [1, 2, 3]
    assert results["winner"] == a
    assert results["final"] is True
    assert "next-round" not in done(client.get(f"{BALLOTS}/{ballot_id}"))["allowed_actions"]


def test_a_tie_for_last_settled_by_an_extra_round_between_the_tied(client, clock) -> None:
    ballot_id, key, tokens, (a, b, c, d) = exhaustive(client, clock, "runoff")

    first = run_round(client, key, ballot_id, tokens, {a: 3, b: 2, c: 2, d: 2})
    assert first["lots"] == []
    assert first["next_round"] == {
        "kind": "last-place-runoff",
        "candidates": [b, c, d],
        "continuing": [a, b, c, d],
    }
    next_round(client, clock, key, ballot_id)
    manifest2, _ = manifest_of(client, ballot_id)
    assert manifest2["rules"]["round_kind"] == "last-place-runoff"
    assert [x["id"] for x in manifest2["candidates"]] == [b, c, d]

    runoff = run_round(client, key, ballot_id, tokens, {b: 4, c: 3, d: 2})
    assert runoff["winner"] is None
    assert runoff["rounds"][0]["eliminated"] == [d]
    assert runoff["next_round"]["candidates"] == [a, b, c]

    next_round(client, clock, key, ballot_id)
    third = run_round(client, key, ballot_id, tokens, {a: 5, b: 2, c: 2})
    assert third["winner"] == a
    assert done(client.get(f"{BALLOTS}/{ballot_id}/results"))["winner"] == a


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_the_next_round_waits_for_publication_and_a_closing_time(client, clock) -> None:
    ballot_id, key, tokens, (a, b, c, d) = exhaustive(client, clock, "lot")
    ballot = done(client.get(f"{BALLOTS}/{ballot_id}"))
    done(act(client, key, ballot_id, "open")) if ballot["state"] == "frozen" else None
    for token, choice in zip(tokens, [a, a, b, b, c, c, d], strict=False):
        cast(client, ballot_id, token, {"choice": choice})
    close_early(client, key, ballot_id)
    done(act(client, key, ballot_id, "tally"))
    before = f.snapshot_of(client)
    unpublished = act(client, key, ballot_id, "next-round", closes_at=clock().isoformat())
    assert "Publish round 1's results first" in f.problem(unpublished, 409)
    done(act(client, key, ballot_id, "publish"))
    published = f.snapshot_of(client)
    assert published != before
    no_time = act(client, key, ballot_id, "next-round")
    assert f.problem(no_time, 422) == "The next round needs a closing time."
    past = act(client, key, ballot_id, "next-round", closes_at=clock().isoformat())
    assert "has already passed" in f.problem(past, 422)
    naive = act(client, key, ballot_id, "next-round", closes_at="2030-01-01T10:00:00")
    assert "needs its time zone" in f.problem(naive, 422)
    assert f.snapshot_of(client) == published
