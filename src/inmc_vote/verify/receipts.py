"""A voter's signed receipt against the board: found, forged, foreign, not theirs,
changed or missing.

The file a voter keeps holds the receipt and the voter's own ballot (`board.ReceiptFile`),
so the tracker is recomputed here from the ballot, never taken from the receipt: a
receipt swapped for another voter's (genuine, signed, on the board) does not pass. A
bare receipt (what the API answers to a cast) is judged too, but only the file proves
that the receipt is the voter's own, and the words say so. A receipt the authority
signed whose entry is not on the board is proof that the server took a ballot back.
Used by `inmc-vote verify --receipt`."""

from __future__ import annotations

import json
from dataclasses import dataclass

from inmc_vote.domain.protocol import board
from inmc_vote.domain.protocol.board import ReceiptFile
from inmc_vote.domain.protocol.encoding import b64url


@dataclass(frozen=True)
class Judgement:
    ok: bool
    words: str


def read_receipt(data: bytes | str) -> ReceiptFile | board.Receipt:
    """The file `inmc-vote cast --receipt-out` and the voting page save,
    `{"receipt": {...}, "ballot": {...}}`, or a bare receipt as the API answers it;
    ValueError saying what is wrong."""
    try:
        value = json.loads(data)
    except ValueError:
        raise ValueError("this is not a receipt file: it is not JSON") from None
    if isinstance(value, dict) and "receipt" not in value and "ballot" in value:
        return board.Receipt.parse(value)
    return ReceiptFile.parse(value)


def judge(
    kept: ReceiptFile | board.Receipt,
    *,
    ballot: str,
    manifest_hash: bytes | None,
    authority: bytes,
    entry: board.Entry | None,
    board_count: int,
    sealed: bool,
) -> Judgement:
    """`manifest_hash` is the receipt's round's (None: no such round); `entry` the board's
    entry at the receipt's number (None: the board stops before it)."""
    receipt = kept.receipt if isinstance(kept, ReceiptFile) else kept
    own = kept.tracker if isinstance(kept, ReceiptFile) else None
    where = f"entry {receipt.seq:,} of round {receipt.round}"
    if receipt.ballot != ballot:
        return Judgement(
            False, f"FOREIGN: this receipt is for ballot {receipt.ballot}, not {ballot}"
        )
    if manifest_hash is None:
        return Judgement(False, f"FOREIGN: ballot {ballot} has no round {receipt.round} here")
    if isinstance(kept, ReceiptFile) and kept.ballot.get("manifest_hash") != b64url(manifest_hash):
        return Judgement(False, "FOREIGN: the ballot in this file was made for another round")
    if not receipt.signed_by(authority, manifest_hash) or receipt.recomputed() != receipt.hash:
        return Judgement(
            False,
            "FORGED: the signature is not this ballot's authority's: the server did not give "
            "this receipt, or it was changed since",
        )
    if own is not None and own != receipt.tracker:
        return Judgement(
            False,
            "NOT YOURS: the ballot in this file has the tracker "
            f"{b64url(own)[:10]}…, the receipt names {b64url(receipt.tracker)[:10]}…: "
            "it is another ballot's receipt",
        )
    if entry is None:
        if sealed:
            return Judgement(
                False,
                f"MISSING: the authority signed this receipt for {where}, but the sealed "
                f"board stops at entry {board_count:,}: a recorded ballot was taken back",
            )
        return Judgement(
            False,
            f"NOT YET: this bundle's board stops at entry {board_count:,}, before {where}: "
            "check it against a newer bundle",
        )
    if (entry.tracker, entry.hash, entry.received_at) != (
        receipt.tracker,
        receipt.hash,
        receipt.received_at,
    ):
        return Judgement(
            False,
            f"CHANGED: the authority signed this receipt for {where}, but that entry on the "
            "board is another ballot: the board was rewritten after the receipt was given",
        )
    if own is None:
        return Judgement(
            True,
            f"found: {where}, received at {receipt.received_at}, its tracker "
            f"({b64url(receipt.tracker)[:10]}…) on the board and the signature the "
            "authority's (a bare receipt: only the file with your ballot proves it is yours)",
        )
    return Judgement(
        True,
        f"found: {where}, received at {receipt.received_at}, the tracker of your own ballot "
        f"({b64url(own)[:10]}…) on the board and the signature the authority's",
    )
