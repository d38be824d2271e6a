"""Database URLs: what a person writes, and the drivers that the code uses."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from inmc_vote.config import ConfigurationError


def async_url(url: str) -> str:
    """`sqlite:///x` → `sqlite+aiosqlite:///x`; `postgresql://` → `postgresql+psycopg://`."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    else:
        raise ConfigurationError(f"Unsupported database «{backend}»: use SQLite or PostgreSQL.")
    return parsed.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """The same database through a blocking driver, for migrations and offline tools."""
    parsed = make_url(async_url(url))
    if parsed.get_backend_name() == "sqlite":
        parsed = parsed.set(drivername="sqlite+pysqlite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def shown_url(url: str) -> str:
    """The URL as an operator may see it in a message: without its password."""
    return make_url(url).render_as_string(hide_password=True)
