"""The tally through the HTTP API, end to end: cast, close, tally, publish, read the results,
and check the signed record with nothing but protocol code."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from inmc_vote.domain.protocol import keys, lot, tally
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from tests import factories as f
from tests.voting_helpers import ballot_body, close_tally, manifest_of, mix_and_decrypt, open_ballot

# storage-specific: the tally of what was cast, and its record
pytestmark = pytest.mark.both_databases

BALLOTS = "/api/v1/ballots"


def cast(client: f.Client, ballot_id: str, token: str, marks: dict[str, Any]) -> None:
    sent = client.post(
        f"{BALLOTS}/{ballot_id}/cast", json=ballot_body(client, ballot_id, token, marks)
    )
    assert sent.status_code == 201, sent.text


def act(client: f.Client, key: dict[str, str], ballot_id: str, action: str, **body: Any) -> Any:
    return client.post(f"{BALLOTS}/{ballot_id}/{action}", json=body or None, headers=key)


def done(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


def close_early(client: f.Client, key: dict[str, str], ballot_id: str) -> None:
    """Close, then let trustees 1 and 2 shuffle and decrypt the round."""
    done(act(client, key, ballot_id, "close", reason="Every city has voted."))
    mix_and_decrypt(client, ballot_id)


def test_a_plurality_ballot_is_tallied_signed_and_published(client, clock) -> None:
    ballot_id, key, rows = open_ballot(client, clock, n_cities=5, n_candidates=3)
    manifest, digest = manifest_of(client, ballot_id)
    first, second = (c["id"] for c in manifest["candidates"][:2])
    for row, marks in zip(
        rows,
        [{"choice": first}, {"choice": first}, {"choice": second}, {"blank": True}],
        strict=False,
    ):
        cast(client, ballot_id, row["token"], marks)
    close_early(client, key, ballot_id)

    tallied = done(act(client, key, ballot_id, "tally"))
    assert tallied["state"] == "tallied"
    assert tallied["published"] is False
    assert "publish" in tallied["allowed_actions"]

    # Organisers see the results at once; everyone else once they are published.
    hidden = client.get(f"{BALLOTS}/{ballot_id}/results")
    assert "results will be public once the organiser publishes them" in f.problem(hidden, 404)
    assert client.get(f"{BALLOTS}/{ballot_id}/tally/record").status_code == 404
    seen = done(client.get(f"{BALLOTS}/{ballot_id}/results", headers=key))
    assert seen["winner"] == first
    assert seen["final"] is True
    # the public event log records the tally's hash, not its result
    events = client.get(f"{BALLOTS}/{ballot_id}/events").json()
    assert events[-1]["action"] == "tally"
    assert set(events[-1]["data"]) == {"from", "to", "round", "tally"}
    assert events[-1]["data"]["tally"] == seen["rounds"][0]["tally_hash"]

    published = done(act(client, key, ballot_id, "publish"))
    assert published["published"] is True
    published_event = client.get(f"{BALLOTS}/{ballot_id}/events").json()[-1]
    assert (published_event["action"], published_event["data"]["winner"]) == ("publish", first)
    shown = done(client.get(f"{BALLOTS}/{ballot_id}/results"))
    (only,) = shown["rounds"]
    result = only["result"]
    assert (result["turnout"], result["valid"], result["blank"], result["invalid"]) == (4, 3, 1, 0)
    assert result["winner"] == first
    assert result["rounds"][0]["tallies"][first] == 2
    assert shown["winner_city"] == manifest["candidates"][0]["city"]

    # The record: signed by the authority, naming the mix and the decryptions by hash,
    # its votes the ones served, in the mixed order and attached to no ballot.
    record_response = client.get(f"{BALLOTS}/{ballot_id}/tally/record")
    record_bytes = record_response.content
    record = json.loads(record_bytes)
    tally_hash = tally.record_hash(record_bytes)
    assert b64url(tally_hash) == only["tally_hash"] == record_response.headers["x-tally-hash"]
    authority = from_b64url(manifest["keys"]["authority"])
    signature = from_b64url(record_response.headers["x-authority-signature"])
    assert keys.verify(authority, signature, tally.signed_message(tally_hash))
    assert set(record) == {
        "format", "ballot", "round", "manifest", "board", "mix", "decryptions", "lot",
        "votes", "result", "tallied_at",
    }  # fmt: skip
    assert record["manifest"] == b64url(digest)
    assert [s["trustee"] for s in record["mix"]["shuffles"]] == [1, 2]
    assert [d["trustee"] for d in record["decryptions"]] == [1, 2]
    assert only["mix"] == record["mix"]
    assert only["lot_seed"] == record["lot"]["seed"]
    votes = client.get(f"{BALLOTS}/{ballot_id}/tally/votes").content
    assert b64url(hashlib.sha256(votes).digest()) == record["votes"]["hash"]
    lines = [json.loads(line) for line in votes.splitlines()]
    assert [line["position"] for line in lines] == [1, 2, 3, 4]
    assert sorted(line["outcome"] for line in lines) == ["blank", "counted", "counted", "counted"]
    assert all(set(line) == {"position", "outcome", "reason", "vote"} for line in lines)
    # the old per-entry outcomes are gone
    assert client.get(f"{BALLOTS}/{ballot_id}/tally/outcomes").status_code == 404


def test_tallying_an_open_ballot_is_refused_and_changes_nothing(client, clock) -> None:
    ballot_id, key, _rows = open_ballot(client, clock)
    before = f.snapshot_of(client)
    refused = act(client, key, ballot_id, "tally")
    assert "The ballot is open: it cannot be tallied" in f.problem(refused, 409)
    assert f.snapshot_of(client) == before
    assert act(client, key, ballot_id, "publish").status_code == 409
    assert act(client, key, ballot_id, "next-round").status_code == 409


def test_an_instant_runoff_ballot_counts_round_by_round(client, clock) -> None:
    ballot_id, key, rows = open_ballot(client, clock, n_cities=5, n_candidates=3, method="irv")
    manifest, _ = manifest_of(client, ballot_id)
    a, b, c = (x["id"] for x in manifest["candidates"])
    rankings = [[a], [a, b], [b, a], [c, b], [c, b]]
    for row, ranking in zip(rows, rankings, strict=True):
        cast(client, ballot_id, row["token"], {"ranking": ranking})
    close_early(client, key, ballot_id)
    done(act(client, key, ballot_id, "tally"))
    result = done(client.get(f"{BALLOTS}/{ballot_id}/results", headers=key))["rounds"][0]["result"]
    # a 2, b 1, c 2: b is eliminated, its ballot goes to a, who has 3 of 5
    first, second = result["rounds"]
    assert first["tallies"] == {a: 2, b: 1, c: 2}
    assert first["eliminated"] == [b]
    assert second["tallies"] == {a: 3, c: 2}
    assert result["winner"] == a


def test_a_tie_is_settled_by_the_trustees_lot(client, clock) -> None:
    ballot_id, key, rows = open_ballot(client, clock, n_cities=2, n_candidates=2)
    manifest, _ = manifest_of(client, ballot_id)
    a, b = (x["id"] for x in manifest["candidates"])
    for row, marks in zip(rows, [{"choice": a}, {"choice": b}], strict=True):
        cast(client, ballot_id, row["token"], marks)
    close_tally(client, key, ballot_id)
    record = json.loads(client.get(f"{BALLOTS}/{ballot_id}/tally/record", headers=key).content)
    assert len(record["result"]["lots"]) == 1
    files = {x.trustee: x for x in f.trustee_files(client, ballot_id)}
    expected = lot.seed(
        from_b64url(record["board"]["head"]), {i: lot.reveal(files[i].lot_rho, 1) for i in (1, 2)}
    )
    assert record["lot"]["seed"] == b64url(expected)
    assert record["result"]["winner"] in (a, b)
