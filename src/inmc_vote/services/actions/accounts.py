"""Organiser and auditor accounts, their API keys and their browser sessions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Account, ApiKey, WebSession
from inmc_vote.domain.accounts import Role
from inmc_vote.domain.cities import EMAIL
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.services import security

SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class NewAccount:
    email: str
    role: Role
    password: str
    api_key: str


async def add_account(db: Database, email: str, role: Role, now: datetime) -> NewAccount:
    """Create an account with a fresh password and API key; both are shown only now."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise Invalid(f"«{email}» is not an e-mail address.")
    password = security.new_password()
    password_hash = await asyncio.to_thread(security.hash_password, password)
    key = security.new_api_key()
    try:
        async with db.write() as session:
            account = Account(
                email=email, role=role.value, password_hash=password_hash, created_at=now
            )
            session.add(account)
            await session.flush()
            session.add(
                ApiKey(
                    id=key.key_id,
                    account_id=account.id,
                    secret_hash=key.secret_hash,
                    created_at=now,
                )
            )
    except IntegrityError:
        raise Conflict(f"An account for {email} already exists.") from None
    return NewAccount(email=email, role=role, password=password, api_key=key.token)


async def sign_in(
    db: Database, email: str, password: str, now: datetime, old_session_id: str | None = None
) -> str | None:
    """Check a password; on success open a new session (the old one is ended) and
    return its id. Returns None for a wrong e-mail or password, without saying which."""
    async with db.read() as session:
        account = (
            await session.execute(select(Account).where(Account.email == email.strip().lower()))
        ).scalar_one_or_none()
    stored = account.password_hash if account else _DUMMY_HASH
    matches = await asyncio.to_thread(security.check_password, password, stored)
    if account is None or not matches or account.disabled_at is not None:
        return None
    session_id = security.new_session_id()
    async with db.write() as session:
        if old_session_id:
            await session.execute(
                delete(WebSession).where(
                    WebSession.id_hash == security.session_id_hash(old_session_id)
                )
            )
        await session.execute(delete(WebSession).where(WebSession.expires_at < now))
        session.add(
            WebSession(
                id_hash=security.session_id_hash(session_id),
                account_id=account.id,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
    return session_id


# Checked against when the e-mail is unknown, so that timing does not tell which it was.
_DUMMY_HASH = security.hash_password("not a real password")


async def sign_out(db: Database, session_id: str) -> None:
    async with db.write() as session:
        await session.execute(
            delete(WebSession).where(WebSession.id_hash == security.session_id_hash(session_id))
        )
