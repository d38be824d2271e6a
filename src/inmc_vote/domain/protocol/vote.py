"""What a voter sends: the vote, padded, encrypted with HPKE (RFC 9180) to the tally key
and signed with the credential.

Suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode, single shot,
info = "inmc-vote/vote/v1" 0 manifest_hash credential_pk. The plaintext is the vote's
canonical JSON followed by zero bytes up to the manifest's `vote_size`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hpke

from inmc_vote.domain.codes import VoteKind
from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.encoding import (
    b64url,
    canonical_json,
    labelled,
    sha256,
)
from inmc_vote.domain.protocol.manifest import Manifest

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
# Fixed by the byte format (protocol v1, docs/design.md), so not settings: the browser
# and the verifier compute the same sizes.
ENC_BYTES = 32
TAG_BYTES = 16
VOTE_SIZE_STEP = 256


def vote_size_for(candidate_ids: list[str]) -> int:
    """A padded size that holds the longest vote this ballot allows (every candidate ranked)."""
    longest = max(
        len(canonical_json({"v": 1, VoteKind.RANKING: candidate_ids})),
        len(canonical_json({"v": 1, VoteKind.APPROVE: candidate_ids})),
        len(canonical_json({"v": 1, VoteKind.BLANK: True})),
    )
    return -(-longest // VOTE_SIZE_STEP) * VOTE_SIZE_STEP


def ciphertext_size(vote_size: int) -> int:
    return ENC_BYTES + vote_size + TAG_BYTES


def pad(vote: dict[str, Any], vote_size: int) -> bytes:
    data = canonical_json(vote)
    if len(data) > vote_size:
        raise ValueError(f"the vote takes {len(data)} bytes; this ballot allows {vote_size}")
    return data + b"\x00" * (vote_size - len(data))


def unpad(plaintext: bytes) -> dict[str, Any]:
    """The vote inside a padded plaintext; ValueError when it is not well formed."""
    data = plaintext.rstrip(b"\x00")
    if b"\x00" in data:
        raise ValueError("zero bytes inside the vote")
    value = json.loads(data.decode("utf-8"))
    if not isinstance(value, dict) or canonical_json(value) != data:
        raise ValueError("the vote is not canonical JSON")
    return value


def hpke_info(manifest_hash: bytes, credential_pk: bytes) -> bytes:
    return labelled("inmc-vote/vote/v1") + manifest_hash + credential_pk


def signed_message(manifest_hash: bytes, credential_pk: bytes, ciphertext: bytes) -> bytes:
    return labelled("inmc-vote/ballot/v1") + manifest_hash + credential_pk + sha256(ciphertext)


def encrypt(plaintext: bytes, tally_pk: bytes, manifest_hash: bytes, credential_pk: bytes) -> bytes:
    return SUITE.encrypt(
        plaintext, keys.x25519_public_key(tally_pk), info=hpke_info(manifest_hash, credential_pk)
    )


def decrypt(
    ciphertext: bytes, tally_private: bytes, manifest_hash: bytes, credential_pk: bytes
) -> bytes:
    return SUITE.decrypt(
        ciphertext,
        keys.x25519_private_key(tally_private),
        info=hpke_info(manifest_hash, credential_pk),
    )


@dataclass(frozen=True)
class Ballot:
    """A cast ballot: {manifest_hash, credential, ciphertext, signature} in base64url."""

    manifest_hash: bytes
    credential: bytes
    ciphertext: bytes
    signature: bytes

    def to_json(self) -> dict[str, str]:
        return {
            "manifest_hash": b64url(self.manifest_hash),
            "credential": b64url(self.credential),
            "ciphertext": b64url(self.ciphertext),
            "signature": b64url(self.signature),
        }

    def signature_valid(self) -> bool:
        return keys.verify(
            self.credential,
            self.signature,
            signed_message(self.manifest_hash, self.credential, self.ciphertext),
        )


def make_ballot(
    vote: dict[str, Any],
    token_seed: bytes,
    manifest: Manifest | Mapping[str, Any],
    manifest_hash: bytes,
) -> Ballot:
    """What `inmc-vote cast` and the tests send: the same bytes the browser makes. The
    manifest may be given as read or as its JSON object."""
    if not isinstance(manifest, Manifest):
        manifest = Manifest.parse(manifest)
    credential = keys.ed25519_public(token_seed)
    tally_pk = manifest.keys.tally
    ciphertext = encrypt(pad(vote, manifest.vote_size), tally_pk, manifest_hash, credential)
    signature = keys.sign(token_seed, signed_message(manifest_hash, credential, ciphertext))
    return Ballot(manifest_hash, credential, ciphertext, signature)
