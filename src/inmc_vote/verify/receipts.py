"""A voter's signed receipt against the board: found, forged, foreign, or missing.

A receipt the authority signed whose entry is not on the board is proof that the
server took a ballot back. Used by `inmc-vote verify --receipt` and the board page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.protocol import board, keys
from inmc_vote.domain.protocol.encoding import from_b64url

FILE_FORMAT = "inmc-vote/receipt-file/v1"  # written by `inmc-vote cast --receipt`
KEPT_FORMAT = "inmc-vote/receipt/v1"  # downloaded from the voting page


@dataclass(frozen=True)
class Receipt:
    ballot: str
    round: int
    seq: int
    hash: bytes
    received_at: str
    signature: bytes
    manifest_hash: bytes | None = None  # when the file names it
    authority: bytes | None = None


@dataclass(frozen=True)
class Judgement:
    ok: bool
    words: str


def read_receipt(data: bytes | str) -> Receipt:
    """A receipt as the API answers it, as the voting page saves it, or as `inmc-vote
    cast` writes it; ValueError saying what is wrong."""
    try:
        value = json.loads(data)
    except ValueError:
        raise ValueError("this is not a receipt: it is not JSON") from None
    if not isinstance(value, dict):
        raise ValueError("this is not a receipt: it is not a JSON object")
    outer = value
    if value.get("format") == FILE_FORMAT:
        value = value.get("receipt")
        if not isinstance(value, dict):
            raise ValueError("this receipt file holds no receipt")
    elif value.get("format") not in (None, KEPT_FORMAT):
        raise ValueError(f"this is not a receipt: its format is {value.get('format')}")
    try:
        seq, number = value["seq"], value["round"]
        if type(seq) is not int or type(number) is not int or seq < 1 or number < 1:
            raise TypeError("seq and round are numbers")
        return Receipt(
            ballot=str(value["ballot"]),
            round=number,
            seq=seq,
            hash=_key(value["hash"], 32),
            received_at=str(value["received_at"]),
            signature=_key(value["signature"], 64),
            manifest_hash=_optional(outer.get("manifest_hash"), 32),
            authority=_optional(outer.get("authority"), 32),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"this receipt cannot be read ({error})") from None


def _key(text: Any, size: int) -> bytes:
    data = from_b64url(text)
    if len(data) != size:
        raise ValueError(f"expected {size} bytes, not {len(data)}")
    return data


def _optional(text: Any, size: int) -> bytes | None:
    return None if text is None else _key(text, size)


def judge(
    receipt: Receipt,
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
    where = f"entry {receipt.seq:,} of round {receipt.round}"
    if receipt.ballot != ballot:
        return Judgement(
            False, f"FOREIGN: this receipt is for ballot {receipt.ballot}, not {ballot}"
        )
    if manifest_hash is None:
        return Judgement(False, f"FOREIGN: ballot {ballot} has no round {receipt.round} here")
    if receipt.manifest_hash is not None and receipt.manifest_hash != manifest_hash:
        return Judgement(False, "FOREIGN: this receipt names another manifest (another ballot)")
    if receipt.authority is not None and receipt.authority != authority:
        return Judgement(False, "FOREIGN: this receipt names another authority key")
    message = board.receipt_message(manifest_hash, receipt.seq, receipt.hash)
    if not keys.verify(authority, receipt.signature, message):
        return Judgement(
            False,
            "FORGED: the signature is not this ballot's authority's: the server did not give "
            "this receipt, or it was changed since",
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
    if entry.hash != receipt.hash or entry.received_at != receipt.received_at:
        return Judgement(
            False,
            f"CHANGED: the authority signed this receipt for {where}, but that entry on the "
            "board is another ballot: the board was rewritten after the receipt was given",
        )
    return Judgement(
        True,
        f"found: {where}, received at {receipt.received_at}, its tracker on the board and "
        "its signature the authority's",
    )
