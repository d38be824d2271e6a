"""A ballot's keys: made at freeze, private halves sealed at rest with the secret key.

authority (Ed25519): signs the manifest, receipts, the seal and the results;
registrar (Ed25519): signs each credential on the roll;
tally (X25519, HPKE): votes are encrypted to it; under trustee custody the server
only ever has its public half until the tally.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote import security
from inmc_vote.db.engine import AT_REST_KEY
from inmc_vote.db.models import BallotKeys
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.manifest import tiebreak_commitment

SERVER = "server"
TRUSTEE = "trustee"


@dataclass(frozen=True)
class Keyring:
    authority_pk: bytes
    authority_seed: bytes
    registrar_pk: bytes
    registrar_seed: bytes | None  # None when the tokens were issued offline
    tally_pk: bytes
    tally_custody: str
    seed_commitment: bytes


def at_rest_key(session: AsyncSession) -> bytes:
    key = session.info.get(AT_REST_KEY)
    if key is None:
        raise RuntimeError("this Database was opened without the at-rest key (secret key)")
    return key


def _purpose(ballot_id: str, name: str) -> str:
    return f"{ballot_id}/{name}"


async def make_keys(
    session: AsyncSession, ballot_id: str, trustee_tally_pk: bytes | None, now: datetime
) -> BallotKeys:
    """Make the ballot's keys and tie-break seed (once, at freeze)."""
    secret_key = at_rest_key(session)
    if await session.get(BallotKeys, ballot_id) is not None:
        raise Conflict("This ballot's keys already exist.")
    if trustee_tally_pk is not None and len(trustee_tally_pk) != 32:
        raise Invalid(
            "A trustee's tally public key is 32 bytes (base64url), as written by "
            "`inmc-vote trustee keygen`."
        )
    authority_seed, authority_pk = keys.new_ed25519()
    registrar_seed, registrar_pk = keys.new_ed25519()
    if trustee_tally_pk is None:
        tally_sk, tally_pk = keys.new_x25519()
        tally_sealed: bytes | None = security.seal_at_rest(
            secret_key, _purpose(ballot_id, "tally"), tally_sk
        )
    else:
        tally_pk, tally_sealed = trustee_tally_pk, None
    seed = secrets.token_bytes(32)
    row = BallotKeys(
        ballot_id=ballot_id,
        authority_pk=authority_pk,
        authority_sealed=security.seal_at_rest(
            secret_key, _purpose(ballot_id, "authority"), authority_seed
        ),
        registrar_pk=registrar_pk,
        registrar_sealed=security.seal_at_rest(
            secret_key, _purpose(ballot_id, "registrar"), registrar_seed
        ),
        tally_pk=tally_pk,
        tally_sealed=tally_sealed,
        tally_custody=SERVER if trustee_tally_pk is None else TRUSTEE,
        seed_sealed=security.seal_at_rest(secret_key, _purpose(ballot_id, "seed"), seed),
        seed_commitment=tiebreak_commitment(seed),
        created_at=now,
    )
    session.add(row)
    return row


async def authority_seed(session: AsyncSession, ballot_id: str) -> bytes:
    """Only the authority's private key: what receipts and seals need (the casting path)."""
    row = await session.get(BallotKeys, ballot_id)
    if row is None:
        raise Conflict("This ballot has no keys yet: they are made at freeze.")
    return security.open_at_rest(
        at_rest_key(session), _purpose(ballot_id, "authority"), row.authority_sealed
    )


async def load(session: AsyncSession, ballot_id: str) -> Keyring:
    secret_key = at_rest_key(session)
    row = await session.get(BallotKeys, ballot_id)
    if row is None:
        raise Conflict("This ballot has no keys yet: it is made at freeze.")
    return Keyring(
        authority_pk=row.authority_pk,
        authority_seed=security.open_at_rest(
            secret_key, _purpose(ballot_id, "authority"), row.authority_sealed
        ),
        registrar_pk=row.registrar_pk,
        registrar_seed=None
        if row.registrar_sealed is None
        else security.open_at_rest(
            secret_key, _purpose(ballot_id, "registrar"), row.registrar_sealed
        ),
        tally_pk=row.tally_pk,
        tally_custody=row.tally_custody,
        seed_commitment=row.seed_commitment,
    )
