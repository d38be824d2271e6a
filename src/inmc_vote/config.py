"""Settings read from the environment, once, at start-up.

Nothing secret has a default: the secret key is generated on first start and kept
in a file readable by its owner only, so that a forgotten variable never leaves
the service running with a key that everyone knows.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

# As a person writes it (db/urls.py picks the driver); the CLI's help and the README's
# configuration table show this same string.
DEFAULT_DATABASE_URL = "sqlite:///./inmc-vote.sqlite3"
DEFAULT_SECRET_FILE = "./inmc-vote-secret.key"  # noqa: S105 (a path, not a secret)
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


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

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        base_url = env.get("INMC_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
        return cls(
            database_url=env.get("INMC_DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=load_secret_key(env),
            base_url=base_url,
            secure_cookies=base_url.startswith("https://"),
        )


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
