"""The manifest: what a round of a ballot is, fixed and hashed. Its hash is the ballot's
fingerprint, shown on every page and bound into every ballot, receipt and seal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.protocol import readable
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, labelled, sha256

FORMAT = "inmc-vote/manifest/v1"


@dataclass(frozen=True)
class Candidate:
    id: str
    city: str
    country: str


def build(
    *,
    ballot_id: str,
    round_number: int,
    title: str,
    question: str,
    method: str,
    rules: dict[str, Any],
    candidates: list[Candidate],
    eligible: int,
    opens_at: str | None,
    closes_at: str,
    authority_pk: bytes,
    registrar_pk: bytes,
    tally_pk: bytes,
    tally_custody: str,
    roll_size: int,
    roll_hash: bytes,
    tiebreak_commitment: bytes,
    vote_size: int,
    previous_manifest: bytes | None = None,
    previous_result: bytes | None = None,
) -> dict[str, Any]:
    """The manifest as a JSON value; `canonical_json` of it is what is hashed and served."""
    return {
        "format": FORMAT,
        "ballot": ballot_id,
        "round": round_number,
        "title": title,
        "question": question,
        "method": method,
        "rules": rules,
        "candidates": [{"id": c.id, "city": c.city, "country": c.country} for c in candidates],
        "eligible": eligible,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "keys": {
            "authority": b64url(authority_pk),
            "registrar": b64url(registrar_pk),
            "tally": b64url(tally_pk),
            "tally_custody": tally_custody,
        },
        "roll": {"size": roll_size, "hash": b64url(roll_hash)},
        "tiebreak_commitment": b64url(tiebreak_commitment),
        "vote_size": vote_size,
        "previous": None
        if previous_manifest is None
        else {
            "manifest": b64url(previous_manifest),
            "result": b64url(previous_result) if previous_result else None,
        },
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return canonical_json(manifest)


def manifest_hash(manifest_data: bytes) -> bytes:
    return sha256(manifest_data)


def short_fingerprint(digest: bytes) -> str:
    """The first 80 bits of a hash in 4 groups of 4, for people to compare aloud."""
    return readable.grouped(readable.encode(digest[:10]))


def tiebreak_commitment(seed: bytes) -> bytes:
    return sha256(seed)


def signed_message(manifest_hash_value: bytes) -> bytes:
    """What the authority signs to vouch for a manifest."""
    return labelled("inmc-vote/manifest-signature/v1") + manifest_hash_value
