"""Organiser accounts, their API keys and their browser sessions: creating them, signing
in (with its rate limit, kept in the database), and disabling, enabling, resetting a
password and revoking API keys, each recorded in `account_events`.

The sign-in limit, per address and per account (docs/security.md): past
`LIMITS.sign_in_failures_per_address` failures from one address in the window, that
address waits; past `LIMITS.sign_in_failures_per_account` failures for one e-mail, only
an address that e-mail signed in from before may still try. So a stranger guessing an
organiser's password cannot lock the organiser out of their usual address, and counts
are kept for unknown e-mails too, so that the limit does not tell which accounts exist.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.db.models import Account, AccountEvent, ApiKey, SignInAttempt, WebSession
from inmc_vote.domain.accounts import Role
from inmc_vote.domain.cities import EMAIL
from inmc_vote.domain.errors import N_, Conflict, Invalid, NotFound, TooMany
from inmc_vote.services import security

SESSION_LIFETIME = timedelta(hours=12)
COMMAND_LINE = "operator:command line"  # `by` of what `inmc-vote organiser` does
_MINUTES = LIMITS.sign_in_window_s // 60
ADDRESS_LIMITED = N_(
    "Too many failed sign-ins from your address: wait {minutes} minutes, then try again."
)
ACCOUNT_LIMITED = N_(
    "Too many failed sign-ins to this account from addresses it has not signed in from "
    "before: sign in from an address you have used before, or wait {minutes} minutes."
)


@dataclass(frozen=True)
class NewAccount:
    email: str
    role: Role
    password: str
    api_key: str


async def add_account(
    db: Database, email: str, now: datetime, by: str = COMMAND_LINE
) -> NewAccount:
    """Create an organiser's account with a fresh password and API key; both are shown
    only now."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise Invalid("«{email}» is not an e-mail address.", email=email)
    password = security.new_password()
    password_hash = await asyncio.to_thread(security.hash_password, password)
    key = security.new_api_key()
    try:
        async with db.write() as session:
            account = Account(
                email=email,
                role=Role.ORGANISER.value,
                password_hash=password_hash,
                created_at=now,
            )
            session.add(account)
            await session.flush()
            _add_key(session, account, key, now)
            _record(session, account, "created", by, now)
    except IntegrityError:
        raise Conflict("An account for {email} already exists.", email=email) from None
    return NewAccount(email=email, role=Role.ORGANISER, password=password, api_key=key.token)


async def sign_in(
    db: Database,
    email: str,
    password: str,
    now: datetime,
    address: str,
    old_session_id: str | None = None,
) -> str | None:
    """Check a password; on success open a new session (the old one is ended) and
    return its id. Returns None for a wrong e-mail or password, without saying which;
    TooMany (429) past the limit, before any password is checked, storing nothing."""
    email, address = email.strip().lower()[:254], address[:45]
    since = now - timedelta(seconds=LIMITS.sign_in_window_s)
    async with db.read() as session:
        account = (
            await session.execute(select(Account).where(Account.email == email))
        ).scalar_one_or_none()
        from_address = await _failures(session, SignInAttempt.address == address, since)
        for_account = await _failures(session, SignInAttempt.email == email, since)
        known = (
            await session.execute(
                select(SignInAttempt.id)
                .where(
                    SignInAttempt.email == email,
                    SignInAttempt.address == address,
                    SignInAttempt.succeeded.is_(True),
                )
                .limit(1)
            )
        ).first() is not None
    if from_address >= LIMITS.sign_in_failures_per_address:
        raise TooMany(ADDRESS_LIMITED, minutes=_MINUTES)
    if for_account >= LIMITS.sign_in_failures_per_account and not known:
        raise TooMany(ACCOUNT_LIMITED, minutes=_MINUTES)
    stored = account.password_hash if account else _DUMMY_HASH
    matches = await asyncio.to_thread(security.check_password, password, stored)
    ok = account is not None and matches and account.disabled_at is None
    session_id = security.new_session_id()
    async with db.write() as session:
        await session.execute(
            delete(SignInAttempt).where(
                SignInAttempt.at < now - timedelta(days=LIMITS.sign_in_known_address_days),
            )
        )
        await session.execute(
            delete(SignInAttempt).where(
                SignInAttempt.succeeded.is_(False), SignInAttempt.at < since
            )
        )
        session.add(SignInAttempt(at=now, address=address, email=email, succeeded=ok))
        if not ok:
            return None
        assert account is not None
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


async def _failures(session: AsyncSession, which: object, since: datetime) -> int:
    found = await session.execute(
        select(func.count())
        .select_from(SignInAttempt)
        .where(which, SignInAttempt.succeeded.is_(False), SignInAttempt.at >= since)  # type: ignore[arg-type]
    )
    return int(found.scalar_one())


# Checked against when the e-mail is unknown, so that timing does not tell which it was.
_DUMMY_HASH = security.hash_password("not a real password")


async def sign_out(db: Database, session_id: str) -> None:
    async with db.write() as session:
        await session.execute(
            delete(WebSession).where(WebSession.id_hash == security.session_id_hash(session_id))
        )


async def set_disabled(db: Database, email: str, disabled: bool, by: str, now: datetime) -> None:
    """Disable an account (its sessions end; it can neither sign in nor use its API keys)
    or enable it again. No one disables their own account: that is how the last
    organiser would lock everyone out of the web."""
    async with db.write() as session:
        account = await _account(session, email)
        if disabled and by == _by_organiser(account.email):
            raise Conflict("You cannot disable your own account: ask another organiser.")
        if (account.disabled_at is not None) == disabled:
            state = "disabled" if disabled else "enabled"
            raise Conflict(
                "The account of {email} is already {state}.", email=account.email, state=state
            )
        account.disabled_at = now if disabled else None
        if disabled:
            await _end_sessions(session, account)
        _record(session, account, "disabled" if disabled else "enabled", by, now)


async def reset_password(db: Database, email: str, by: str, now: datetime) -> str:
    """A new password (shown only now); the old one stops working and sessions end."""
    password = security.new_password()
    password_hash = await asyncio.to_thread(security.hash_password, password)
    async with db.write() as session:
        account = await _account(session, email)
        account.password_hash = password_hash
        await _end_sessions(session, account)
        _record(session, account, "password reset", by, now)
    return password


async def revoke_api_keys(db: Database, email: str, by: str, now: datetime) -> int:
    """Revoke every API key of the account still in force (each then answers 401);
    returns how many."""
    async with db.write() as session:
        account = await _account(session, email)
        revoked = await session.execute(
            update(ApiKey)
            .where(ApiKey.account_id == account.id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        count = int(revoked.rowcount or 0)  # type: ignore[attr-defined]
        if count == 0:
            raise Conflict("{email} has no API key in force.", email=account.email)
        _record(session, account, "API keys revoked", by, now)
    return count


async def new_api_key(db: Database, email: str, by: str, now: datetime) -> str:
    """A new API key for the account (shown only now), e.g. after revoking the old ones."""
    key = security.new_api_key()
    async with db.write() as session:
        account = await _account(session, email)
        _add_key(session, account, key, now)
        _record(session, account, "API key made", by, now)
    return key.token


def _by_organiser(email: str) -> str:
    return f"organiser:{email}"


async def _account(session: AsyncSession, email: str) -> Account:
    email = email.strip().lower()
    account = (
        await session.execute(select(Account).where(Account.email == email))
    ).scalar_one_or_none()
    if account is None:
        raise NotFound("There is no account for {email}.", email=email)
    return account


async def _end_sessions(session: AsyncSession, account: Account) -> None:
    await session.execute(delete(WebSession).where(WebSession.account_id == account.id))


def _add_key(
    session: AsyncSession, account: Account, key: security.ApiKeyParts, now: datetime
) -> None:
    session.add(
        ApiKey(id=key.key_id, account_id=account.id, secret_hash=key.secret_hash, created_at=now)
    )


def _record(session: AsyncSession, account: Account, kind: str, by: str, now: datetime) -> None:
    session.add(AccountEvent(account_id=account.id, at=now, kind=kind, by=by))
