"""The tally record of protocol v2: what a round's tally did, signed by the authority
(docs/protocol.md, "Lot seed").

No key is revealed. The record names the mix's input (the sealed board's ciphertexts,
one per counted credential, in seq order), every shuffle and every decryption (by the
SHA-256 of the trustee's exact message bytes, which the bundle holds), the lot seed
(from the seal's head and the trustees' reveals) and the decrypted votes in the mixed
order, attached to no ballot. One vote line per mixed ciphertext (JSON Lines, position
from 1) says what the tally made of it; the record carries their number and hash.

    vote line    = canonical_json({"position", "outcome", "reason", "vote"}) "\\n"
    record       = canonical_json({"format": "inmc-vote/tally/v2", "ballot", "round",
                     "manifest", "board": {"count", "head"},
                     "mix": {"input": {"count", "hash"},
                             "shuffles": [{"index", "trustee", "hash"}], "output"},
                     "decryptions": [{"trustee", "hash"}], "lot": {"seed"},
                     "votes": {"count", "hash"}, "result", "tallied_at"})
    tally hash   = SHA256(record); the authority signs "inmc-vote/tally-signature/v1" 0 hash

A round whose board is empty has nothing to mix: `mix.shuffles` is empty and
`mix.output` equals `mix.input.hash` (the hash of the empty list); the trustees
send nothing: `decryptions` is empty and `lot.seed` is null (no vote is counted, so no
lot is ever drawn).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.codes import InvalidReason, VerdictKind
from inmc_vote.domain.counting.rules import Rules
from inmc_vote.domain.counting.votes import Verdict, classify, invalid
from inmc_vote.domain.protocol import payload
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, labelled, sha256

FORMAT = "inmc-vote/tally/v2"


@dataclass(frozen=True)
class Opened:
    """One decrypted vote as the tally judged it; `vote` is None when it could not be read."""

    verdict: Verdict
    vote: dict[str, Any] | None


def judge(
    point: bytes | None,
    *,
    method: str,
    candidates: Sequence[str],
    rules: Rules,
) -> Opened:
    """Read and judge one decrypted point M_i (None when the combined factor equals beta,
    the identity), exactly as the server's tally and the verifier do: extract the payload
    (protocol.md, 'The vote payload'), decode it against the round's candidates, then
    classify it."""
    if point is None:
        return Opened(invalid(InvalidReason.MALFORMED), None)
    data = payload.extract(point)
    if data is None:
        return Opened(invalid(InvalidReason.MALFORMED), None)
    value = payload.decode(data, list(candidates))
    if value is None:
        return Opened(invalid(InvalidReason.MALFORMED), None)
    return Opened(classify(value, method, candidates, rules), value)


def vote_line(position: int, opened: Opened) -> bytes:
    return vote_row_line(position, opened.verdict.kind, opened.verdict.reason, opened.vote)


def vote_row_line(
    position: int,
    outcome: VerdictKind,
    reason: InvalidReason | None,
    vote_value: dict[str, Any] | None,
) -> bytes:
    """One line of votes.jsonl: the position in the mixed order (from 1), what the tally
    made of the vote, and the decoded vote (null when malformed)."""
    return (
        canonical_json(
            {"position": position, "outcome": outcome, "reason": reason, "vote": vote_value}
        )
        + b"\n"
    )


@dataclass(frozen=True)
class ShuffleRef:
    index: int
    trustee: int
    hash: bytes  # SHA-256 of the shuffle message's exact bytes


@dataclass(frozen=True)
class DecryptionRef:
    trustee: int
    hash: bytes  # SHA-256 of the decryption message's exact bytes


def build_record(
    *,
    ballot_id: str,
    round_number: int,
    manifest_hash: bytes,
    board_count: int,
    board_head: bytes,
    input_count: int,
    input_hash: bytes,
    shuffles: Sequence[ShuffleRef],
    output_hash: bytes,
    decryptions: Sequence[DecryptionRef],
    seed: bytes | None,
    votes_count: int,
    votes_hash: bytes,
    result: dict[str, Any],
    tallied_at: str,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "ballot": ballot_id,
        "round": round_number,
        "manifest": b64url(manifest_hash),
        "board": {"count": board_count, "head": b64url(board_head)},
        "mix": {
            "input": {"count": input_count, "hash": b64url(input_hash)},
            "shuffles": [
                {"index": s.index, "trustee": s.trustee, "hash": b64url(s.hash)} for s in shuffles
            ],
            "output": b64url(output_hash),
        },
        "decryptions": [{"trustee": d.trustee, "hash": b64url(d.hash)} for d in decryptions],
        "lot": {"seed": None if seed is None else b64url(seed)},
        "votes": {"count": votes_count, "hash": b64url(votes_hash)},
        "result": result,
        "tallied_at": tallied_at,
    }


def record_hash(record_bytes: bytes) -> bytes:
    return sha256(record_bytes)


def message_hash(message_bytes: bytes) -> bytes:
    """How the record names a shuffle or decryption message: SHA-256 of its exact bytes."""
    return sha256(message_bytes)


def signed_message(tally_hash: bytes) -> bytes:
    """What the authority signs to vouch for a tally record (and so for its result)."""
    return labelled("inmc-vote/tally-signature/v1") + tally_hash
