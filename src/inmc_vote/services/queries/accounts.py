"""Who is signing in: the account behind a browser session or an API key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from inmc_vote.db.engine import Database
from inmc_vote.db.models import ApiKey, WebSession
from inmc_vote.domain.accounts import Role
from inmc_vote.services import security


@dataclass(frozen=True)
class Principal:
    """The signed-in account, as the web layer sees it."""

    account_id: int
    email: str
    role: Role
    via: str  # "session" or "api-key"


async def principal_from_session(db: Database, session_id: str, now: datetime) -> Principal | None:
    async with db.read() as session:
        row = await session.get(WebSession, security.session_id_hash(session_id))
        if row is None or row.expires_at <= now or row.account.disabled_at is not None:
            return None
        return Principal(row.account.id, row.account.email, Role(row.account.role), "session")


async def principal_from_api_key(db: Database, token: str) -> Principal | None:
    parts = security.parse_api_key(token)
    if parts is None:
        return None
    async with db.read() as session:
        key = await session.get(ApiKey, parts.key_id)
        if (
            key is None
            or key.revoked_at is not None
            or key.account.disabled_at is not None
            or not security.same_bytes(key.secret_hash, parts.secret_hash)
        ):
            return None
        return Principal(key.account.id, key.account.email, Role(key.account.role), "api-key")
