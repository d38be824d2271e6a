"""The secret key and the keys it seals (issue 11, item 5): `serve` and the app refuse a
key that does not open them, naming the key and the database, and `inmc-vote keys
rotate` re-seals them all under a new key, or none."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from litestar.testing import TestClient

from inmc_vote.config import ConfigurationError, Settings
from inmc_vote.db.engine import Database
from inmc_vote.services.queries.keys import secret_key_opens_sealed_keys
from inmc_vote.services.steps import keyring
from inmc_vote.web.app import create_app
from tests import factories as f
from tests.conftest import FakeClock
from tests.integration.test_cli import clean_env, inmc

# storage-specific: a transaction over every sealed key; each test its own database
pytestmark = [pytest.mark.both_databases, pytest.mark.fresh_database]

OLD = "the-old-secret-key-that-is-long-enough-0123456789"
NEW = "the-new-secret-key-that-is-long-enough-9876543210"


def sealed_ballots(url: str, key: str, n: int = 2) -> list[str]:
    """`n` ballots whose signing keys are sealed under `key` (as freezing makes them)."""
    clock = FakeClock()
    with TestClient(create_app(Settings(url, key.encode(), "http://x", False))) as client:
        ids = [f.ballot(client, clock, title=f"Ballot {i}").id for i in range(n)]

        async def seal() -> None:
            async with f.db(client).write() as session:
                for ballot_id in ids:
                    await keyring.make_keys(
                        session, key.encode(), ballot_id, clock(), server_registrar=True
                    )

        f.call(client, seal)
    return ids


def opens(url: str, key: str) -> bool:
    async def run() -> bool:
        db = Database(url, at_rest_key=key.encode())
        try:
            return await secret_key_opens_sealed_keys(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def test_serve_refuses_a_key_that_does_not_open_the_sealed_keys(database_url, tmp_path) -> None:
    sealed_ballots(database_url, OLD)
    # Started in another directory: a new key file is made there, and it does not fit.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    started = inmc("serve", env=clean_env(tmp_path, INMC_DATABASE_URL=database_url), cwd=elsewhere)
    assert started.returncode == 2
    (line,) = started.stderr.strip().splitlines()  # one line, no traceback
    assert "does not open the keys sealed in the database" in line
    assert str((elsewhere / "inmc-vote-secret.key").resolve()) in line
    assert database_url.split("@")[-1].split("///")[-1] in line
    wrong = inmc(
        "serve",
        env=clean_env(tmp_path, INMC_DATABASE_URL=database_url, INMC_SECRET_KEY=NEW),
        cwd=tmp_path,
    )
    assert wrong.returncode == 2
    assert "The secret key (INMC_SECRET_KEY) does not open" in wrong.stderr
    # The app factory refuses too, whoever runs it.
    app = create_app(Settings(database_url, NEW.encode(), "http://x", False))
    with pytest.raises(ExceptionGroup) as refused, TestClient(app):  # the lifespan's task group
        pass
    assert refused.group_contains(ConfigurationError, match="does not open the keys sealed")


def test_keys_rotate_reseals_every_key_under_the_new_key(database_url, tmp_path) -> None:
    sealed_ballots(database_url, OLD, n=3)
    new_file = tmp_path / "new.key"
    new_file.write_text(NEW + "\n")
    new_file.chmod(0o600)
    env = clean_env(tmp_path, INMC_DATABASE_URL=database_url, INMC_SECRET_KEY=OLD)
    rotated = inmc("keys", "rotate", "--new-key-file", str(new_file), env=env, cwd=tmp_path)
    assert rotated.returncode == 0, rotated.stderr
    assert "The keys of 3 ballot(s) are now sealed under" in rotated.stdout
    assert opens(database_url, NEW)
    assert not opens(database_url, OLD)
    # The server now starts with the new key file (and the app opens its keys).
    with TestClient(create_app(Settings(database_url, NEW.encode(), "http://x", False))):
        pass


def test_keys_rotate_with_the_wrong_current_key_changes_nothing(database_url, tmp_path) -> None:
    sealed_ballots(database_url, OLD)
    made = tmp_path / "made.key"  # made by the command, mode 600
    wrong = "a-wrong-current-key-that-is-long-enough-000000000"
    env = clean_env(tmp_path, INMC_DATABASE_URL=database_url, INMC_SECRET_KEY=wrong)
    refused = inmc("keys", "rotate", "--new-key-file", str(made), env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert "does not open the keys sealed in this database: nothing was changed" in refused.stderr
    assert opens(database_url, OLD)
    assert not opens(database_url, made.read_text().strip())
    same = inmc(
        "keys",
        "rotate",
        "--new-key-file",
        str(_key_file(tmp_path / "same.key", OLD)),
        env=clean_env(tmp_path, INMC_DATABASE_URL=database_url, INMC_SECRET_KEY=OLD),
        cwd=tmp_path,
    )
    assert same.returncode == 1
    assert "is the current one" in same.stderr


def _key_file(path: Path, key: str) -> Path:
    path.write_text(key + "\n")
    path.chmod(0o600)
    return path
