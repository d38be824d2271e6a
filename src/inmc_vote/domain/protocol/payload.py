"""A vote as 28 bytes, and those bytes as a point of the group (protocol v2).

ElGamal encrypts a group element, so the vote must fit in one: 28 bytes of payload
leave room for a 2-byte counter and the two high bytes that keep the encoding below
the field prime. The layout (docs/protocol.md, "The vote payload"):

    byte 0      2 (the format)
    byte 1      the kind: 0 blank, 1 choice, 2 ranking, 3 approval
    bytes 2..27 blank: zeros; choice: the candidate's 1-based index, then zeros;
                ranking: the indices in rank order, a 0, zeros (26 ranks at most);
                approval: a bitmap, index i at byte 2 + (i-1)//8, bit (i-1)%8.

Decoding gives the vote record counting has always taken, so that judging and counting
(`domain/counting/votes.py`) are the same code as before; an index that names no
candidate becomes the id "#<n>", which no candidate has, so it is judged
"unknown-candidate"; any other departure from the layout is "malformed" (None here).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

from inmc_vote.domain.codes import VoteKind
from inmc_vote.domain.protocol import group

PAYLOAD_BYTES = 28
FORMAT = 2
MAX_RANKS = PAYLOAD_BYTES - 2  # 26
MAX_CHOICE = 255
MAX_APPROVAL = (PAYLOAD_BYTES - 2) * 8  # 208
_MAX_COUNTER = 2**16

_KIND_CODES: dict[VoteKind, int] = {
    VoteKind.BLANK: 0,
    VoteKind.CHOICE: 1,
    VoteKind.RANKING: 2,
    VoteKind.APPROVE: 3,
}
_KINDS = {code: kind for kind, code in _KIND_CODES.items()}


class PayloadError(ValueError):
    """A vote that this layout cannot write (too many ranks, an unknown candidate)."""


def encode(vote: Mapping[str, Any], candidate_ids: Sequence[str]) -> bytes:
    """The 28 bytes of a vote record `{"v": 1, kind: value}`; PayloadError says why not."""
    kinds = [key for key in vote if key != "v"]
    if vote.get("v") != 1 or len(kinds) != 1:
        raise PayloadError("a vote is {'v': 1} and one of blank, choice, ranking, approve")
    kind = VoteKind(kinds[0])
    value = vote[kind]
    index = {candidate: position for position, candidate in enumerate(candidate_ids, 1)}

    def position_of(candidate: object) -> int:
        if not isinstance(candidate, str) or candidate not in index:
            raise PayloadError(f"{candidate!r} is not a candidate of this round")
        return index[candidate]

    body = bytearray(PAYLOAD_BYTES - 2)
    if kind == VoteKind.BLANK:
        if value is not True:
            raise PayloadError("a blank vote is {'blank': true}")
    elif kind == VoteKind.CHOICE:
        position = position_of(value)
        if position > MAX_CHOICE:
            raise PayloadError(f"a choice names one of the first {MAX_CHOICE} candidates")
        body[0] = position
    elif kind == VoteKind.RANKING:
        ranking = [position_of(candidate) for candidate in value]
        if len(ranking) > MAX_RANKS:
            raise PayloadError(f"a ranking holds at most {MAX_RANKS} candidates")
        if any(position > 255 for position in ranking):
            raise PayloadError("a ranking names one of the first 255 candidates")
        body[: len(ranking)] = bytes(ranking)
    else:
        for position in (position_of(candidate) for candidate in value):
            if position > MAX_APPROVAL:
                raise PayloadError(f"an approval names one of the first {MAX_APPROVAL}")
            body[(position - 1) // 8] |= 1 << ((position - 1) % 8)
    return bytes([FORMAT, _KIND_CODES[kind]]) + bytes(body)


def decode(payload: bytes, candidate_ids: Sequence[str]) -> dict[str, Any] | None:
    """The vote record the payload holds, or None when it is malformed."""
    if len(payload) != PAYLOAD_BYTES or payload[0] != FORMAT or payload[1] not in _KINDS:
        return None
    kind, body = _KINDS[payload[1]], payload[2:]
    key = kind.value

    def candidate(position: int) -> str:
        if 1 <= position <= len(candidate_ids):
            return candidate_ids[position - 1]
        return f"#{position}"

    if kind == VoteKind.BLANK:
        return {"v": 1, key: True} if not any(body) else None
    if kind == VoteKind.CHOICE:
        if body[0] == 0 or any(body[1:]):
            return None
        return {"v": 1, key: candidate(body[0])}
    if kind == VoteKind.RANKING:
        end = body.find(0)
        ranks, rest = (body, b"") if end < 0 else (body[:end], body[end:])
        if any(rest):
            return None
        return {"v": 1, key: [candidate(position) for position in ranks]}
    approved = [
        position
        for position in range(1, MAX_APPROVAL + 1)
        if body[(position - 1) // 8] >> ((position - 1) % 8) & 1
    ]
    return {"v": 1, key: [candidate(position) for position in approved]}


def embed(payload: bytes) -> bytes:
    """The first point `payload ‖ u16le(c) ‖ 00 00`, c = 0, 1, ..., that is a point of the
    prime-order subgroup (about one candidate in 16 is)."""
    if len(payload) != PAYLOAD_BYTES:
        raise PayloadError(f"a payload is {PAYLOAD_BYTES} bytes")
    for counter in range(_MAX_COUNTER):
        candidate = payload + struct.pack("<H", counter) + b"\x00\x00"
        if group.is_point(candidate):
            return candidate
    raise PayloadError("no counter embeds this payload")  # probability (15/16)^65536


def extract(point: bytes) -> bytes | None:
    """The payload of a decrypted point, or None when the point is not an embedding
    (its two high bytes are not zero)."""
    if len(point) != 32 or point[30:] != b"\x00\x00":
        return None
    return point[:PAYLOAD_BYTES]
