"""A ballot's keys: made at freeze, private halves sealed at rest with the secret key.

Each function that seals or opens a private half is given that key (`at_rest_key`,
from `Database.at_rest_key`) as an argument, so no hidden state rides on the session.

authority (Ed25519): signs the manifest, receipts, the seal and the results;
registrar (Ed25519): signs each credential on the roll;
tally (X25519, HPKE): votes are encrypted to it; under trustee custody the server
only ever has its public half until the tally.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import BallotKeys, RoundKeys
from inmc_vote.domain.codes import Custody
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.manifest import tiebreak_commitment
from inmc_vote.services import security


@dataclass(frozen=True)
class Keyring:
    authority_pk: bytes
    authority_seed: bytes
    registrar_pk: bytes
    registrar_seed: bytes | None  # None when the tokens were issued offline
    tally_pk: bytes
    tally_custody: str
    seed_commitment: bytes


def _purpose(ballot_id: str, name: str) -> str:
    return f"{ballot_id}/{name}"


def _round_purpose(ballot_id: str, round_number: int, name: str) -> str:
    # round 1 keeps the purposes it had before rounds had keys of their own
    return _purpose(ballot_id, name if round_number == 1 else f"round-{round_number}/{name}")


async def make_keys(
    session: AsyncSession,
    at_rest_key: bytes,
    ballot_id: str,
    trustee_tally_pk: bytes | None,
    now: datetime,
) -> Keyring:
    """Make the ballot's signing keys, and round 1's tally key and seed (once, at freeze)."""
    if await session.get(BallotKeys, ballot_id) is not None:
        raise Conflict("This ballot's keys already exist.")
    authority_seed, authority_pk = keys.new_ed25519()
    registrar_seed, registrar_pk = keys.new_ed25519()
    session.add(
        BallotKeys(
            ballot_id=ballot_id,
            authority_pk=authority_pk,
            authority_sealed=security.seal_at_rest(
                at_rest_key, _purpose(ballot_id, "authority"), authority_seed
            ),
            registrar_pk=registrar_pk,
            registrar_sealed=security.seal_at_rest(
                at_rest_key, _purpose(ballot_id, "registrar"), registrar_seed
            ),
            created_at=now,
        )
    )
    made = await make_round_keys(session, at_rest_key, ballot_id, 1, trustee_tally_pk, now)
    return Keyring(
        authority_pk=authority_pk,
        authority_seed=authority_seed,
        registrar_pk=registrar_pk,
        registrar_seed=registrar_seed,
        tally_pk=made.tally_pk,
        tally_custody=made.tally_custody,
        seed_commitment=made.seed_commitment,
    )


async def make_round_keys(
    session: AsyncSession,
    at_rest_key: bytes,
    ballot_id: str,
    round_number: int,
    trustee_tally_pk: bytes | None,
    now: datetime,
) -> RoundKeys:
    """A round's own tally key (or the trustee's public half) and tie-break seed.

    Each round has fresh ones: both are revealed at the round's tally."""
    if trustee_tally_pk is not None:
        if len(trustee_tally_pk) != 32:
            raise Invalid(
                "A trustee's tally public key is 32 bytes (base64url), as written by "
                "`inmc-vote trustee keygen`."
            )
        used = await session.execute(
            select(RoundKeys.round).where(
                RoundKeys.ballot_id == ballot_id, RoundKeys.tally_pk == trustee_tally_pk
            )
        )
        if used.first() is not None:
            raise Invalid(
                "This tally public key was already used by an earlier round, whose tally "
                "revealed its private half: the trustee makes a new one with "
                "`inmc-vote trustee keygen`."
            )
    if trustee_tally_pk is None:
        tally_sk, tally_pk = keys.new_x25519()
        tally_sealed: bytes | None = security.seal_at_rest(
            at_rest_key, _round_purpose(ballot_id, round_number, "tally"), tally_sk
        )
    else:
        tally_pk, tally_sealed = trustee_tally_pk, None
    seed = secrets.token_bytes(32)
    row = RoundKeys(
        ballot_id=ballot_id,
        round=round_number,
        tally_pk=tally_pk,
        tally_sealed=tally_sealed,
        tally_custody=Custody.SERVER if trustee_tally_pk is None else Custody.TRUSTEE,
        seed_sealed=security.seal_at_rest(
            at_rest_key, _round_purpose(ballot_id, round_number, "seed"), seed
        ),
        seed_commitment=tiebreak_commitment(seed),
        created_at=now,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class RoundSecrets:
    """What a round's tally reveals: the tally private key (None under trustee custody,
    until the trustee brings it) and the tie-break seed."""

    tally_private: bytes | None
    seed: bytes


async def round_secrets(
    session: AsyncSession, at_rest_key: bytes, ballot_id: str, round_number: int
) -> RoundSecrets:
    row = await _round_row(session, ballot_id, round_number)
    return RoundSecrets(
        tally_private=None
        if row.tally_sealed is None
        else security.open_at_rest(
            at_rest_key, _round_purpose(ballot_id, round_number, "tally"), row.tally_sealed
        ),
        seed=security.open_at_rest(
            at_rest_key, _round_purpose(ballot_id, round_number, "seed"), row.seed_sealed
        ),
    )


async def _round_row(session: AsyncSession, ballot_id: str, round_number: int) -> RoundKeys:
    row = await session.get(RoundKeys, (ballot_id, round_number))
    if row is None:
        raise Conflict(f"This ballot has no keys for round {round_number}.")
    return row


async def authority_seed(session: AsyncSession, at_rest_key: bytes, ballot_id: str) -> bytes:
    """Only the authority's private key: what receipts and seals need (the casting path)."""
    row = await session.get(BallotKeys, ballot_id)
    if row is None:
        raise Conflict("This ballot has no keys yet: they are made at freeze.")
    return security.open_at_rest(
        at_rest_key, _purpose(ballot_id, "authority"), row.authority_sealed
    )


async def load(
    session: AsyncSession, at_rest_key: bytes, ballot_id: str, round_number: int = 1
) -> Keyring:
    """The ballot's signing keys, opened, with the public part of a round's keys."""
    row = await session.get(BallotKeys, ballot_id)
    if row is None:
        raise Conflict("This ballot has no keys yet: they are made at freeze.")
    current = await _round_row(session, ballot_id, round_number)
    return Keyring(
        authority_pk=row.authority_pk,
        authority_seed=security.open_at_rest(
            at_rest_key, _purpose(ballot_id, "authority"), row.authority_sealed
        ),
        registrar_pk=row.registrar_pk,
        registrar_seed=None
        if row.registrar_sealed is None
        else security.open_at_rest(
            at_rest_key, _purpose(ballot_id, "registrar"), row.registrar_sealed
        ),
        tally_pk=current.tally_pk,
        tally_custody=current.tally_custody,
        seed_commitment=current.seed_commitment,
    )
