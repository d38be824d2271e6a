"""Candidacy-portal links as they stand: the signed path of each city's current link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import City, PortalLink
from inmc_vote.services import security

LINK_LABEL = "inmc-vote/portal-link/v1"  # the HMAC's domain-separation label


@dataclass(frozen=True)
class IssuedLink:
    city_id: int
    city_name: str
    country: str
    contact_email: str
    path: str
    expires_at: datetime
    contact_name: str = ""


def link_token(secret_key: bytes, link: PortalLink) -> str:
    expires = int(link.expires_at.timestamp())
    message = f"{link.id}.{link.ballot_id}.{link.city_id}.{expires}"
    return f"{link.id}.{expires}.{security.sign(secret_key, LINK_LABEL, message)}"


def link_path(secret_key: bytes, link: PortalLink) -> str:
    return f"/portal/{link_token(secret_key, link)}"


def issued_link(secret_key: bytes, link: PortalLink, city: City) -> IssuedLink:
    return IssuedLink(
        city.id,
        city.name,
        city.country,
        city.contact_email,
        link_path(secret_key, link),
        link.expires_at,
        city.contact_name,
    )


async def current_links(db: Database, secret_key: bytes, ballot_id: str) -> list[IssuedLink]:
    async with db.read() as session:
        rows = await session.execute(
            select(PortalLink)
            .where(PortalLink.ballot_id == ballot_id, PortalLink.revoked_at.is_(None))
            .order_by(PortalLink.created_at)
        )
        return sorted(
            (issued_link(secret_key, link, link.city) for link in rows.scalars()),
            key=lambda link: link.city_name,
        )
