"""config.py: settings from the environment, and a secret key that is never a default."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from inmc_vote.config import (
    DEFAULT_BASE_URL,
    DEFAULT_DATABASE_URL,
    DEFAULT_SECRET_FILE,
    ConfigurationError,
    Settings,
    load_secret_key,
)


def key_file_env(folder: Path) -> dict[str, str]:
    return {"INMC_SECRET_KEY_FILE": str(folder / "secret.key")}


def test_the_key_file_is_made_on_first_start_readable_by_its_owner_only(tmp_path: Path) -> None:
    env = key_file_env(tmp_path / "new" / "folder")
    key = load_secret_key(env)
    path = Path(env["INMC_SECRET_KEY_FILE"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 32
    assert path.read_text().strip().encode() == key


def test_the_key_file_is_reused_on_the_next_start(tmp_path: Path) -> None:
    env = key_file_env(tmp_path)
    first = load_secret_key(env)
    mtime = Path(env["INMC_SECRET_KEY_FILE"]).stat().st_mtime_ns
    assert load_secret_key(env) == first
    assert Path(env["INMC_SECRET_KEY_FILE"]).stat().st_mtime_ns == mtime


def test_a_loose_umask_still_gives_an_owner_only_file(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        load_secret_key(key_file_env(tmp_path))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o666])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "secret.key"
    path.write_text("s" * 64 + "\n")
    path.chmod(mode)
    with pytest.raises(ConfigurationError) as refused:
        load_secret_key(key_file_env(tmp_path))
    assert "must be readable by its owner only" in str(refused.value)
    assert f"chmod 600 {path}" in str(refused.value)


def test_a_short_key_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("short\n")
    path.chmod(0o600)
    with pytest.raises(ConfigurationError, match="shorter than 32"):
        load_secret_key(key_file_env(tmp_path))


def test_a_key_given_in_the_environment_is_used_as_is(tmp_path: Path) -> None:
    env = {**key_file_env(tmp_path), "INMC_SECRET_KEY": "k" * 32}
    assert load_secret_key(env) == b"k" * 32
    assert not (tmp_path / "secret.key").exists()


@pytest.mark.parametrize("given", ["k", "k" * 31])
def test_a_key_shorter_than_32_in_the_environment_is_refused(tmp_path: Path, given: str) -> None:
    with pytest.raises(ConfigurationError, match="at least 32 characters"):
        load_secret_key({**key_file_env(tmp_path), "INMC_SECRET_KEY": given})


def test_there_is_no_fixed_default_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    first = load_secret_key({})
    monkeypatch.chdir(tmp_path / "b")
    second = load_secret_key({})
    assert first != second
    assert (tmp_path / "a" / "inmc-vote-secret.key").exists()
    assert load_secret_key(key_file_env(tmp_path / "c")) not in {first, second}


def test_settings_from_the_environment(tmp_path: Path) -> None:
    env = {
        **key_file_env(tmp_path),
        "INMC_DATABASE_URL": "postgresql://db/inmc",
        "INMC_BASE_URL": "https://vote.example.org/",
    }
    settings = Settings.from_env(env)
    assert settings.database_url == "postgresql://db/inmc"
    assert settings.base_url == "https://vote.example.org"
    assert settings.secure_cookies
    assert settings.secret_key == load_secret_key(env)


def test_settings_defaults_serve_plain_http_locally(tmp_path: Path) -> None:
    settings = Settings.from_env(key_file_env(tmp_path))
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.base_url == DEFAULT_BASE_URL
    assert not settings.secure_cookies


def test_settings_read_the_process_environment_when_given_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INMC_SECRET_KEY", "e" * 40)
    monkeypatch.setenv("INMC_DATABASE_URL", "sqlite:///elsewhere.sqlite3")
    settings = Settings.from_env()
    assert settings.secret_key == b"e" * 40
    assert settings.database_url == "sqlite:///elsewhere.sqlite3"


def test_the_readme_shows_the_defaults_config_uses() -> None:
    """The README's configuration table writes each default exactly as config.py does."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for default in (DEFAULT_DATABASE_URL, DEFAULT_SECRET_FILE, DEFAULT_BASE_URL):
        assert f"| `{default}` |" in readme
