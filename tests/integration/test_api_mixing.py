"""The mix and the decryption through the HTTP API (docs/protocol.md, "Mixing" and
"Decryption"): the whole flow from close to results, and every refusal, which names the trustee and
the check and stores
nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inmc_vote.config import LIMITS
from inmc_vote.domain.protocol import lot, mixing, shuffle, trustee_message
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url, sha256
from inmc_vote.tools import mixing as mixing_tool
from tests import factories as f
from tests.voting_helpers import (
    cast_all,
    decrypt_by,
    lifecycle_call,
    manifest_of,
    open_ballot,
    shuffle_by,
    trustee_of,
)

# storage-specific: messages stored or refused with nothing stored, on both databases
pytestmark = pytest.mark.both_databases

BALLOTS = "/api/v1/ballots"


def closed_ballot(client: f.Client, clock: Any, n_cities: int = 4) -> tuple[str, dict[str, str]]:
    """A plurality ballot with 3 trustees (threshold 2), voted by every city and closed."""
    ballot_id, key, rows = open_ballot(client, clock, n_cities=n_cities, n_candidates=3)
    manifest, _ = manifest_of(client, ballot_id)
    ids = [c["id"] for c in manifest["candidates"]]
    votes = [{"choice": ids[0]}, {"choice": ids[0]}, {"choice": ids[1]}, {"blank": True}]
    cast_all(client, ballot_id, [r["token"] for r in rows], votes[:n_cities])
    lifecycle_call(client, key, ballot_id, "close", reason="Every city has voted.")
    return ballot_id, key


def mix_state(client: f.Client, ballot_id: str) -> dict[str, Any]:
    response = client.get(f"{BALLOTS}/{ballot_id}/mix")
    assert response.status_code == 200, response.text
    return dict(response.json())


def shuffle_body(client: f.Client, ballot_id: str, index: int, **change: Any) -> bytes:
    """Trustee `index`'s shuffle of the current last list, as it would send it."""
    transport, secrets = trustee_of(client, ballot_id, index)
    state = mixing_tool.mix_state(transport)
    manifest, digest = manifest_of(client, ballot_id)
    return mixing_tool.make_shuffle(
        ballot_id=ballot_id,
        round_number=state["round"],
        index=change.get("at", state["next"]["index"]),
        manifest_hash=digest,
        election_key=from_b64url(manifest["keys"]["election"]),
        cts_in=mixing_tool.last_list(transport, state),
        secrets=secrets,
    )


def decryption_value(client: f.Client, ballot_id: str, index: int) -> dict[str, Any]:
    transport, secrets = trustee_of(client, ballot_id, index)
    state = mixing_tool.mix_state(transport)
    manifest, digest = manifest_of(client, ballot_id)
    member = manifest["trustees"]["members"][index - 1]
    body = mixing_tool.make_decryption(
        ballot_id=ballot_id,
        round_number=state["round"],
        manifest_hash=digest,
        verification_key=from_b64url(member["verification_key"]),
        cts=mixing_tool.last_list(transport, state),
        secrets=secrets,
    )
    return dict(json.loads(body))


def post(client: f.Client, ballot_id: str, index: int, path: str, body: bytes) -> Any:
    transport, _ = trustee_of(client, ballot_id, index)
    return transport.post(path, body)


def test_close_shuffles_decryptions_tally_results(client, clock) -> None:
    ballot_id, key = closed_ballot(client, clock)
    state = mix_state(client, ballot_id)
    assert state["input"]["count"] == 4
    assert state["threshold"] == 2
    assert state["next"] == {"shuffle": [1, 2, 3], "decrypt": [], "index": 1}
    assert "Waiting for a shuffle from 2 more trustees" in state["waiting_for"]

    # the input list is the board's ciphertexts, and its hash is the state's
    lines = client.get(f"{BALLOTS}/{ballot_id}/mix/input")
    assert lines.status_code == 200
    assert (
        b64url(shuffle.list_hash(mixing.read_list_lines(lines.content))) == state["input"]["hash"]
    )
    tally_early = client.post(f"{BALLOTS}/{ballot_id}/tally", headers=key)
    assert "Waiting for a shuffle from 2 more trustees" in f.problem(tally_early, 409)

    first = shuffle_by(client, ballot_id, 2)
    assert (first["index"], first["trustee"]) == (1, 2)
    shuffle_by(client, ballot_id, 3)
    state = mix_state(client, ballot_id)
    assert [s["trustee"] for s in state["shuffles"]] == [2, 3]
    assert state["next"]["decrypt"] == [1, 2, 3]
    assert state["shuffles"][1]["input"] == state["shuffles"][0]["output"]
    events = client.get(f"{BALLOTS}/{ballot_id}/events").json()
    added = [e for e in events if e["action"] == "shuffle-added"]
    assert [e["data"]["trustee"] for e in added] == [2, 3]
    assert added[0]["data"] == {
        "round": 1,
        "index": 1,
        "trustee": 2,
        "hash": state["shuffles"][0]["hash"],
    }
    assert added[0]["actor"] == "trustee:2"
    message = client.get(f"{BALLOTS}/{ballot_id}/mix/shuffles/1")
    assert message.headers["x-message-hash"] == state["shuffles"][0]["hash"]

    decrypt_by(client, ballot_id, 3)
    tally_early = client.post(f"{BALLOTS}/{ballot_id}/tally", headers=key)
    detail = f.problem(tally_early, 409)
    assert "Waiting for a decryption from 1 more trustee: any of" in detail
    assert f.TRUSTEE_NAMES[0] in detail
    assert f.TRUSTEE_NAMES[1] in detail
    decrypt_by(client, ballot_id, 1)
    events = client.get(f"{BALLOTS}/{ballot_id}/events").json()
    assert [e["data"]["trustee"] for e in events if e["action"] == "decryption-added"] == [3, 1]

    lifecycle_call(client, key, ballot_id, "tally")
    lifecycle_call(client, key, ballot_id, "publish")
    results = client.get(f"{BALLOTS}/{ballot_id}/results").json()
    manifest, _digest = manifest_of(client, ballot_id)
    assert results["winner"] == manifest["candidates"][0]["id"]
    record = json.loads(client.get(f"{BALLOTS}/{ballot_id}/tally/record").content)
    assert record["format"] == "inmc-vote/tally/v2"
    assert record["mix"]["input"] == state["input"]
    assert [(s["index"], s["trustee"]) for s in record["mix"]["shuffles"]] == [(1, 2), (2, 3)]
    assert record["mix"]["output"] == state["shuffles"][-1]["output"]
    assert [d["trustee"] for d in record["decryptions"]] == [1, 3]
    # the lot seed: the seal's head and the reveals of trustees 1 and 3, by index
    files = {x.trustee: x for x in f.trustee_files(client, ballot_id)}
    head = from_b64url(record["board"]["head"])
    assert record["lot"]["seed"] == b64url(
        lot.seed(head, {i: lot.reveal(files[i].lot_rho, 1) for i in (1, 3)})
    )
    votes = client.get(f"{BALLOTS}/{ballot_id}/tally/votes").content
    lines_ = [json.loads(line) for line in votes.splitlines()]
    assert [line["position"] for line in lines_] == [1, 2, 3, 4]
    assert sorted(line["outcome"] for line in lines_) == ["blank", "counted", "counted", "counted"]
    assert record["votes"]["count"] == 4
    assert record["votes"]["hash"] == b64url(sha256(votes))
    # decryptions are public once published
    one = client.get(f"{BALLOTS}/{ballot_id}/decryptions/1")
    assert one.status_code == 200
    assert one.headers["x-message-hash"] == record["decryptions"][0]["hash"]
    listed = client.get(f"{BALLOTS}/{ballot_id}/decryptions").json()
    assert [d["trustee"] for d in listed] == [1, 3]
    # nothing is taken after the tally
    late = post(client, ballot_id, 2, "/decryptions", b"{}")
    assert "already tallied" in f.problem(late, 409)


def test_any_t_of_n_suffice(client, clock) -> None:
    ballot_id, key = closed_ballot(client, clock, n_cities=3)
    for index in (3, 1, 2):
        shuffle_by(client, ballot_id, index)
    decrypt_by(client, ballot_id, 2)
    decrypt_by(client, ballot_id, 3)
    lifecycle_call(client, key, ballot_id, "tally")
    seen = client.get(f"{BALLOTS}/{ballot_id}/results", headers=key).json()
    manifest, _ = manifest_of(client, ballot_id)
    assert seen["winner"] == manifest["candidates"][0]["id"]


def test_decryptions_stay_private_until_published(client, clock) -> None:
    ballot_id, key = closed_ballot(client, clock, n_cities=2)
    shuffle_by(client, ballot_id, 1)
    shuffle_by(client, ballot_id, 2)
    decrypt_by(client, ballot_id, 1)
    hidden = client.get(f"{BALLOTS}/{ballot_id}/decryptions/1")
    assert "once its results are published" in f.problem(hidden, 404)
    assert client.get(f"{BALLOTS}/{ballot_id}/decryptions/1", headers=key).status_code == 200


def test_refusals_name_the_trustee_and_store_nothing(client, clock) -> None:
    ballot_id, _key = closed_ballot(client, clock, n_cities=3)
    before = f.snapshot_of(client)

    # no invitation, or one that is no trustee's
    body = shuffle_body(client, ballot_id, 1)
    anonymous = client.post(f"{BALLOTS}/{ballot_id}/mix/shuffles", content=body)
    assert anonymous.status_code == 401
    stranger = client.post(
        f"{BALLOTS}/{ballot_id}/mix/shuffles",
        content=body,
        headers={"Authorization": "Bearer 1.1." + "A" * 43},
    )
    assert "not the invitation of a trustee" in f.problem(stranger, 403)
    # trustee 1's shuffle sent with trustee 2's invitation
    wrong = post(client, ballot_id, 2, "/mix/shuffles", body)
    detail = f.problem(wrong, 403)
    assert "signed as trustee 1" in detail
    assert "trustee 2" in detail
    # a tampered proof
    value = json.loads(body)
    proof = value["proof"]
    proof["s1"], proof["s2"] = proof["s2"], proof["s1"]
    tampered = canonical_json(value)
    refused = post(client, ballot_id, 1, "/mix/shuffles", tampered)
    detail = f.problem(refused, 422)
    assert "trustee 1" in detail
    assert "proof does not verify" in detail or "signature" in detail
    # re-signed, so that only the proof is wrong
    _transport, secrets = trustee_of(client, ballot_id, 1)
    resigned = canonical_json(trustee_message.sign(value, secrets.signing_seed))
    refused = post(client, ballot_id, 1, "/mix/shuffles", resigned)
    assert "trustee 1" in (detail := f.problem(refused, 422))
    assert "proof does not verify" in detail
    # an output swapped for another list of the same length, re-signed
    value = json.loads(body)
    value["output"] = value["output"][::-1]
    swapped = canonical_json(trustee_message.sign(value, secrets.signing_seed))
    assert "proof does not verify" in f.problem(
        post(client, ballot_id, 1, "/mix/shuffles", swapped), 422
    )
    # not canonical JSON
    spaced = json.dumps(json.loads(body), indent=1).encode()
    assert "canonical" in f.problem(post(client, ballot_id, 1, "/mix/shuffles", spaced), 422)
    # a decryption before t shuffles are in
    early = post(client, ballot_id, 1, "/decryptions", canonical_json({"trustee": 1}))
    assert "once 2 shuffles are in" in f.problem(early, 409)
    assert f.snapshot_of(client) == before

    shuffle_by(client, ballot_id, 1)
    # the same trustee again, and a shuffle of a list that has moved on
    again = post(client, ballot_id, 1, "/mix/shuffles", shuffle_body(client, ballot_id, 1))
    assert "trustee 1" in (detail := f.problem(again, 409))
    assert "already shuffled" in detail
    moved = shuffle_body(client, ballot_id, 2)
    shuffle_by(client, ballot_id, 3)
    stale = post(client, ballot_id, 2, "/mix/shuffles", moved)
    assert "download it again" in f.problem(stale, 409)

    # decryptions: a factor of another ciphertext, a wrong lot reveal, a bad signature
    after_shuffles = f.snapshot_of(client)
    value = decryption_value(client, ballot_id, 1)
    swapped_factors = dict(value)
    factors = list(value["factors"])
    factors[0], factors[1] = factors[1], factors[0]
    swapped_factors["factors"] = factors
    swapped_factors = trustee_message.sign(swapped_factors, secrets.signing_seed)
    refused = post(client, ballot_id, 1, "/decryptions", canonical_json(swapped_factors))
    assert "trustee 1" in (detail := f.problem(refused, 422))
    assert "proof for ciphertext 1" in detail
    bad_reveal = trustee_message.sign(
        dict(value, lot_reveal=b64url(lot.reveal(secrets.lot_secret, 2))), secrets.signing_seed
    )
    refused = post(client, ballot_id, 1, "/decryptions", canonical_json(bad_reveal))
    assert "lot reveal" in f.problem(refused, 422)
    unsigned = dict(value, lot_reveal=b64url(lot.reveal(secrets.lot_secret, 2)))
    refused = post(client, ballot_id, 1, "/decryptions", canonical_json(unsigned))
    assert "signature" in f.problem(refused, 422)
    assert f.snapshot_of(client) == after_shuffles

    # once a decryption is in, no further shuffle
    decrypt_by(client, ballot_id, 1)
    late = post(client, ballot_id, 2, "/mix/shuffles", shuffle_body(client, ballot_id, 2))
    assert "decryption of round 1 has started" in f.problem(late, 409)
    twice = post(client, ballot_id, 1, "/decryptions", canonical_json(value))
    assert "already sent its decryption" in f.problem(twice, 409)


def test_an_oversized_shuffle_or_decryption_is_413_and_stores_nothing(client, clock) -> None:
    ballot_id, _key = closed_ballot(client, clock, n_cities=2)
    before = f.snapshot_of(client)
    oversized = b" " * (LIMITS.mix_body_bytes + 1)
    for path in ("/mix/shuffles", "/decryptions"):
        detail = f.problem(post(client, ballot_id, 1, path, oversized), 413)
        assert detail == "What you sent is larger than this address accepts."
    assert f.snapshot_of(client) == before


def test_an_empty_board_needs_no_trustee(client, clock) -> None:
    ballot_id, key, _rows = open_ballot(client, clock, n_cities=3, n_candidates=2)
    lifecycle_call(client, key, ballot_id, "close", reason="Nobody will vote.")
    state = mix_state(client, ballot_id)
    assert state["input"]["count"] == 0
    assert state["next"] == {"shuffle": [], "decrypt": [], "index": 1}
    assert state["ready"] is True
    lifecycle_call(client, key, ballot_id, "tally")
    record = json.loads(client.get(f"{BALLOTS}/{ballot_id}/tally/record", headers=key).content)
    assert record["mix"]["shuffles"] == []
    assert record["decryptions"] == []
    assert record["mix"]["output"] == record["mix"]["input"]["hash"]
    assert record["lot"] == {"seed": None}
    assert record["votes"]["count"] == 0


def test_nothing_is_mixed_before_close(client, clock) -> None:
    ballot_id, _key, _rows = open_ballot(client, clock, n_cities=3, n_candidates=2)
    assert client.get(f"{BALLOTS}/{ballot_id}/mix/input").status_code == 409
    state = mix_state(client, ballot_id)
    assert state["sealed"] is False
    assert state["next"]["shuffle"] == []
    refused = post(client, ballot_id, 1, "/mix/shuffles", b"{}")
    assert f.problem(refused, 422)  # malformed first: checked before the state
