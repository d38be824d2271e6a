"""From frozen to sealed through the API: tokens, casting, receipts, the board."""

from __future__ import annotations

import pytest

from inmc_vote.domain.protocol import board, keys
from inmc_vote.domain.protocol.encoding import canonical_json, from_b64url, sha256
from tests.voting_helpers import ballot_body, board_entries, manifest_of, open_ballot

# storage-specific: casting, receipts and the board
pytestmark = pytest.mark.both_databases


def test_every_city_votes_once_and_finds_its_receipt(client, clock):
    ballot_id, _key, rows = open_ballot(client, clock)
    manifest, digest = manifest_of(client, ballot_id)
    assert manifest["eligible"] == len(rows) == 5
    authority = from_b64url(manifest["keys"]["authority"])
    first = manifest["candidates"][0]["id"]

    receipts = []
    for row in rows:
        body = ballot_body(client, ballot_id, row["token"], {"choice": first})
        tracker = sha256(canonical_json(body))  # computed before sending
        cast = client.post(f"/api/v1/ballots/{ballot_id}/cast", json=body)
        assert cast.status_code == 201, cast.text
        receipt = cast.json()
        kept = board.ReceiptFile(board.Receipt.parse(receipt), body)
        assert kept.tracker == tracker == from_b64url(receipt["tracker"])
        assert kept.problem(manifest_hash=digest, authority=authority, ballot=ballot_id) is None
        receipts.append(receipt)
    assert [r["seq"] for r in receipts] == [1, 2, 3, 4, 5]

    again = client.post(
        f"/api/v1/ballots/{ballot_id}/cast",
        json=ballot_body(client, ballot_id, rows[0]["token"], {"blank": True}),
    )
    assert again.status_code == 409
    assert "already voted" in again.json()["detail"]

    found = client.post(
        f"/api/v1/ballots/{ballot_id}/board/find", json={"tracker": receipts[2]["tracker"]}
    ).json()
    assert found["entry"]["seq"] == 3
    assert "entry 3" in found["message"]

    page = client.get(f"/api/v1/ballots/{ballot_id}/board").json()
    entries = board_entries(page)
    assert board.verify_board(digest, entries) is None
    assert client.get(f"/api/v1/ballots/{ballot_id}").json()["turnout"] == {
        "ballots": 5,
        "eligible": 5,
    }

    clock.advance(days=30)  # past closes_at: the clock closes and seals
    sealed = client.get(f"/api/v1/ballots/{ballot_id}/board").json()
    seal = sealed["seal"]
    assert seal["count"] == 5
    assert seal["head"] == page["entries"][-1]["hash"] == receipts[-1]["hash"]
    assert keys.verify(
        authority,
        from_b64url(seal["signature"]),
        board.seal_message(digest, 5, from_b64url(seal["head"]), seal["closed_at"]),
    )
    late = client.post(
        f"/api/v1/ballots/{ballot_id}/cast",
        json=ballot_body(client, ballot_id, rows[1]["token"], {"blank": True}),
    )
    assert late.status_code == 409
    assert "closed" in late.json()["detail"]
