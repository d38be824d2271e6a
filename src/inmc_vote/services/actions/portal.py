"""Candidacy-portal links: one per city per ballot, signed, expiring and revocable.

A link reads `/portal/<id>.<expires>.<signature>`; the signature (HMAC under the
secret key) covers the id, ballot, city and expiry, and the table says whether the
link was revoked. Making new links revokes each city's older one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot, City, PortalLink
from inmc_vote.domain.codes import EventAction
from inmc_vote.domain.errors import Conflict, Forbidden, Invalid, NotFound
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol.encoding import rfc3339_ms
from inmc_vote.domain.timefmt import Zoned
from inmc_vote.services import security
from inmc_vote.services.actors import Actor
from inmc_vote.services.queries.portal import LINK_LABEL, IssuedLink, issued_link
from inmc_vote.services.steps import event_log
from inmc_vote.services.steps.schedule import catch_up

DEFAULT_VALIDITY = timedelta(days=60)
LINK_STATES = (State.DRAFT.value, State.CANDIDACIES.value)


async def make_links(
    db: Database,
    secret_key: bytes,
    actor: Actor,
    ballot_id: str,
    now: datetime,
    valid_for: timedelta = DEFAULT_VALIDITY,
) -> list[IssuedLink]:
    """One new link per active member city; each city's older link stops working."""
    if not timedelta(hours=1) <= valid_for <= timedelta(days=366):
        raise Invalid("A portal link is valid for between one hour and one year.")
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        if ballot.state not in LINK_STATES:
            raise Conflict(
                "The ballot is {state}: candidacy links are made before it is frozen.",
                state=ballot.state,
            )
        cities = list(
            (
                await session.execute(select(City).where(City.active.is_(True)).order_by(City.name))
            ).scalars()
        )
        if not cities:
            raise Conflict("There is no active member city to make a link for.")
        await session.execute(
            update(PortalLink)
            .where(PortalLink.ballot_id == ballot_id, PortalLink.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        expires = (now + valid_for).replace(microsecond=0)
        issued = []
        for city in cities:
            link = PortalLink(
                id=security.random_id(16),
                ballot_id=ballot_id,
                city_id=city.id,
                created_at=now,
                expires_at=expires,
            )
            session.add(link)
            issued.append(issued_link(secret_key, link, city))
        await event_log.record(
            session,
            ballot_id,
            actor,
            EventAction.PORTAL_LINKS,
            {"cities": len(cities), "expires_at": rfc3339_ms(expires)},
            now,
        )
        return issued


async def revoke_link(
    db: Database, actor: Actor, ballot_id: str, city_id: int, now: datetime
) -> None:
    async with db.write() as session:
        await event_log.lock_ballot(session, ballot_id)
        revoked = await session.execute(
            update(PortalLink)
            .where(
                PortalLink.ballot_id == ballot_id,
                PortalLink.city_id == city_id,
                PortalLink.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .returning(PortalLink.id)
        )
        if revoked.first() is None:
            raise NotFound("This city has no working portal link for this ballot.")
        await event_log.record(
            session, ballot_id, actor, EventAction.PORTAL_LINK_REVOKED, {"city_id": city_id}, now
        )


@dataclass(frozen=True)
class PortalAccess:
    ballot: Ballot
    city: City
    link_id: str


async def open_portal(db: Database, secret_key: bytes, token: str, now: datetime) -> PortalAccess:
    """Check a portal link; a clear 403 says whether it is wrong, expired or replaced."""
    bad = Forbidden(
        "This candidacy link is not valid: check that you copied it whole, "
        "or ask the organiser for a new one."
    )
    try:
        link_id, expires_text, signature = token.split(".")
        expires = datetime.fromtimestamp(int(expires_text), UTC)
    except (ValueError, OverflowError, OSError):
        raise bad from None
    async with db.read() as session:
        link = await session.get(PortalLink, link_id)
        if link is None:
            raise bad
        message = f"{link.id}.{link.ballot_id}.{link.city_id}.{int(expires.timestamp())}"
        if expires != link.expires_at or not security.signature_matches(
            secret_key, LINK_LABEL, message, signature
        ):
            raise bad
        if link.revoked_at is not None:
            raise Forbidden(
                "This candidacy link was replaced by a newer one or withdrawn: "
                "use the latest link the organiser sent you."
            )
        ballot = await session.get(Ballot, link.ballot_id)
        assert ballot is not None  # foreign key
        if now >= link.expires_at:
            raise Forbidden(
                "This candidacy link expired on {time}: ask the organiser for a new one.",
                time=Zoned(link.expires_at, ballot.timezone),
            )
        return PortalAccess(ballot=ballot, city=link.city, link_id=link.id)
