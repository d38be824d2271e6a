"""The mix's messages and lists (docs/protocol.md, "Mixing"): the shuffle message
(signed as every trustee message, trustee_message.py) and the ciphertext lists as JSON
Lines.

    shuffle message = canonical_json({"format": "inmc-vote/v2/shuffle", "ballot",
                        "round", "trustee", "index", "input": list_hash(input),
                        "output": [[alpha, beta], ...], "proof": {...}, "signature"})
    signature       = Ed25519(trustee's signing key, labelled("inmc-vote/v2/trustee")
                        ‖ SHA-256(canonical_json(message without "signature")))
    a list line     = canonical_json([alpha, beta]) "\\n"    (GET .../mix/input)

The mix's input for round r is the ciphertext of every entry of the round's sealed
board, in seq order: one entry per credential (the board's unique key), and none of a
revoked credential (casting refuses a revoked credential, and a credential that has
voted in the round cannot be revoked in it), so every entry counts.

Checking a shuffle (the server and the verifier): the message is canonical JSON with
exactly these fields; `trustee` is a member of the manifest's trustees and the signature
is by its `signing_key`; `input` is list_hash of the previous shuffle's output (of the
mix's input for index 1); `output` has as many ciphertexts as the input; and
`shuffle.verify(manifest hash, election key, input, output, proof)` holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.protocol import shuffle
from inmc_vote.domain.protocol.encoding import (
    b64url,
    canonical_json,
    from_b64url,
    sha256,
)
from inmc_vote.domain.protocol.shuffle import Ciphertext
from inmc_vote.domain.protocol.trustee_message import sign

SHUFFLE_FORMAT = "inmc-vote/v2/shuffle"
SHUFFLE_FIELDS = frozenset(
    {"format", "ballot", "round", "trustee", "index", "input", "output", "proof", "signature"}
)


class MessageError(ValueError):
    """A message that is not what the protocol writes; the text says which part."""


def ciphertext_json(ct: Ciphertext) -> list[str]:
    return [b64url(ct[0]), b64url(ct[1])]


def read_ciphertext(value: Any) -> Ciphertext:
    """[alpha, beta] as two 32-byte strings (whether they are points is for the proofs)."""
    if not isinstance(value, list) or len(value) != 2:
        raise MessageError("a ciphertext is a list [alpha, beta]")
    try:
        alpha, beta = from_b64url(value[0]), from_b64url(value[1])
    except ValueError:
        raise MessageError("a ciphertext's alpha and beta are unpadded base64url") from None
    if len(alpha) != 32 or len(beta) != 32:
        raise MessageError("a ciphertext's alpha and beta are 32 bytes each")
    return alpha, beta


def list_lines(cts: Iterable[Ciphertext]) -> bytes:
    """The JSON Lines of a ciphertext list, as GET .../mix/input serves it."""
    return b"".join(canonical_json(ciphertext_json(ct)) + b"\n" for ct in cts)


def read_list_lines(data: bytes) -> list[Ciphertext]:
    return [read_ciphertext(json.loads(line)) for line in data.splitlines() if line.strip()]


@dataclass(frozen=True)
class ShuffleMessage:
    ballot: str
    round: int
    trustee: int
    index: int
    input: bytes  # list_hash of the list it shuffles
    output: tuple[Ciphertext, ...]
    proof: shuffle.Proof
    value: dict[str, Any]  # the message as parsed, for its signature

    @property
    def output_hash(self) -> bytes:
        return shuffle.list_hash(self.output)


def build_shuffle(
    *,
    ballot_id: str,
    round_number: int,
    trustee: int,
    index: int,
    input_hash: bytes,
    output: Sequence[Ciphertext],
    proof: shuffle.Proof,
    signing_seed: bytes,
) -> bytes:
    """A signed shuffle message's exact bytes."""
    message = {
        "format": SHUFFLE_FORMAT,
        "ballot": ballot_id,
        "round": round_number,
        "trustee": trustee,
        "index": index,
        "input": b64url(input_hash),
        "output": [ciphertext_json(ct) for ct in output],
        "proof": proof.to_json(),
    }
    return canonical_json(sign(message, signing_seed))


def _count(value: Any, what: str) -> int:
    if type(value) is not int or value < 1:
        raise MessageError(f"{what} is a whole number from 1")
    return value


def read_shuffle(data: bytes) -> ShuffleMessage:
    """Parse a shuffle message, checking its form only (canonical JSON, exactly its
    fields, their types); MessageError names what is wrong."""
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise MessageError("the shuffle message is not JSON") from None
    if not isinstance(value, dict) or set(value) != SHUFFLE_FIELDS:
        raise MessageError(
            "a shuffle message has exactly the fields " + ", ".join(sorted(SHUFFLE_FIELDS))
        )
    if value["format"] != SHUFFLE_FORMAT:
        raise MessageError(f"the format is not {SHUFFLE_FORMAT}")
    try:
        if canonical_json(value) != data:
            raise MessageError("the shuffle message is not canonical JSON")
    except (TypeError, ValueError):
        raise MessageError("the shuffle message is not canonical JSON") from None
    if not isinstance(value["ballot"], str):
        raise MessageError("ballot is a text")
    if not isinstance(value["output"], list):
        raise MessageError("output is a list of ciphertexts")
    try:
        input_hash = from_b64url(value["input"])
    except ValueError:
        raise MessageError("input is unpadded base64url") from None
    if len(input_hash) != 32:
        raise MessageError("input is a 32-byte hash")
    try:
        proof = shuffle.Proof.from_json(value["proof"])
    except ValueError as error:
        raise MessageError(f"the proof is malformed: {error}") from None
    return ShuffleMessage(
        ballot=value["ballot"],
        round=_count(value["round"], "round"),
        trustee=_count(value["trustee"], "trustee"),
        index=_count(value["index"], "index"),
        input=input_hash,
        output=tuple(read_ciphertext(ct) for ct in value["output"]),
        proof=proof,
        value=value,
    )


def message_hash(data: bytes) -> bytes:
    """How events, the mix's state and the tally record name a message: SHA-256 of its bytes."""
    return sha256(data)
