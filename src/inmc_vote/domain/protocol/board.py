"""The public board of protocol v2: a hash chain of every ballot received, the receipts it
gives, and the seal that closes it (docs/protocol.md, "Board, receipts, seal").

    tracker    = SHA-256(canonical_json(ballot))            (computed by the voter too)
    entry.hash = SHA-256("inmc-vote/v2/entry" 0 ‖ prev ‖ u64(seq) ‖ received_at ‖ 0 ‖ tracker)
    prev of entry 1 = the manifest hash
    receipt    = the authority's signature over
                 "inmc-vote/v2/receipt" 0 ‖ mh ‖ u64(seq) ‖ prev ‖ received_at ‖ 0 ‖ tracker
    seal       = the authority's signature over
                 "inmc-vote/v2/seal" 0 ‖ mh ‖ u64(count) ‖ head ‖ closed_at

A board line is `{seq, received_at, ballot: {...the ballot JSON...}, tracker, prev, hash}`.
A receipt names the voter's own tracker: a voter refuses a receipt that names another,
or whose hash does not recompute (`Receipt.problem`). The receipt file a voter keeps is
`{"receipt": {...}, "ballot": {...own ballot...}}` (`ReceiptFile`), from which anyone
recomputes the tracker.

Standard library and `keys` only, so that the verifier and the voter's tools read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.encoding import (
    b64url,
    canonical_json,
    from_b64url,
    labelled,
    sha256,
    u64,
)

ENTRY_LABEL = "inmc-vote/v2/entry"
RECEIPT_LABEL = "inmc-vote/v2/receipt"
SEAL_LABEL = "inmc-vote/v2/seal"

RECEIPT_FIELDS = frozenset(
    {"ballot", "round", "seq", "prev", "received_at", "tracker", "hash", "signature"}
)
LINE_FIELDS = frozenset({"seq", "received_at", "ballot", "tracker", "prev", "hash"})
HASH_BYTES = 32
SIGNATURE_BYTES = 64


class BoardError(ValueError):
    """A board line or a receipt that cannot be read; the message says what is wrong."""


def tracker_of(ballot: Mapping[str, Any] | bytes) -> bytes:
    """A ballot's tracker: SHA-256 of its canonical JSON (given as the JSON object, or as
    its canonical bytes)."""
    return sha256(ballot if isinstance(ballot, bytes) else canonical_json(ballot))


def entry_hash(prev: bytes, seq: int, received_at: str, tracker: bytes) -> bytes:
    """The entry's hash, which chains it to the one before it."""
    return sha256(labelled(ENTRY_LABEL), prev, u64(seq), received_at.encode(), b"\x00", tracker)


def receipt_message(
    manifest_hash: bytes, seq: int, prev: bytes, received_at: str, tracker: bytes
) -> bytes:
    """What the authority signs in a receipt."""
    return (
        labelled(RECEIPT_LABEL)
        + manifest_hash
        + u64(seq)
        + prev
        + received_at.encode()
        + b"\x00"
        + tracker
    )


def seal_message(manifest_hash: bytes, count: int, head: bytes, closed_at: str) -> bytes:
    """What the authority signs at closing; `head` is the last entry's hash (the manifest
    hash for an empty board)."""
    return labelled(SEAL_LABEL) + manifest_hash + u64(count) + head + closed_at.encode()


def _bytes(value: object, size: int, what: str) -> bytes:
    try:
        data = from_b64url(value)
    except ValueError:
        raise BoardError(f"its «{what}» is not unpadded base64url") from None
    if len(data) != size:
        raise BoardError(f"its «{what}» should be {size} bytes, not {len(data)}")
    return data


def _count(value: object, what: str) -> int:
    if type(value) is not int or value < 1:
        raise BoardError(f"its «{what}» is not a whole number from 1")
    return value


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise BoardError(f"its «{what}» is not a text")
    return value


def _fields(value: object, wanted: frozenset[str], what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BoardError(f"{what} is a JSON object")
    missing, extra = wanted - set(value), set(value) - wanted
    if missing:
        raise BoardError(f"{what} lacks {', '.join(sorted(missing))}")
    if extra:
        raise BoardError(f"{what} has unknown fields: {', '.join(sorted(extra))}")
    return value


@dataclass(frozen=True)
class Entry:
    """One board entry. `ballot` is the ballot's canonical JSON bytes, as stored."""

    seq: int
    received_at: str
    ballot: bytes
    tracker: bytes
    prev: bytes
    hash: bytes

    def recomputed(self) -> bytes:
        return entry_hash(self.prev, self.seq, self.received_at, self.tracker)

    def ballot_json(self) -> dict[str, Any]:
        value = json.loads(self.ballot)
        assert isinstance(value, dict)
        return value

    def to_json(self) -> dict[str, Any]:
        """The board line as a JSON object (protocol.md, 'Board, receipts, seal')."""
        return {
            "seq": self.seq,
            "received_at": self.received_at,
            "ballot": self.ballot_json(),
            "tracker": b64url(self.tracker),
            "prev": b64url(self.prev),
            "hash": b64url(self.hash),
        }

    def line(self) -> bytes:
        """The board line as canonical JSON and a newline (the bundle's board files)."""
        return canonical_json(self.to_json()) + b"\n"

    @classmethod
    def from_json(cls, value: object) -> Entry:
        """A board line read back; BoardError says what is wrong. The ballot is kept as
        its canonical bytes; that the tracker is their hash is `verify_board`'s check."""
        line = _fields(value, LINE_FIELDS, "a board line")
        ballot = line["ballot"]
        if not isinstance(ballot, dict):
            raise BoardError("its «ballot» is not a JSON object")
        try:
            ballot_bytes = canonical_json(ballot)
        except TypeError:
            raise BoardError("its «ballot» is not canonical JSON (it holds a float)") from None
        return cls(
            _count(line["seq"], "seq"),
            _text(line["received_at"], "received_at"),
            ballot_bytes,
            _bytes(line["tracker"], HASH_BYTES, "tracker"),
            _bytes(line["prev"], HASH_BYTES, "prev"),
            _bytes(line["hash"], HASH_BYTES, "hash"),
        )


def verify_board(manifest_hash: bytes, entries: list[Entry]) -> str | None:
    """Check the chain from the manifest hash, and each tracker against its ballot;
    return what is wrong, or None."""
    prev = manifest_hash
    for expected, entry in enumerate(entries, start=1):
        if entry.seq != expected:
            return f"entry {expected} carries seq {entry.seq}"
        if entry.prev != prev:
            return f"entry {entry.seq} does not follow the one before it"
        if tracker_of(entry.ballot) != entry.tracker:
            return f"entry {entry.seq}'s tracker is not its ballot's"
        if entry.recomputed() != entry.hash:
            return f"entry {entry.seq} does not match its hash"
        prev = entry.hash
    return None


@dataclass(frozen=True)
class Receipt:
    """The authority's receipt for one ballot (protocol.md, 'Board, receipts, seal'): the entry the
    board made of it."""

    ballot: str
    round: int
    seq: int
    prev: bytes
    received_at: str
    tracker: bytes
    hash: bytes
    signature: bytes

    @classmethod
    def issue(
        cls,
        authority_seed: bytes,
        manifest_hash: bytes,
        ballot: str,
        round_number: int,
        entry: Entry,
    ) -> Receipt:
        """The receipt for `entry`, signed by the authority."""
        message = receipt_message(
            manifest_hash, entry.seq, entry.prev, entry.received_at, entry.tracker
        )
        return cls(
            ballot,
            round_number,
            entry.seq,
            entry.prev,
            entry.received_at,
            entry.tracker,
            entry.hash,
            keys.sign(authority_seed, message),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ballot": self.ballot,
            "round": self.round,
            "seq": self.seq,
            "prev": b64url(self.prev),
            "received_at": self.received_at,
            "tracker": b64url(self.tracker),
            "hash": b64url(self.hash),
            "signature": b64url(self.signature),
        }

    @classmethod
    def parse(cls, value: object) -> Receipt:
        """A receipt as the server answers it; BoardError says what is wrong (exactly the
        eight fields of protocol.md, 'Board, receipts, seal', each well formed)."""
        found = _fields(value, RECEIPT_FIELDS, "a receipt")
        return cls(
            _text(found["ballot"], "ballot"),
            _count(found["round"], "round"),
            _count(found["seq"], "seq"),
            _bytes(found["prev"], HASH_BYTES, "prev"),
            _text(found["received_at"], "received_at"),
            _bytes(found["tracker"], HASH_BYTES, "tracker"),
            _bytes(found["hash"], HASH_BYTES, "hash"),
            _bytes(found["signature"], SIGNATURE_BYTES, "signature"),
        )

    def message(self, manifest_hash: bytes) -> bytes:
        return receipt_message(manifest_hash, self.seq, self.prev, self.received_at, self.tracker)

    def recomputed(self) -> bytes:
        return entry_hash(self.prev, self.seq, self.received_at, self.tracker)

    def signed_by(self, authority: bytes, manifest_hash: bytes) -> bool:
        return keys.verify(authority, self.signature, self.message(manifest_hash))

    def problem(
        self,
        own_tracker: bytes,
        *,
        manifest_hash: bytes | None = None,
        authority: bytes | None = None,
        ballot: str | None = None,
    ) -> str | None:
        """What is wrong with this receipt for the ballot whose tracker is `own_tracker`,
        or None. Checked in order: the ballot's id (when given), the tracker, the hash
        (and, with `manifest_hash`, entry 1's prev), the authority's signature (with both
        `manifest_hash` and `authority`)."""
        if ballot is not None and self.ballot != ballot:
            return f"the receipt is for ballot {self.ballot}, not {ballot}"
        if self.tracker != own_tracker:
            return (
                "the receipt names another ballot's tracker: the server answered with a "
                "receipt for another ballot, not for yours"
            )
        if self.recomputed() != self.hash or (
            manifest_hash is not None and self.seq == 1 and self.prev != manifest_hash
        ):
            return "the receipt's entry hash does not recompute from its own fields"
        if (
            manifest_hash is not None
            and authority is not None
            and not self.signed_by(authority, manifest_hash)
        ):
            return "the receipt is not signed by the ballot's authority key"
        return None


@dataclass(frozen=True)
class ReceiptFile:
    """What a voter keeps: `{"receipt": {...}, "ballot": {...own ballot...}}` (protocol.md, 'Board,
    receipts, seal'). The
    tracker is recomputed from the ballot, never taken from the receipt."""

    receipt: Receipt
    ballot: dict[str, Any]

    @property
    def tracker(self) -> bytes:
        return tracker_of(self.ballot)

    def to_json(self) -> dict[str, Any]:
        return {"receipt": self.receipt.to_json(), "ballot": self.ballot}

    def text(self) -> str:
        """The file's text (indented, keys sorted, a final newline)."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def parse(cls, data: bytes | str | Mapping[str, Any]) -> ReceiptFile:
        """A receipt file as text or as its JSON object; BoardError says what is wrong.
        Other top-level fields are ignored."""
        value: object = data
        if isinstance(data, bytes | str):
            try:
                value = json.loads(data)
            except ValueError:
                raise BoardError("this is not a receipt file: it is not JSON") from None
        if not isinstance(value, Mapping):
            raise BoardError("this is not a receipt file: it is not a JSON object")
        if "receipt" not in value or "ballot" not in value:
            raise BoardError('this is not a receipt file: it holds {"receipt": ..., "ballot": ...}')
        ballot = value["ballot"]
        if not isinstance(ballot, dict):
            raise BoardError("the receipt file's «ballot» is not a JSON object")
        try:
            canonical_json(ballot)
        except TypeError:
            raise BoardError("the receipt file's «ballot» holds a float") from None
        return cls(Receipt.parse(value["receipt"]), ballot)

    def problem(
        self,
        *,
        manifest_hash: bytes | None = None,
        authority: bytes | None = None,
        ballot: str | None = None,
    ) -> str | None:
        """`Receipt.problem` against the tracker of the ballot the file keeps."""
        return self.receipt.problem(
            self.tracker, manifest_hash=manifest_hash, authority=authority, ballot=ballot
        )
