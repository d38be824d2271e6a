"""A ballot's signing keys: made at freeze, private halves sealed at rest with the secret key.

Each function that seals or opens a private half is given that key (`at_rest_key`,
from `Database.at_rest_key`) as an argument, so no hidden state rides on the session.

authority (Ed25519): signs the manifest, receipts, the seal and the results;
registrar (Ed25519): signs each credential on the roll.

Protocol v2 has no server tally key and no server tie-break seed: votes are encrypted to
the trustees' election key (steps/ceremony.py) and the lot's seed comes from the
trustees' reveals, so the server holds nothing that could read a vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import BallotKeys
from inmc_vote.domain.errors import Conflict
from inmc_vote.domain.protocol import keys
from inmc_vote.services import security


@dataclass(frozen=True)
class Keyring:
    authority_pk: bytes
    authority_seed: bytes
    registrar_pk: bytes
    registrar_seed: bytes | None  # None when the tokens were issued offline


def _purpose(ballot_id: str, name: str) -> str:
    return f"{ballot_id}/{name}"


async def make_keys(
    session: AsyncSession,
    at_rest_key: bytes,
    ballot_id: str,
    now: datetime,
    *,
    server_registrar: bool,
) -> Keyring:
    """Make the ballot's signing keys (once, at freeze), for all its rounds. Without
    `server_registrar` (offline custody) the registrar's private half is dropped at once:
    its public half only holds the place until the offline roll names the real one."""
    if await session.get(BallotKeys, ballot_id) is not None:
        raise Conflict("This ballot's keys already exist.")
    authority_seed, authority_pk = keys.new_ed25519()
    registrar_seed: bytes | None
    registrar_seed, registrar_pk = keys.new_ed25519()
    if not server_registrar:
        registrar_seed = None
    session.add(
        BallotKeys(
            ballot_id=ballot_id,
            authority_pk=authority_pk,
            authority_sealed=security.seal_at_rest(
                at_rest_key, _purpose(ballot_id, "authority"), authority_seed
            ),
            registrar_pk=registrar_pk,
            registrar_sealed=None
            if registrar_seed is None
            else security.seal_at_rest(
                at_rest_key, _purpose(ballot_id, "registrar"), registrar_seed
            ),
            created_at=now,
        )
    )
    return Keyring(
        authority_pk=authority_pk,
        authority_seed=authority_seed,
        registrar_pk=registrar_pk,
        registrar_seed=registrar_seed,
    )


async def authority_seed(session: AsyncSession, at_rest_key: bytes, ballot_id: str) -> bytes:
    """Only the authority's private key: what receipts and seals need (the casting path)."""
    row = await session.get(BallotKeys, ballot_id)
    if row is None:
        raise Conflict("This ballot has no keys yet: they are made at freeze.")
    return security.open_at_rest(
        at_rest_key, _purpose(ballot_id, "authority"), row.authority_sealed
    )


async def load(session: AsyncSession, at_rest_key: bytes, ballot_id: str) -> Keyring:
    """The ballot's signing keys, opened (the same for every round)."""
    row = await session.get(BallotKeys, ballot_id)
    if row is None:
        raise Conflict("This ballot has no keys yet: they are made at freeze.")
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
    )


async def opens(session: AsyncSession, at_rest_key: bytes) -> bool:
    """Whether `at_rest_key` opens the keys already sealed (True when none is): one sealed
    key is enough, since every one is sealed under the same secret key."""
    row = (await session.execute(select(BallotKeys).limit(1))).scalar_one_or_none()
    if row is None:
        return True
    try:
        security.open_at_rest(
            at_rest_key, _purpose(row.ballot_id, "authority"), row.authority_sealed
        )
    except InvalidTag:
        return False
    return True


async def reseal_all(session: AsyncSession, old_key: bytes, new_key: bytes) -> int:
    """Open every sealed private key with `old_key` and seal it again under `new_key`;
    returns how many ballots' keys moved. InvalidTag if `old_key` does not open one."""
    rows = (await session.execute(select(BallotKeys).with_for_update())).scalars().all()
    for row in rows:
        for name in ("authority", "registrar"):
            sealed = getattr(row, f"{name}_sealed")
            if sealed is None:  # a registrar kept offline
                continue
            purpose = _purpose(row.ballot_id, name)
            plain = security.open_at_rest(old_key, purpose, sealed)
            setattr(row, f"{name}_sealed", security.seal_at_rest(new_key, purpose, plain))
    return len(rows)
