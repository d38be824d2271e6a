"""The `inmc-vote` command, run as a user runs it: in a subprocess, configured by the
environment."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient

from inmc_vote.config import Settings
from inmc_vote.db.migrate import pending
from inmc_vote.web.app import create_app


def inmc(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inmc_vote.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INMC_")}
    if env.get("PYTHONPATH"):  # the subprocess runs elsewhere: `PYTHONPATH=src` must still work
        env["PYTHONPATH"] = os.pathsep.join(
            str(Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep) if p
        )
    return env | extra


def test_help_names_every_command(tmp_path):
    result = inmc("--help", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "db", "organiser", "demo"):
        assert command in result.stdout
    assert "INMC_DATABASE_URL" in result.stdout
    for sub in (["serve"], ["db", "upgrade"], ["organiser", "add"], ["demo"]):
        assert inmc(*sub, "--help", env=clean_env(tmp_path), cwd=tmp_path).returncode == 0


def test_db_upgrade_then_serve_refuses_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    env = clean_env(tmp_path, INMC_DATABASE_URL=url)
    refused = inmc("serve", "--port", "1", env=env, cwd=tmp_path)
    assert refused.returncode == 2
    assert "inmc-vote db upgrade" in refused.stderr

    upgraded = inmc("db", "upgrade", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "up to date" in upgraded.stdout
    assert not pending(url)


@pytest.mark.parametrize(
    ("command", "setting", "message"),
    [
        (["serve", "--port", "1"], {"INMC_SECRET_KEY": "k" * 31}, "at least 32 characters"),
        (["db", "upgrade"], {"INMC_DATABASE_URL": "mysql://db/inmc"}, "Unsupported database"),
    ],
)
def test_a_setting_that_cannot_work_exits_2_with_one_line(tmp_path, command, setting, message):
    env = clean_env(tmp_path, INMC_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}") | setting
    refused = inmc(*command, env=env, cwd=tmp_path)
    assert refused.returncode == 2
    assert message in refused.stderr
    assert "Traceback" not in refused.stderr
    assert refused.stderr.count("\n") == 1, refused.stderr


def test_first_start_makes_a_private_secret_key(tmp_path):
    env = clean_env(tmp_path, INMC_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert inmc("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    key_file = tmp_path / "inmc-vote-secret.key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_text()
    assert inmc("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    assert key_file.read_text() == first  # kept, not regenerated


def test_organiser_add_prints_working_credentials(tmp_path, database_url, clock):
    env = clean_env(tmp_path, INMC_DATABASE_URL=database_url, INMC_SECRET_KEY="k" * 40)
    result = inmc("organiser", "add", "Chair@Clermont.example", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    password = re.search(r"password: (\S+)", result.stdout).group(1)
    api_key = re.search(r"API key:\s+(\S+)", result.stdout).group(1)

    again = inmc("organiser", "add", "chair@clermont.example", env=env, cwd=tmp_path)
    assert again.returncode == 1
    assert "already exists" in again.stderr

    settings = Settings(database_url, b"k" * 40, "http://testserver.local", False)
    with TestClient(
        create_app(settings, clock=clock, run_schedule=False), base_url="http://testserver.local"
    ) as client:
        listed = client.get("/api/v1/cities", headers={"Authorization": f"Bearer {api_key}"})
        assert listed.status_code == 200
        client.get("/login")
        signed_in = client.post(
            "/login",
            data={
                "email": "chair@clermont.example",
                "password": password,
                "_csrf_token": client.cookies["csrftoken"],
            },
            follow_redirects=False,
        )
        assert signed_in.status_code == 302
        assert signed_in.headers["location"] == "/organiser"


@pytest.mark.parametrize("bad", ["not-an-email", "a@b"])
def test_organiser_add_refuses_a_bad_address(tmp_path, bad):
    env = clean_env(tmp_path, INMC_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert inmc("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    result = inmc("organiser", "add", bad, env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "is not an e-mail address" in result.stderr
