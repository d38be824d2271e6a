"""The token letters as a download, shared by the JSON API and the organiser's pages:
issue the tokens (once) or replace a lost one, and answer the ZIP of letters.

Nothing here is kept: the ZIP is built in memory and leaves in the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from litestar import Response

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.documents.token_letters import InBoth, Letter, letters_zip
from inmc_vote.services import actions, queries
from inmc_vote.services.actors import Actor
from inmc_vote.web.attachment import attachment

ZIP = "application/zip"


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str


def zip_response(download: Download, status_code: int = 200) -> Response[bytes]:
    return Response(
        download.content,
        media_type=ZIP,
        status_code=status_code,
        headers={
            "Content-Disposition": attachment(download.filename),
            "Cache-Control": "no-store",
        },
    )


async def issue_letters(
    db: Database, settings: Settings, actor: Actor, ballot_id: str, now: datetime
) -> Download:
    """Issue the ballot's tokens (once) and pack their letters."""
    issued = await actions.tokens.issue_tokens(db, actor, ballot_id, now)
    ballot = await queries.ballots.get_ballot(db, ballot_id)
    content = letters_zip(
        title=issued.title,
        question=issued.question,
        closes=InBoth.time(ballot.closes_at, ballot.timezone),
        manifest_hash=issued.manifest_hash,
        base_url=settings.base_url,
        ballot_id=ballot_id,
        letters=issued.letters,
    )
    return Download(content, f"tokens-{ballot_id}.zip")


async def _current_letters_zip(
    db: Database, settings: Settings, ballot_id: str, letters: list[Letter]
) -> bytes:
    """Letters made after issuing (unsent or replacements) carry the ballot's current
    manifest, so one packing serves both."""
    ballot = await queries.ballots.get_ballot(db, ballot_id)
    current = await queries.manifests.manifest(db, ballot_id)
    return letters_zip(
        title=ballot.title,
        question=ballot.question,
        closes=InBoth.time(ballot.closes_at, ballot.timezone),
        manifest_hash=current.hash,
        base_url=settings.base_url,
        ballot_id=ballot_id,
        letters=letters,
    )


async def unsent_letters(
    db: Database, settings: Settings, ballot_id: str, returned: list[tuple[int, str]]
) -> Download:
    """The letters that the server could not mail, packed from the (city id, token) pairs
    the report page gives back, for the organiser to print or send by other means."""
    letters = await actions.mailing.returned_letters(db, ballot_id, returned)
    content = await _current_letters_zip(db, settings, ballot_id, letters)
    return Download(content, f"unsent-letters-{ballot_id}.zip")


async def replacement_letter(
    db: Database,
    settings: Settings,
    actor: Actor,
    ballot_id: str,
    fingerprint: str,
    now: datetime,
    city: str = "",
    country: str = "",
) -> Download:
    """Revoke a lost credential that has not voted and pack its replacement's letter,
    addressed to `city` (the organiser's pages always name it; the API may not)."""
    replacement = await actions.lost_tokens.revoke_and_replace(
        db, actor, ballot_id, fingerprint, now
    )
    letter = Letter(
        city.strip() or f"Replacement for {replacement.revoked_fingerprint}",
        country.strip(),
        replacement.token,
        replacement.fingerprint,
    )
    content = await _current_letters_zip(db, settings, ballot_id, [letter])
    return Download(content, f"replacement-{replacement.fingerprint}.zip")
