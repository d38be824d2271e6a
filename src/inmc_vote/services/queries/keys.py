"""Whether the secret key fits the database, asked before serving."""

from __future__ import annotations

from inmc_vote.db.engine import Database
from inmc_vote.db.urls import shown_url
from inmc_vote.services.steps import keyring


async def secret_key_opens_sealed_keys(db: Database) -> bool:
    """A key that does not open them would make every cast and seal fail (InvalidTag):
    typically a server started in another directory, which made itself a new key file."""
    async with db.read() as session:
        return await keyring.opens(session, db.at_rest_key)


async def secret_key_problem(db: Database, key_source: str) -> str | None:
    """The one-line refusal to serve when the secret key does not fit, naming the key's
    source and the database; None when it fits."""
    if await secret_key_opens_sealed_keys(db):
        return None
    return (
        f"The secret key ({key_source}) does not open the keys sealed in the database "
        f"{shown_url(db.url)}: start the server with the key it was made with "
        "(INMC_SECRET_KEY or INMC_SECRET_KEY_FILE; a server started in another directory "
        "makes itself a new key file)."
    )
