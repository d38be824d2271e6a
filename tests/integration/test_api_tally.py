"""The tally through the HTTP API, end to end: cast, close, tally, publish, read the results,
and check the signed record with nothing but protocol code."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from inmc_vote.domain.protocol import keys, tally, vote
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.domain.protocol.manifest import tiebreak_commitment
from inmc_vote.tools.keyfiles import TALLY_KEY_FORMAT
from tests import factories as f
from tests.conftest import FakeClock
from tests.voting_helpers import ballot_body, board_entries, manifest_of, open_ballot

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
    done(act(client, key, ballot_id, "close", reason="Every city has voted."))


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

    # The record: signed by the authority, its seed the committed one, its key the
    # manifest's tally key, its outcomes the ones served.
    record_response = client.get(f"{BALLOTS}/{ballot_id}/tally/record")
    record_bytes = record_response.content
    record = json.loads(record_bytes)
    tally_hash = tally.record_hash(record_bytes)
    assert b64url(tally_hash) == only["tally_hash"] == record_response.headers["x-tally-hash"]
    authority = from_b64url(manifest["keys"]["authority"])
    signature = from_b64url(record_response.headers["x-authority-signature"])
    assert keys.verify(authority, signature, tally.signed_message(tally_hash))
    seed = from_b64url(record["seed"])
    assert b64url(tiebreak_commitment(seed)) == manifest["tiebreak_commitment"]
    tally_key = from_b64url(record["tally_key"])
    assert b64url(keys.x25519_public(tally_key)) == manifest["keys"]["tally"]
    outcomes = client.get(f"{BALLOTS}/{ballot_id}/tally/outcomes").content
    assert b64url(hashlib.sha256(outcomes).digest()) == record["outcomes"]["hash"]
    lines = [json.loads(line) for line in outcomes.splitlines()]
    assert [line["seq"] for line in lines] == [1, 2, 3, 4]
    assert [line["outcome"] for line in lines] == ["counted", "counted", "counted", "blank"]
    # anyone can redo a decryption with the revealed key
    entries = board_entries(client.get(f"{BALLOTS}/{ballot_id}/board").json())
    opened = vote.unpad(
        vote.decrypt(entries[0].ciphertext, tally_key, digest, entries[0].credential)
    )
    assert opened == lines[0]["vote"]


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


def _trustee_ballot(client: f.Client, clock: FakeClock) -> tuple[str, dict[str, str], bytes]:
    private, public = keys.new_x25519()
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock, 5, 2)
    done(act(client, key, made.id, "freeze", tally_public_key=b64url(public)))
    issued = client.post(f"{BALLOTS}/{made.id}/tokens", headers=key)
    assert issued.status_code == 201
    clock.advance(days=3)
    return made.id, key, private


def _key_file(private: bytes) -> dict[str, str]:
    public = keys.x25519_public(private)
    return {"format": TALLY_KEY_FORMAT, "private": b64url(private), "public": b64url(public)}


def test_a_trustee_brings_the_tally_key_and_a_wrong_one_changes_nothing(client, clock) -> None:
    ballot_id, key, private = _trustee_ballot(client, clock)
    close_early(client, key, ballot_id)
    before = f.snapshot_of(client)
    missing = act(client, key, ballot_id, "tally")
    assert "upload the key file that `inmc-vote trustee keygen` wrote" in f.problem(missing, 422)
    other, _ = keys.new_x25519()
    wrong = act(client, key, ballot_id, "tally", tally_key=_key_file(other))
    assert "This key file is not round 1's tally key" in f.problem(wrong, 422)
    broken = act(client, key, ballot_id, "tally", tally_key={"format": "something else"})
    assert "is not a inmc-vote/tally-key/v1 file" in f.problem(broken, 422)
    assert f.snapshot_of(client) == before

    tallied = done(act(client, key, ballot_id, "tally", tally_key=_key_file(private)))
    assert tallied["state"] == "tallied"
    record = json.loads(client.get(f"{BALLOTS}/{ballot_id}/tally/record", headers=key).content)
    assert record["tally_key"] == b64url(private)
    assert record["result"]["outcome"] == "no-valid-votes"
