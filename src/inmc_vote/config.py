"""Settings read from the environment, once, at start-up.

Nothing secret has a default: the secret key is generated on first start and kept
in a file readable by its owner only, so that a forgotten variable never leaves
the service running with a key that everyone knows.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

# As a person writes it (db/urls.py picks the driver); the CLI's help and the README's
# configuration table show this same string.
DEFAULT_DATABASE_URL = "sqlite:///./inmc-vote.sqlite3"
DEFAULT_SECRET_FILE = "./inmc-vote-secret.key"  # noqa: S105 (a path, not a secret)
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_REMINDER_HOURS = 48


@dataclass(frozen=True)
class Limits:
    """Every size, length, count, page and rate the server holds to, in one place.

    The defaults are the values in force; nothing reads them from the environment. The
    domain cannot import config (the layer table), so the server passes the ones it needs
    in (`check_dossier`, `parse_cities_csv`). Not here: the text lengths that are the
    database columns' widths (domain/ballots, candidacies, cities), the byte formats of
    the protocol (domain/protocol), and the limits of the verifier and of the tools that
    run on people's machines without the server's settings (verify/, tools/)."""

    # What people may send.
    reason_chars: int = 2_000  # the reason for closing early or cancelling
    cast_body_bytes: int = 256 * 1024  # one ballot sent to /cast
    dossier_bytes: int = 20 * 1024 * 1024  # a candidacy's PDF dossier
    csv_bytes: int = 1_000_000  # a CSV of member cities
    csv_rows: int = 2_000  # cities in one CSV import (the network has about 40)
    csv_batch_rows: int = 50  # cities an import writes per transaction, so that
    # a cast waiting for SQLite's one writer waits for one batch, not the whole file
    roll_body_bytes: int = 64 * 1024 * 1024  # an offline roll.json: about 400,000 credentials
    mix_body_bytes: int = 128 * 1024 * 1024  # a trustee's shuffle or decryption message:
    # about 300 bytes per ciphertext (its output and proof), so 100,000 ballots are ~30 MB
    ceremony_body_bytes: int = 64 * 1024  # a trustee's certificate, deal, key or complaint:
    # a deal to 20 trustees with threshold 20 is about 6 KB
    other_body_bytes: int = 1_048_576  # any other request's body (forms, JSON)
    # Sign-in (kept in the database, so for every process): failures per address in the
    # window; failures per account in the window, past which only an address the account
    # signed in from before may still try, so that a stranger cannot lock an organiser out.
    sign_in_window_s: int = 15 * 60
    sign_in_failures_per_address: int = 20
    sign_in_failures_per_account: int = 10
    sign_in_known_address_days: int = 90  # how long a successful sign-in's address is kept
    # How much the server reads or holds at a time.
    board_page: int = 500  # board entries per page of the API
    board_html_page: int = 50  # board entries per page of the board's HTML view
    read_page_rows: int = 2_000  # rows per short read when streaming a board, the outcome
    # lines or a bundle (so that no transaction stays open during a slow download)
    bundle_flush_bytes: int = 256 * 1024  # bytes of an audit bundle held before they leave
    kept_audit_reports: int = 32  # verifier reports the audit page keeps in memory

    @property
    def dossier_body_bytes(self) -> int:
        """A candidacy form's body: the dossier and up to 1 MiB of other fields."""
        return self.dossier_bytes + 1_048_576

    @property
    def csv_body_bytes(self) -> int:
        """A CSV upload's body: the file and its multipart framing."""
        return self.csv_bytes + 64_000


LIMITS = Limits()


class ConfigurationError(Exception):
    """A setting that cannot work, with a message for the operator. Library code raises it
    rather than SystemExit so that callers and tests can handle it; the command line turns
    it into exit status 2."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: bytes
    base_url: str
    secure_cookies: bool
    # Where the secret key came from, for the operator's messages (never the key itself).
    secret_key_source: str = "INMC_SECRET_KEY"  # noqa: S105 (a name, not a secret)
    # Proxies whose X-Forwarded-For is believed (INMC_TRUSTED_PROXIES); from any other
    # peer the header is ignored, so that no one can pose as another address.
    trusted_proxies: frozenset[str] = frozenset()
    # The SMTP server that sends portal links, token letters and reminders (INMC_SMTP_*);
    # None: mail is not set up, and the pages offer the printable files instead.
    smtp: SmtpSettings | None = None
    reminder_hours: int = DEFAULT_REMINDER_HOURS  # INMC_REMINDER_HOURS before a deadline

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        base_url = env.get("INMC_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
        return cls(
            database_url=env.get("INMC_DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=load_secret_key(env),
            base_url=base_url,
            secure_cookies=base_url.startswith("https://"),
            secret_key_source=secret_key_source(env),
            trusted_proxies=trusted_proxies(env.get("INMC_TRUSTED_PROXIES", "")),
            smtp=smtp_settings(env),
            reminder_hours=reminder_hours(env.get("INMC_REMINDER_HOURS", "")),
        )


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail goes: INMC_SMTP_HOST (set it to turn mail on), INMC_SMTP_PORT (587 with
    STARTTLS, else 25), INMC_SMTP_STARTTLS (on/off, on by default unless the host is
    local), INMC_SMTP_USER and INMC_SMTP_PASSWORD (both or neither), INMC_MAIL_FROM."""

    host: str
    port: int
    starttls: bool
    user: str
    password: str = field(repr=False)
    sender: str
    timeout_s: float = 30.0


def smtp_settings(env: dict[str, str]) -> SmtpSettings | None:
    host = env.get("INMC_SMTP_HOST", "").strip()
    if not host:
        return None
    local = host in {"localhost", "127.0.0.1", "::1"}
    starttls = _on_off("INMC_SMTP_STARTTLS", env.get("INMC_SMTP_STARTTLS", ""), not local)
    port_text = env.get("INMC_SMTP_PORT", "").strip() or ("587" if starttls else "25")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigurationError(f"INMC_SMTP_PORT: «{port_text}» is not a port number.")
    user = env.get("INMC_SMTP_USER", "")
    password = env.get("INMC_SMTP_PASSWORD", "")
    if bool(user) != bool(password):
        raise ConfigurationError("INMC_SMTP_USER and INMC_SMTP_PASSWORD go together.")
    sender = env.get("INMC_MAIL_FROM", "").strip()
    if "@" not in sender:
        raise ConfigurationError(
            "INMC_MAIL_FROM: the address the mail comes from, such as "
            "«INMC vote <vote@example.org>», is needed when INMC_SMTP_HOST is set."
        )
    return SmtpSettings(host, int(port_text), starttls, user, password, sender)


def _on_off(name: str, text: str, default: bool) -> bool:
    word = text.strip().lower()
    if not word:
        return default
    if word in {"on", "1", "yes", "true"}:
        return True
    if word in {"off", "0", "no", "false"}:
        return False
    raise ConfigurationError(f"{name}: «{text}» is neither on nor off.")


def reminder_hours(text: str) -> int:
    """INMC_REMINDER_HOURS: how long before a deadline the reminder goes (48 by default)."""
    if not text.strip():
        return DEFAULT_REMINDER_HOURS
    if not text.strip().isdigit() or not 0 < int(text) <= 24 * 30:
        raise ConfigurationError(
            f"INMC_REMINDER_HOURS: «{text}» is not a number of hours from 1 to 720."
        )
    return int(text)


def secret_key_source(env: dict[str, str]) -> str:
    """How the operator named the secret key: the variable, or the file it is read from."""
    if env.get("INMC_SECRET_KEY"):
        return "INMC_SECRET_KEY"
    return str(Path(env.get("INMC_SECRET_KEY_FILE", DEFAULT_SECRET_FILE)).resolve())


def trusted_proxies(text: str) -> frozenset[str]:
    """INMC_TRUSTED_PROXIES: addresses separated by commas or spaces (e.g. 127.0.0.1)."""
    found = frozenset(part for part in text.replace(",", " ").split() if part)
    for address in found:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ConfigurationError(
                f"INMC_TRUSTED_PROXIES: «{address}» is not an IP address."
            ) from None
    return found


def load_secret_key(env: dict[str, str]) -> bytes:
    """Return the secret key from INMC_SECRET_KEY, or from its file (made on first use)."""
    given = env.get("INMC_SECRET_KEY")
    if given:
        if len(given) < 32:
            raise ConfigurationError("INMC_SECRET_KEY must be at least 32 characters long.")
        return given.encode()
    path = Path(env.get("INMC_SECRET_KEY_FILE", DEFAULT_SECRET_FILE))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
    if path.stat().st_mode & 0o077:
        raise ConfigurationError(f"{path} must be readable by its owner only (chmod 600 {path}).")
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigurationError(f"{path} holds a key shorter than 32 characters.")
    return key.encode()
