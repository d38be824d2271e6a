"""Who is signing in (the account behind a browser session or an API key), and the
accounts and their changes as the accounts page lists them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Account, AccountEvent, ApiKey, WebSession
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


@dataclass(frozen=True)
class AccountRow:
    """An account as the accounts page lists it (no secret, no hash)."""

    email: str
    created_at: datetime
    disabled_at: datetime | None
    keys_in_force: int


@dataclass(frozen=True)
class AccountEventRow:
    email: str
    at: datetime
    kind: str
    by: str


async def accounts(db: Database) -> list[AccountRow]:
    async with db.read() as session:
        in_force = (
            select(ApiKey.account_id, func.count().label("n"))
            .where(ApiKey.revoked_at.is_(None))
            .group_by(ApiKey.account_id)
            .subquery()
        )
        rows = await session.execute(
            select(Account, func.coalesce(in_force.c.n, 0))
            .outerjoin(in_force, in_force.c.account_id == Account.id)
            .order_by(Account.email)
        )
        return [AccountRow(a.email, a.created_at, a.disabled_at, int(n)) for a, n in rows.all()]


async def account_events(db: Database, limit: int = 50) -> list[AccountEventRow]:
    """The latest changes to accounts, newest first: who did what to whom."""
    async with db.read() as session:
        rows = await session.execute(
            select(Account.email, AccountEvent.at, AccountEvent.kind, AccountEvent.by)
            .join(Account, Account.id == AccountEvent.account_id)
            .order_by(AccountEvent.id.desc())
            .limit(limit)
        )
        return [AccountEventRow(*row) for row in rows.all()]
