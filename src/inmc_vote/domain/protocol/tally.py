"""The tally record: what a round's tally did, signed by the authority.

It reveals the round's tally private key and tie-break seed, so that anyone can redo
every decryption, every classification and the count. One outcome line per board
entry (JSON Lines, in `seq` order) says what the tally made of it; the record carries
their number and hash, so that it stays small whatever the electorate.

    outcome line = canonical_json({"seq", "outcome", "reason", "vote"}) "\\n"
    record       = canonical_json({"format": "inmc-vote/tally/v1", "ballot", "round",
                     "manifest", "board": {"count", "head"}, "tally_key", "seed",
                     "outcomes": {"count", "hash"}, "result", "tallied_at"})
    tally hash   = SHA256(record); the authority signs "inmc-vote/tally-signature/v1" 0 hash
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag

from inmc_vote.domain.codes import InvalidReason, VerdictKind
from inmc_vote.domain.counting.rules import Rules
from inmc_vote.domain.counting.votes import Verdict, classify, invalid
from inmc_vote.domain.protocol import vote
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, labelled, sha256

FORMAT = "inmc-vote/tally/v1"


@dataclass(frozen=True)
class Opened:
    """One board entry as the tally judged it; `vote` is None when it could not be read."""

    verdict: Verdict
    vote: dict[str, Any] | None


def open_entry(
    ciphertext: bytes,
    credential: bytes,
    *,
    tally_private: bytes,
    manifest_hash: bytes,
    method: str,
    candidates: Sequence[str],
    rules: Rules,
) -> Opened:
    """Decrypt and judge one ballot, exactly as the server's tally and the verifier do."""
    try:
        plaintext = vote.decrypt(ciphertext, tally_private, manifest_hash, credential)
    except (InvalidTag, ValueError):
        return Opened(invalid(InvalidReason.UNDECRYPTABLE), None)
    try:
        value = vote.unpad(plaintext)
    except (ValueError, UnicodeDecodeError):
        return Opened(invalid(InvalidReason.MALFORMED), None)
    return Opened(classify(value, method, candidates, rules), value)


def outcome_line(seq: int, opened: Opened) -> bytes:
    return outcome_row_line(seq, opened.verdict.kind, opened.verdict.reason, opened.vote)


def outcome_row_line(
    seq: int, outcome: VerdictKind, reason: InvalidReason | None, vote_value: dict[str, Any] | None
) -> bytes:
    return (
        canonical_json({"seq": seq, "outcome": outcome, "reason": reason, "vote": vote_value})
        + b"\n"
    )


def build_record(
    *,
    ballot_id: str,
    round_number: int,
    manifest_hash: bytes,
    board_count: int,
    board_head: bytes,
    tally_private: bytes,
    seed: bytes,
    outcomes_count: int,
    outcomes_hash: bytes,
    result: dict[str, Any],
    tallied_at: str,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "ballot": ballot_id,
        "round": round_number,
        "manifest": b64url(manifest_hash),
        "board": {"count": board_count, "head": b64url(board_head)},
        "tally_key": b64url(tally_private),
        "seed": b64url(seed),
        "outcomes": {"count": outcomes_count, "hash": b64url(outcomes_hash)},
        "result": result,
        "tallied_at": tallied_at,
    }


def record_hash(record_bytes: bytes) -> bytes:
    return sha256(record_bytes)


def signed_message(tally_hash: bytes) -> bytes:
    """What the authority signs to vouch for a tally record (and so for its result)."""
    return labelled("inmc-vote/tally-signature/v1") + tally_hash
