"""Voting through the API: issuing the tokens (once, once frozen, before opening), the
manifest as served, casting a ballot of protocol v2, its receipt (which names the
ballot's own tracker), the board's lines, the lookup by tracker, and the seal."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import ballot as ballots
from inmc_vote.domain.protocol import board, credentials, group, keys, manifest
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url
from inmc_vote.services import actions
from tests import factories as f
from tests.conftest import FakeClock
from tests.voting_helpers import (
    ballot_body,
    board_entries,
    manifest_of,
    open_ballot,
    tokens_from_zip,
)

# storage-specific: issuing tokens, casting, receipts and the board
pytestmark = pytest.mark.both_databases

BALLOTS = "/api/v1/ballots"


def issue(client: f.Client, key: dict[str, str], ballot_id: str) -> Any:
    return client.post(f"{BALLOTS}/{ballot_id}/tokens", headers=key)


def events(client: f.Client, ballot_id: str) -> list[dict[str, Any]]:
    return client.get(f"{BALLOTS}/{ballot_id}/events").json()


def cast(client: f.Client, ballot_id: str, token: str, choice: dict[str, Any]) -> Any:
    body = ballot_body(client, ballot_id, token, choice)
    return client.post(f"{BALLOTS}/{ballot_id}/cast", json=body)


def frozen(client: f.Client, clock: FakeClock, **freeze_body: Any) -> tuple[str, dict[str, str]]:
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock)
    done = client.post(f"{BALLOTS}/{made.id}/freeze", json=freeze_body or None, headers=key)
    assert done.status_code == 200, done.text
    return made.id, key


# --- issuing the tokens --------------------------------------------------------------


def test_tokens_are_issued_once(client, clock) -> None:
    ballot_id, key = frozen(client, clock)
    first = issue(client, key, ballot_id)
    assert first.status_code == 201, first.text
    assert first.headers["content-type"] == "application/zip"
    assert first.headers["cache-control"] == "no-store"
    rows = tokens_from_zip(first.content)
    assert len(rows) == 5
    assert len({r["token"] for r in rows}) == 5
    before = f.snapshot_of(client)
    again = f.problem(issue(client, key, ballot_id), 409)
    assert again.startswith(
        "The tokens were issued on 19 January 2027, 10:00 (Europe/Paris, UTC+1)"
    )
    assert "they are issued once" in again
    assert "revoked and replaced by its fingerprint" in again
    assert f.snapshot_of(client) == before
    assert [e["action"] for e in events(client, ballot_id)].count("tokens-issued") == 1


@pytest.mark.parametrize("state", ["draft", "candidacies", "cancelled"])
def test_tokens_before_freeze_are_refused(client, clock, state) -> None:
    key = f.bearer(f.account(client, clock))
    made = f.ballot(client, clock)
    if state != "draft":
        f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    if state == "cancelled":
        f.act(client, clock, made.id, Action.CANCEL, reason="Postponed")
    before = f.snapshot_of(client)
    detail = f.problem(issue(client, key, made.id), 409)
    assert detail == (
        f"The ballot is {state}: tokens are issued (or an offline roll uploaded) "
        "once it is frozen, and only once."
    )
    assert f.snapshot_of(client) == before
    manifest_missing = client.get(f"{BALLOTS}/{made.id}/manifest")
    assert "fixed when the tokens are issued" in f.problem(manifest_missing, 404)


def test_only_an_organiser_issues_tokens(client, clock) -> None:
    ballot_id, _key = frozen(client, clock)
    before = f.snapshot_of(client)
    f.problem(client.post(f"{BALLOTS}/{ballot_id}/tokens"), 401)
    assert f.snapshot_of(client) == before


def test_opening_before_the_tokens_are_issued_is_refused(client, clock) -> None:
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock)
    no_opening_time = f.ballot_body(FakeClock(), opens_at=None)
    edited = client.put(f"{BALLOTS}/{made.id}", json=no_opening_time, headers=key)
    assert edited.status_code == 200, edited.text  # to be opened by hand
    f.act(client, clock, made.id, Action.FREEZE)
    before = f.snapshot_of(client)
    detail = f.problem(client.post(f"{BALLOTS}/{made.id}/open", headers=key), 409)
    assert detail == (
        "Issue the tokens first: the vote opens once every eligible city has its token and "
        "the manifest is fixed."
    )
    assert f.snapshot_of(client) == before
    assert issue(client, key, made.id).status_code == 201
    opened = client.post(f"{BALLOTS}/{made.id}/open", headers=key)
    assert opened.status_code == 200, opened.text
    assert opened.json()["state"] == "open"


def test_the_clock_does_not_open_a_frozen_ballot_without_tokens(client, clock) -> None:
    ballot_id, key = frozen(client, clock)
    clock.advance(days=3)  # past opens_at (START + 10 days)
    assert f.call(client, actions.schedule.catch_up_all, f.db(client), clock()) == 0  # nothing due
    before = f.snapshot_of(client)
    shown = client.get(f"{BALLOTS}/{ballot_id}").json()
    assert f.snapshot_of(client) == before
    assert shown["state"] == "frozen"
    assert shown["turnout"] is None
    assert "open" not in [e["action"] for e in events(client, ballot_id)]
    # Issued late, the tokens fix the manifest; the next look applies the opening.
    assert issue(client, key, ballot_id).status_code == 201
    assert client.get(f"{BALLOTS}/{ballot_id}").json()["state"] == "open"
    opened = events(client, ballot_id)[-1]
    assert (opened["actor"], opened["action"]) == ("schedule:clock", "open")
    assert opened["data"]["due_at"] == "2027-01-21T09:00:00.000Z"


# --- the manifest --------------------------------------------------------------------


def test_the_manifest_is_served_byte_exact_and_signed(client, clock) -> None:
    ballot_id, _key, rows = open_ballot(client, clock)
    served = client.get(f"{BALLOTS}/{ballot_id}/manifest")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/json")
    data = served.content
    digest = hashlib.sha256(data).digest()
    assert from_b64url(served.headers["x-manifest-hash"]) == digest
    assert served.headers["x-manifest-fingerprint"] == manifest.short_fingerprint(digest)
    value = json.loads(data)
    assert canonical_json(value) == data  # canonical: the bytes a verifier re-derives
    authority = from_b64url(value["keys"]["authority"])
    signature = from_b64url(served.headers["x-authority-signature"])
    assert keys.verify(authority, signature, manifest.signed_message(digest))
    assert not keys.verify(authority, signature, manifest.signed_message(bytes(32)))
    # The same manifest wherever it is shown.
    shown = client.get(f"{BALLOTS}/{ballot_id}").json()
    assert shown["manifest_hash"] == b64url(digest)
    assert client.get(f"{BALLOTS}/{ballot_id}/manifest?round=1").content == data
    f.problem(client.get(f"{BALLOTS}/{ballot_id}/manifest?round=2"), 404)
    # What it fixes: the ballot, its electorate and its roll.
    assert value["format"] == "inmc-vote/manifest/v2"
    assert (value["ballot"], value["round"], value["eligible"]) == (ballot_id, 1, len(rows))
    assert value["opens_at"] == "2027-01-21T09:00:00.000Z"
    assert value["closes_at"] == "2027-01-31T09:00:00.000Z"
    roll = client.get(f"{BALLOTS}/{ballot_id}/roll").content
    assert value["roll"] == {"size": len(rows), "hash": b64url(hashlib.sha256(roll).digest())}
    lines = [credentials.RollLine.from_json(json.loads(x)) for x in roll.splitlines()]
    registrar = from_b64url(value["keys"]["registrar"])
    assert all(line.valid(ballot_id, registrar) for line in lines)
    assert [line.pk for line in lines] == sorted(line.pk for line in lines)
    assert {credentials.fingerprint(line.pk) for line in lines} == {
        r["credential_fingerprint"] for r in rows
    }
    # v2: the trustees' election key, a point of the group, and no vote size
    assert group.is_point(from_b64url(value["keys"]["election"]))
    assert "vote_size" not in value


# --- receipts, the board, turnout, the seal ------------------------------------------


def test_receipts_the_board_and_turnout(client, clock) -> None:
    ballot_id, _key, rows = open_ballot(client, clock)
    value, digest = manifest_of(client, ballot_id)
    authority = from_b64url(value["keys"]["authority"])
    receipts: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=1):
        clock.advance(minutes=7)
        body = ballot_body(
            client, ballot_id, row["token"], {"choice": value["candidates"][0]["id"]}
        )
        own = hashlib.sha256(canonical_json(body)).digest()  # the voter's tracker
        answer = client.post(f"{BALLOTS}/{ballot_id}/cast", json=body)
        assert answer.status_code == 201, answer.text
        receipt = answer.json()
        assert set(receipt) == board.RECEIPT_FIELDS  # exactly the contract's fields
        assert (receipt["ballot"], receipt["round"], receipt["seq"]) == (ballot_id, 1, n)
        assert receipt["received_at"] == clock().isoformat(timespec="milliseconds")[:23] + "Z"
        assert receipt["tracker"] == b64url(own)
        assert receipt["prev"] == (b64url(digest) if n == 1 else receipts[-1]["hash"])
        parsed = board.Receipt.parse(receipt)
        assert (
            parsed.problem(own, manifest_hash=digest, authority=authority, ballot=ballot_id) is None
        )
        message = board.receipt_message(digest, n, parsed.prev, parsed.received_at, own)
        assert keys.verify(authority, parsed.signature, message)
        turnout = client.get(f"{BALLOTS}/{ballot_id}").json()["turnout"]
        assert turnout == {"ballots": n, "eligible": len(rows)}
        receipts.append(receipt)
        sent.append(body)

    page = client.get(f"{BALLOTS}/{ballot_id}/board").json()
    assert page["manifest_hash"] == b64url(digest)
    assert page["next_after"] is None
    assert page["seal"] is None
    for line, body, receipt in zip(page["entries"], sent, receipts, strict=True):
        # a board line (docs/protocol.md, "Board, receipts, seal") holds the ballot exactly as sent
        assert set(line) == {"seq", "received_at", "ballot", "tracker", "prev", "hash"}
        assert line["ballot"] == body
        assert {k: line[k] for k in ("seq", "received_at", "tracker", "prev", "hash")} == {
            k: receipt[k] for k in ("seq", "received_at", "tracker", "prev", "hash")
        }
    entries = board_entries(page)
    assert board.verify_board(digest, entries) is None
    for receipt in receipts:  # each voter finds its ballot by its tracker
        found = find(client, ballot_id, receipt["tracker"]).json()
        assert found["entry"]["seq"] == receipt["seq"]
        assert found["entry"]["tracker"] == receipt["tracker"]
        assert found["entry"]["received_at"] == receipt["received_at"]
        assert f"entry {receipt['seq']} of round 1" in found["message"]
        # recorded at a time as people read it, in the ballot's zone, not the raw ISO text
        assert receipt["received_at"] not in found["message"]
        assert re.search(r"recorded at \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d \(", found["message"])
    # the entry hash is not a tracker
    by_hash = find(client, ballot_id, receipts[0]["hash"])
    assert f.problem(by_hash, 404) == "No ballot with this tracker is on this board."
    # ?after= pages through the board
    after_two = client.get(f"{BALLOTS}/{ballot_id}/board?after=2").json()
    assert [e["seq"] for e in after_two["entries"]] == [3, 4, 5]
    assert after_two["entries"][0]["prev"] == receipts[1]["hash"]
    assert client.get(f"{BALLOTS}/{ballot_id}/board?after=5").json()["entries"] == []
    assert f.problem(client.get(f"{BALLOTS}/{ballot_id}/board?after=-3"), 400)
    # a tracker that is not on the board, or not a tracker at all
    unknown = find(client, ballot_id, b64url(bytes(32)))
    assert f.problem(unknown, 404) == "No ballot with this tracker is on this board."
    bad = find(client, ballot_id, "not*a*tracker")
    assert f.problem(bad, 422) == "The tracker is not unpadded base64url."


def find(client: f.Client, ballot_id: str, tracker: str) -> Any:
    return client.post(f"{BALLOTS}/{ballot_id}/board/find", json={"tracker": tracker})


def test_the_stored_ballot_is_what_the_voter_sent(client, clock) -> None:
    """The ballot as sent, its keys in any order, is stored as its canonical JSON; the
    board line gives it back and the tracker is its hash."""
    ballot_id, _key, rows = open_ballot(client, clock)
    body = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    shuffled = dict(reversed(list(body.items())))
    answer = client.post(f"{BALLOTS}/{ballot_id}/cast", json=shuffled)
    assert answer.status_code == 201, answer.text
    (line,) = client.get(f"{BALLOTS}/{ballot_id}/board").json()["entries"]
    assert canonical_json(line["ballot"]) == ballots.Ballot.parse(body).canonical()
    assert line["tracker"] == answer.json()["tracker"] == b64url(ballots.Ballot.parse(body).tracker)


def check_seal(client: f.Client, ballot_id: str, count: int, closed_at: str) -> dict[str, Any]:
    value, digest = manifest_of(client, ballot_id)
    page = client.get(f"{BALLOTS}/{ballot_id}/board").json()
    seal = page["seal"]
    head = page["entries"][-1]["hash"] if page["entries"] else b64url(digest)
    assert seal["count"] == count == len(page["entries"])
    assert seal["head"] == head
    assert seal["closed_at"] == closed_at
    authority = from_b64url(value["keys"]["authority"])
    message = board.seal_message(digest, count, from_b64url(head), closed_at)
    assert keys.verify(authority, from_b64url(seal["signature"]), message)
    # the same seal is in the event log
    closing = [e for e in events(client, ballot_id) if e["action"] == "close"][-1]
    assert closing["data"]["seal"] == seal
    return closing


def test_the_clock_closes_and_seals_the_board(client, clock) -> None:
    ballot_id, _key, rows = open_ballot(client, clock)
    value, _ = manifest_of(client, ballot_id)
    for row in rows[:3]:
        assert cast(client, ballot_id, row["token"], {"blank": True}).status_code == 201
    clock.advance(days=30)
    closing = check_seal(client, ballot_id, 3, value["closes_at"])
    assert closing["actor"] == "schedule:clock"


def test_an_early_close_seals_the_board_with_its_reason(client, clock) -> None:
    ballot_id, key, rows = open_ballot(client, clock)
    for row in rows:
        assert cast(client, ballot_id, row["token"], {"blank": True}).status_code == 201
    clock.advance(hours=2)
    closed = client.post(
        f"{BALLOTS}/{ballot_id}/close", json={"reason": "Every city has voted"}, headers=key
    )
    assert closed.status_code == 200, closed.text
    closing = check_seal(client, ballot_id, 5, "2027-01-22T11:00:00.000Z")
    assert closing["data"]["early"] is True
    assert closing["data"]["reason"] == "Every city has voted"
    assert closing["actor"] == "organiser:organiser@example.org"


def test_an_empty_board_is_sealed_on_the_manifest_hash(client, clock) -> None:
    ballot_id, key, _rows = open_ballot(client, clock)
    closed = client.post(f"{BALLOTS}/{ballot_id}/close", json={"reason": "Postponed"}, headers=key)
    assert closed.status_code == 200, closed.text
    check_seal(client, ballot_id, 0, "2027-01-22T09:00:00.000Z")
