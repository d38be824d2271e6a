"""A trustee's part after the vote closes, on the trustee's own machine: shuffle the
round's last list, then decrypt the mixed list (docs/protocol.md, "Mixing" and "Decryption").

`make_shuffle` and `make_decryption` are pure: they take the lists and the trustee's
secrets and return the exact message bytes to send. `shuffle_round` and
`decrypt_round` drive them over the server's API through any `Transport` (the
trustee's HTTP client, `tools/trustee_client.py`, or a test client), reading the mix's
state first and checking what they download against the hashes it states, so that a
trustee never shuffles or decrypts a list other than the one the mix names."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from inmc_vote.domain.protocol import decryption, lot, manifest, mixing, shuffle
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url
from inmc_vote.domain.protocol.shuffle import Ciphertext
from inmc_vote.tools.trustee import TrusteeFile


class MixError(Exception):
    """Why the trustee cannot act now, for a person."""


@dataclass(frozen=True)
class TrusteeSecrets:
    """What a trustee needs after the ceremony: its index, its key share x_l, its signing
    seed and its lot secret ρ (all from its key file)."""

    index: int
    share: bytes
    signing_seed: bytes
    lot_secret: bytes


def make_shuffle(
    *,
    ballot_id: str,
    round_number: int,
    index: int,
    manifest_hash: bytes,
    election_key: bytes,
    cts_in: Sequence[Ciphertext],
    secrets: TrusteeSecrets,
) -> bytes:
    """Re-encrypt and permute `cts_in`, prove it, and sign the shuffle message."""
    output, secret = shuffle.shuffle(cts_in, election_key)
    proof = shuffle.prove(manifest_hash, election_key, cts_in, output, secret)
    return mixing.build_shuffle(
        ballot_id=ballot_id,
        round_number=round_number,
        trustee=secrets.index,
        index=index,
        input_hash=shuffle.list_hash(cts_in),
        output=output,
        proof=proof,
        signing_seed=secrets.signing_seed,
    )


def make_decryption(
    *,
    ballot_id: str,
    round_number: int,
    manifest_hash: bytes,
    verification_key: bytes,
    cts: Sequence[Ciphertext],
    secrets: TrusteeSecrets,
) -> bytes:
    """The trustee's factors of `cts` with their proofs and its lot reveal, signed."""
    message = decryption.make_decryption(
        ballot=ballot_id,
        round=round_number,
        trustee=secrets.index,
        manifest_hash=manifest_hash,
        share=secrets.share,
        verification_key=verification_key,
        ciphertexts=cts,
        lot_reveal=lot.reveal(secrets.lot_secret, round_number),
        signing_seed=secrets.signing_seed,
    )
    return canonical_json(message)


class Transport(Protocol):
    """The few calls the trustee's tool makes (paths under /api/v1/ballots/{id})."""

    def get_bytes(self, path: str) -> bytes: ...

    def post_bytes(self, path: str, body: bytes) -> dict[str, Any]: ...


def _query(round_number: int | None) -> str:
    return "" if round_number is None else f"?round={round_number}"


def mix_state(transport: Transport, round_number: int | None = None) -> dict[str, Any]:
    state = json.loads(transport.get_bytes(f"/mix{_query(round_number)}"))
    assert isinstance(state, dict)
    return state


def _manifest(transport: Transport, round_number: int) -> tuple[dict[str, Any], bytes]:
    data = transport.get_bytes(f"/manifest?round={round_number}")
    return json.loads(data), manifest.manifest_hash(data)


def last_list(transport: Transport, state: dict[str, Any]) -> list[Ciphertext]:
    """The list the next shuffle takes (and the trustees decrypt), checked against the
    mix state's `last_output` hash."""
    number = state["round"]
    if state["shuffles"]:
        last = state["shuffles"][-1]["index"]
        data = transport.get_bytes(f"/mix/shuffles/{last}?round={number}")
        cts = [mixing.read_ciphertext(ct) for ct in json.loads(data)["output"]]
    else:
        cts = mixing.read_list_lines(transport.get_bytes(f"/mix/input?round={number}"))
    if b64url(shuffle.list_hash(cts)) != state["last_output"]:
        raise MixError("The list downloaded is not the one the mix's state names: try again.")
    return cts


def _turn(
    transport: Transport, index: int, round_number: int | None, what: str
) -> tuple[dict[str, Any], dict[str, Any], bytes, list[Ciphertext]]:
    """The mix's state, the round's manifest and its hash, and the list to `what`
    ("shuffle" or "decrypt"), once the state says trustee `index` may do so now."""
    state = mix_state(transport, round_number)
    if index not in state["next"][what]:
        raise MixError(_why_not(state, index, what))
    stated, digest = _manifest(transport, state["round"])
    return state, stated, digest, last_list(transport, state)


def shuffle_round(
    transport: Transport, secrets: TrusteeSecrets, round_number: int | None = None
) -> dict[str, Any]:
    """Download the round's last list, shuffle it and send the shuffle; the server's answer."""
    state, stated, digest, cts = _turn(transport, secrets.index, round_number, "shuffle")
    body = make_shuffle(
        ballot_id=state["ballot"],
        round_number=state["round"],
        index=state["next"]["index"],
        manifest_hash=digest,
        election_key=from_b64url(stated["keys"]["election"]),
        cts_in=cts,
        secrets=secrets,
    )
    return transport.post_bytes("/mix/shuffles", body)


def decrypt_round(
    transport: Transport, secrets: TrusteeSecrets, round_number: int | None = None
) -> dict[str, Any]:
    """Download the last shuffle's output, decrypt it and send the decryption."""
    state, stated, digest, cts = _turn(transport, secrets.index, round_number, "decrypt")
    member = next(m for m in stated["trustees"]["members"] if m["index"] == secrets.index)
    body = make_decryption(
        ballot_id=state["ballot"],
        round_number=state["round"],
        manifest_hash=digest,
        verification_key=from_b64url(member["verification_key"]),
        cts=cts,
        secrets=secrets,
    )
    return transport.post_bytes("/decryptions", body)


def _why_not(state: dict[str, Any], index: int, what: str) -> str:
    number = state["round"]
    if state["tallied"]:
        return f"Round {number} is already tallied."
    if not state["sealed"]:
        return f"Round {number} is not closed yet: the mix starts once voting closes."
    if state["input"]["count"] == 0:
        return f"Round {number}'s board is empty: there is nothing to {what}."
    if what == "shuffle":
        if any(s["trustee"] == index for s in state["shuffles"]):
            return f"You have already shuffled round {number}."
        if state["decryptions"]:
            return f"Decryption of round {number} has started: no further shuffle is taken."
    else:
        if any(d["trustee"] == index for d in state["decryptions"]):
            return f"You have already sent your decryption of round {number}."
        if len(state["shuffles"]) < state["threshold"]:
            return (
                f"Decryption starts once {state['threshold']} trustees have shuffled; "
                f"{len(state['shuffles'])} have."
            )
    return f"You may not {what} round {number} now."


def secrets_of(file: TrusteeFile) -> TrusteeSecrets:
    """A trustee key file's secrets for the tally."""
    if file.share is None:
        raise MixError(
            "This key file holds no key share: the key ceremony was not completed with it "
            "(`inmc-vote trustee check`)."
        )
    return TrusteeSecrets(file.trustee, file.share, file.signing_seed, file.lot_rho)
