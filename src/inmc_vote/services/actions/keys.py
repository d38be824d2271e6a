"""The secret key's rotation: every sealed private key re-sealed under a new secret key."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag

from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import N_, Conflict
from inmc_vote.services.steps import keyring

WRONG_OLD_KEY = N_(
    "The current secret key does not open the keys sealed in this database: nothing was "
    "changed. Set INMC_SECRET_KEY or INMC_SECRET_KEY_FILE to the key the server runs with."
)


async def rotate(db: Database, new_key: bytes) -> int:
    """Re-seal every ballot's private keys under `new_key`, all or none (one transaction),
    from the key `db` was opened with; returns how many ballots' keys were re-sealed."""
    if new_key == db.at_rest_key:
        raise Conflict("The new secret key is the current one: nothing to rotate.")
    async with db.write() as session:
        try:
            return await keyring.reseal_all(session, db.at_rest_key, new_key)
        except InvalidTag:
            raise Conflict(WRONG_OLD_KEY) from None
