"""E-mail from the organiser's pages: each city's candidacy-portal link, and each city's
token letter (issuing the tokens and mailing them in one step, for a ballot whose custody
is `server-mail`).

Sending happens after the issuing transaction commits, so that a mail server that is
slow or down never holds the ballot's lock; each message's outcome goes into the event
log (`steps.mailer.record`). The tokens are not kept: a letter that could not be sent
leaves in the answer, for the organiser to send again or print, as with a download."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.db.models import City, Elector, RollEntry
from inmc_vote.documents.emails import portal_link_message, token_letter_message
from inmc_vote.documents.token_letters import InBoth, Letter
from inmc_vote.domain.codes import Custody
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.protocol import credentials, keys
from inmc_vote.services import queries
from inmc_vote.services.actions import tokens
from inmc_vote.services.actors import Actor
from inmc_vote.services.queries.portal import IssuedLink
from inmc_vote.services.steps import mailer
from inmc_vote.services.steps.mailer import NO_ADDRESS, Delivery

PORTAL_LINK = "portal-link"
TOKEN_LETTER = "token-letter"  # noqa: S105 (a kind of message, not a secret)


@dataclass(frozen=True)
class MailReport:
    kind: str
    deliveries: list[Delivery]

    @property
    def sent(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.sent]

    @property
    def failed(self) -> list[Delivery]:
        return [d for d in self.deliveries if not d.sent and d.outcome != NO_ADDRESS]

    @property
    def no_address(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.outcome == NO_ADDRESS]


@dataclass(frozen=True)
class MailedLetters:
    """The report, and the letters that were not sent (failed or no address): the only
    copy of their tokens, for the organiser to send again or print."""

    report: MailReport
    unsent: list[Letter]


async def mail_portal_links(
    db: Database,
    settings: Settings,
    actor: Actor,
    ballot_id: str,
    now: datetime,
    only: frozenset[int] | None = None,
) -> MailReport:
    """Mail each city its current portal link (or only the cities `only` names)."""
    smtp = mailer.require(settings.smtp)
    ballot = await queries.ballots.get_ballot(db, ballot_id)
    links = await queries.portal.current_links(db, settings.secret_key, ballot_id)
    if only is not None:
        links = [link for link in links if link.city_id in only]
    if not links:
        raise Conflict("There are no candidacy links to send: make the links first.")

    def compose(link: IssuedLink, to: str) -> EmailMessage:
        return portal_link_message(
            sender=smtp.sender,
            to=to,
            city=link.city_name,
            title=ballot.title,
            link=settings.base_url + link.path,
            deadline=InBoth.time(ballot.candidacy_deadline, ballot.timezone),
            expires=InBoth.time(link.expires_at, ballot.timezone),
        )

    deliveries = await mailer.send_each(
        db,
        smtp,
        actor,
        ballot_id,
        PORTAL_LINK,
        links,
        lambda link: (link.city_id, link.city_name, link.contact_email),
        compose,
        now,
    )
    return MailReport(PORTAL_LINK, deliveries)


async def issue_and_mail_letters(
    db: Database, settings: Settings, actor: Actor, ballot_id: str, now: datetime
) -> MailedLetters:
    """Issue the tokens (once) and mail each city its letter; see the module's note."""
    mailer.require(settings.smtp)  # refused before any token is made
    ballot = await queries.ballots.get_ballot(db, ballot_id)
    if ballot.credential_authority != Custody.SERVER_MAIL:
        raise Conflict(
            "This ballot's custody is {custody}: its letters are not mailed by the server. "
            "Mailing them is chosen in the ballot's settings before it is frozen "
            "(server-mail).",
            custody=ballot.credential_authority,
        )
    issued = await tokens.issue_tokens(db, actor, ballot_id, now)
    return await _mail_letters(db, settings, actor, ballot_id, issued.letters, now)


async def mail_letters_again(
    db: Database,
    settings: Settings,
    actor: Actor,
    ballot_id: str,
    returned: Sequence[tuple[int, str]],
    now: datetime,
) -> MailedLetters:
    """Send again the letters that could not be sent: the organiser's page gives back
    (city id, token) pairs from the previous answer (see `returned_letters`)."""
    mailer.require(settings.smtp)
    letters = await returned_letters(db, ballot_id, returned)
    return await _mail_letters(db, settings, actor, ballot_id, letters, now)


async def returned_letters(
    db: Database, ballot_id: str, returned: Sequence[tuple[int, str]]
) -> list[Letter]:
    """The letters of (city id, token) pairs that a report page gave back: each token a
    credential on the ballot's roll, not revoked, and each city an elector. The server
    sees the tokens again, as when it first mailed them, and keeps none."""
    if not returned:
        raise Invalid("There is no letter to send again.")
    letters: list[Letter] = []
    async with db.read() as session:
        for city_id, token in returned:
            try:
                _, seed = credentials.parse_token(token, ballot_id)
            except ValueError as wrong:
                raise Invalid(
                    "A token to send again is not this ballot's: {why}", why=wrong
                ) from None
            entry = await session.get(RollEntry, (ballot_id, keys.ed25519_public(seed)))
            if entry is None or entry.revoked_at is not None:
                raise Conflict("A token to send again is not on the ballot's roll any more.")
            city = (
                await session.execute(
                    select(City)
                    .join(Elector, Elector.city_id == City.id)
                    .where(Elector.ballot_id == ballot_id, City.id == city_id)
                )
            ).scalar_one_or_none()
            if city is None:
                raise Invalid("A letter to send again is for a city outside the electorate.")
            letters.append(_letter(city, token, entry.fingerprint))
    return letters


def _letter(city: City, token: str, fingerprint: str) -> Letter:
    return Letter(
        city.name, city.country, token, fingerprint, city.contact_name, city.contact_email, city.id
    )


async def _mail_letters(
    db: Database,
    settings: Settings,
    actor: Actor,
    ballot_id: str,
    letters: Sequence[Letter],
    now: datetime,
) -> MailedLetters:
    smtp = mailer.require(settings.smtp)
    ballot = await queries.ballots.get_ballot(db, ballot_id)
    manifest = await queries.manifests.manifest(db, ballot_id)

    def compose(letter: Letter, to: str) -> EmailMessage:
        return token_letter_message(
            sender=smtp.sender,
            to=to,
            letter=letter,
            title=ballot.title,
            question=ballot.question,
            closes=InBoth.time(ballot.closes_at, ballot.timezone),
            manifest_hash=manifest.hash,
            base_url=settings.base_url,
            ballot_id=ballot_id,
        )

    deliveries = await mailer.send_each(
        db,
        smtp,
        actor,
        ballot_id,
        TOKEN_LETTER,
        letters,
        lambda letter: (letter.city_id, letter.city, letter.contact_email),
        compose,
        now,
    )
    sent = {d.city_id for d in deliveries if d.sent}
    unsent = [letter for letter in letters if letter.city_id not in sent]
    return MailedLetters(MailReport(TOKEN_LETTER, deliveries), unsent)
