"""The board of protocol v2 (docs/protocol.md, "Board, receipts, seal"): the entry hash, the
receipt's signed message and the seal's bytes as the contract writes them, board lines
read back, the chain's check, and a receipt held to the voter's own tracker."""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any

import pytest

from inmc_vote.domain.protocol import ballot as ballots
from inmc_vote.domain.protocol import board, group, keys, payload
from inmc_vote.domain.protocol.encoding import b64url, canonical_json

MANIFEST_HASH = hashlib.sha256(b"a manifest").digest()
WHEN = "2027-01-21T09:07:00.000Z"
CANDIDATES = ["city-1", "city-2", "city-3"]


def u64(n: int) -> bytes:
    return struct.pack(">Q", n)


def sha(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


@pytest.fixture(scope="module")
def election_key() -> bytes:
    return group.base_mul(group.random_scalar())


@pytest.fixture(scope="module")
def authority() -> tuple[bytes, bytes]:
    return keys.new_ed25519()


def a_ballot(election_key: bytes, n: int, vote: dict[str, Any] | None = None) -> dict[str, Any]:
    seed = hashlib.sha256(f"credential {n}".encode()).digest()
    encoded = payload.encode(vote or {"v": 1, "choice": CANDIDATES[n % 3]}, CANDIDATES)
    return ballots.build(MANIFEST_HASH, election_key, seed, encoded).to_json()


def chain(election_key: bytes, n: int) -> list[board.Entry]:
    entries, prev = [], MANIFEST_HASH
    for seq in range(1, n + 1):
        data = canonical_json(a_ballot(election_key, seq))
        tracker = board.tracker_of(data)
        digest = board.entry_hash(prev, seq, WHEN, tracker)
        entries.append(board.Entry(seq, WHEN, data, tracker, prev, digest))
        prev = digest
    return entries


# --- the bytes, as the contract writes them ----------------------------------------------


def test_the_hashes_and_messages_are_the_contracts_bytes() -> None:
    prev, tracker = bytes(range(32)), bytes(range(32, 64))
    assert board.entry_hash(prev, 7, WHEN, tracker) == sha(
        b"inmc-vote/v2/entry\x00", prev, u64(7), WHEN.encode(), b"\x00", tracker
    )
    assert board.receipt_message(MANIFEST_HASH, 7, prev, WHEN, tracker) == (
        b"inmc-vote/v2/receipt\x00"
        + MANIFEST_HASH
        + u64(7)
        + prev
        + WHEN.encode()
        + b"\x00"
        + tracker
    )
    assert board.seal_message(MANIFEST_HASH, 3, prev, WHEN) == (
        b"inmc-vote/v2/seal\x00" + MANIFEST_HASH + u64(3) + prev + WHEN.encode()
    )
    # A fixed vector, for the browser's twin (static/ballot/receipt.js).
    assert board.entry_hash(bytes(32), 1, "2027-01-21T09:00:00.000Z", bytes(32)).hex() == (
        sha(
            b"inmc-vote/v2/entry\x00",
            bytes(32),
            u64(1),
            b"2027-01-21T09:00:00.000Z\x00",
            bytes(32),
        ).hex()
    )


def test_the_tracker_is_the_ballots_own_hash(election_key) -> None:
    value = a_ballot(election_key, 1)
    expected = hashlib.sha256(canonical_json(value)).digest()
    assert board.tracker_of(value) == board.tracker_of(canonical_json(value)) == expected
    assert ballots.Ballot.parse(value).tracker == expected  # what the voter computes
    # the order of the keys as sent does not matter: the tracker hashes canonical JSON
    assert board.tracker_of(dict(reversed(list(value.items())))) == expected


# --- board lines and the chain ------------------------------------------------------------


def test_a_board_line_reads_back_as_written(election_key) -> None:
    for entry in chain(election_key, 3):
        line = entry.to_json()
        assert set(line) == {"seq", "received_at", "ballot", "tracker", "prev", "hash"}
        assert line["ballot"]["v"] == 2
        assert board.Entry.from_json(line) == entry
        assert board.Entry.from_json(json.loads(entry.line())) == entry
        assert entry.line() == canonical_json(line) + b"\n"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda line: line.pop("tracker"), "lacks tracker"),
        (lambda line: line.update(credential="x"), "unknown fields: credential"),
        (lambda line: line.update(seq=0), "«seq» is not a whole number"),
        (lambda line: line.update(seq="1"), "«seq» is not a whole number"),
        (lambda line: line.update(seq=True), "«seq» is not a whole number"),
        (lambda line: line.update(received_at=5), "«received_at» is not a text"),
        (lambda line: line.update(ballot="{}"), "«ballot» is not a JSON object"),
        (lambda line: line.update(prev=b64url(bytes(31))), "«prev» should be 32 bytes"),
        (lambda line: line.update(hash=line["hash"] + "="), "«hash» is not unpadded base64url"),
    ],
)
def test_a_board_line_that_is_not_one_is_refused(election_key, change, says) -> None:
    line = chain(election_key, 1)[0].to_json()
    change(line)
    with pytest.raises(board.BoardError, match=says):
        board.Entry.from_json(line)
    with pytest.raises(board.BoardError, match="a board line is a JSON object"):
        board.Entry.from_json([line])


def test_the_chain_checks_and_each_break_is_named(election_key) -> None:
    entries = chain(election_key, 4)
    assert board.verify_board(MANIFEST_HASH, entries) is None
    assert board.verify_board(MANIFEST_HASH, []) is None
    assert board.verify_board(bytes(32), entries) == "entry 1 does not follow the one before it"
    assert board.verify_board(MANIFEST_HASH, entries[:1] + entries[2:]) == ("entry 2 carries seq 3")
    # another ballot under the same tracker: the tracker is not its ballot's
    swapped = entries[2].__class__(
        3, WHEN, entries[1].ballot, entries[2].tracker, entries[2].prev, entries[2].hash
    )
    assert board.verify_board(MANIFEST_HASH, [*entries[:2], swapped, entries[3]]) == (
        "entry 3's tracker is not its ballot's"
    )
    # another time, the hash left as it was
    moved = board.Entry(
        2,
        "2027-01-21T09:08:00.000Z",
        entries[1].ballot,
        entries[1].tracker,
        entries[1].prev,
        entries[1].hash,
    )
    assert board.verify_board(MANIFEST_HASH, [entries[0], moved, *entries[2:]]) == (
        "entry 2 does not match its hash"
    )


# --- receipts -----------------------------------------------------------------------------


def issued(
    election_key: bytes, authority: tuple[bytes, bytes], seq: int = 2
) -> tuple[board.Receipt, dict[str, Any]]:
    entries = chain(election_key, 3)
    entry = entries[seq - 1]
    receipt = board.Receipt.issue(authority[0], MANIFEST_HASH, "b1", 1, entry)
    return receipt, entry.ballot_json()


def test_a_receipt_names_the_entry_and_the_authority_signs_it(election_key, authority) -> None:
    receipt, own = issued(election_key, authority)
    _seed, pk = authority
    value = receipt.to_json()
    assert set(value) == board.RECEIPT_FIELDS
    assert (value["ballot"], value["round"], value["seq"]) == ("b1", 1, 2)
    assert board.Receipt.parse(value) == receipt
    assert keys.verify(
        pk,
        receipt.signature,
        board.receipt_message(MANIFEST_HASH, 2, receipt.prev, receipt.received_at, receipt.tracker),
    )
    tracker = board.tracker_of(own)
    assert receipt.tracker == tracker
    assert receipt.problem(tracker) is None
    assert receipt.problem(tracker, manifest_hash=MANIFEST_HASH, authority=pk, ballot="b1") is None


def test_a_receipt_for_another_ballot_or_that_does_not_hold_is_refused(
    election_key, authority
) -> None:
    receipt, own = issued(election_key, authority)
    _, pk = authority
    mine = board.tracker_of(own)
    other_ballot = board.tracker_of(a_ballot(election_key, 9))
    full = {"manifest_hash": MANIFEST_HASH, "authority": pk}
    assert "receipt for another ballot" in (receipt.problem(other_ballot, **full) or "")
    assert "for ballot b1, not b2" in (receipt.problem(mine, ballot="b2") or "")

    def altered(**fields: Any) -> board.Receipt:
        return board.Receipt(**{**receipt.__dict__, **fields})

    for changed in (
        altered(seq=3),
        altered(prev=bytes(32)),
        altered(received_at="2027-01-21T09:07:00.001Z"),
        altered(hash=bytes(32)),
    ):
        assert "does not recompute" in (changed.problem(mine, **full) or "")
    # a first entry must follow the manifest hash
    first, first_ballot = issued(election_key, authority, seq=1)
    assert first.problem(board.tracker_of(first_ballot), **full) is None
    assert "does not recompute" in (
        first.problem(board.tracker_of(first_ballot), manifest_hash=bytes(32)) or ""
    )
    # signed by another key, or for another manifest
    stranger = keys.new_ed25519()[1]
    assert "not signed by the ballot's authority" in (
        receipt.problem(mine, manifest_hash=MANIFEST_HASH, authority=stranger) or ""
    )
    assert "not signed by the ballot's authority" in (
        receipt.problem(mine, manifest_hash=bytes(32), authority=pk) or ""
    )


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda r: r.pop("tracker"), "lacks tracker"),
        (lambda r: r.update(tracker_short="ABCD"), "unknown fields: tracker_short"),
        (lambda r: r.update(round=0), "«round» is not a whole number"),
        (lambda r: r.update(signature=b64url(bytes(32))), "«signature» should be 64 bytes"),
        (lambda r: r.update(tracker="not base64!"), "«tracker» is not unpadded base64url"),
    ],
)
def test_a_receipt_that_is_not_one_is_refused(election_key, authority, change, says) -> None:
    value = issued(election_key, authority)[0].to_json()
    change(value)
    with pytest.raises(board.BoardError, match=says):
        board.Receipt.parse(value)


def test_the_receipt_file_recomputes_the_tracker_from_the_kept_ballot(
    election_key, authority
) -> None:
    receipt, own = issued(election_key, authority)
    _, pk = authority
    kept = board.ReceiptFile(receipt, own)
    text = kept.text()
    assert set(json.loads(text)) == {"receipt", "ballot"}
    again = board.ReceiptFile.parse(text)
    assert (
        again == board.ReceiptFile.parse(text.encode()) == board.ReceiptFile.parse(json.loads(text))
    )
    assert again.tracker == receipt.tracker
    assert again.problem(manifest_hash=MANIFEST_HASH, authority=pk, ballot="b1") is None
    # city 7 kept city 6's receipt with its own ballot: caught without the server
    foreign = board.ReceiptFile(receipt, a_ballot(election_key, 7))
    assert "receipt for another ballot" in (foreign.problem() or "")
    # a ballot changed after the fact changes the tracker too
    changed = dict(own, alpha=own["beta"])
    assert "receipt for another ballot" in (board.ReceiptFile(receipt, changed).problem() or "")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"receipt": {}}', 'holds {"receipt": ..., "ballot": ...}'),
        ('{"receipt": {}, "ballot": "x"}', "«ballot» is not a JSON object"),
        ('{"receipt": {}, "ballot": {"v": 2.5}}', "holds a float"),
        ('{"receipt": {"seq": 1}, "ballot": {}}', "a receipt lacks"),
    ],
)
def test_a_receipt_file_that_is_not_one_is_refused(text, says) -> None:
    with pytest.raises(board.BoardError, match=says):
        board.ReceiptFile.parse(text)
