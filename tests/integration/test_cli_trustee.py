"""`inmc-vote trustee join | deal | check | status` as trustees run them: subprocesses
against a running server (`inmc-vote serve` on a free port, on a SQLite file), three
trustees with threshold 2, from the invitations to the completed ceremony."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from inmc_vote.config import Settings
from inmc_vote.domain.protocol import group
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.services import actions
from inmc_vote.tools.trustee import FORMAT, read_key_file
from inmc_vote.web.app import create_app
from tests import factories as f
from tests.conftest import FakeClock
from tests.integration.test_cli import clean_env, inmc
from tests.integration.test_cli_cast import free_port, wait_until_up

SECRET = "trustee-test-secret-key-that-is-long-enough-0123"
NAMES = ["Ana Costa", "Bram de Vries", "Chiara Rossi"]


@dataclass
class Server:
    url: str
    ballot_id: str
    invitations: list[str]
    env: dict[str, str]
    cwd: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("trustee")
    url = sqlite_factory.fresh(folder)
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=12))
    settings = Settings(url, SECRET.encode(), "http://127.0.0.1", False)
    with TestClient(create_app(settings, clock=clock, run_schedule=False)) as client:
        made, _ = f.ready_to_freeze(client, clock, ceremony=False)
        named = f.call(
            client,
            actions.ceremony.name_trustees,
            f.db(client),
            f.ORGANISER,
            made.id,
            NAMES,
            2,
            now=clock(),
        )
    port = free_port()
    env = clean_env(folder, INMC_DATABASE_URL=url, INMC_SECRET_KEY=SECRET)
    process = subprocess.Popen(
        [sys.executable, "-m", "inmc_vote.cli", "serve", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield Server(base, made.id, [t.invitation for t in named.trustees], env, folder)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def trustee(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    return inmc("trustee", *args, env=server.env, cwd=server.cwd)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def join(server: Server, i: int, key_file: str | None = None) -> subprocess.CompletedProcess[str]:
    return trustee(
        server,
        "join",
        "--server",
        server.url,
        "--ballot",
        server.ballot_id,
        "--invitation",
        server.invitations[i],
        "--key-file",
        key_file or f"t{i + 1}.json",
    )


def state(server: Server) -> dict:
    return httpx.get(f"{server.url}/api/v1/ballots/{server.ballot_id}/ceremony").json()


def test_three_trustees_run_the_whole_ceremony(server):
    out = ok(join(server, 0))
    assert "Made your key file t1.json (mode 600)" in out
    assert "Sent your certificate: you are trustee 1 (Ana Costa)." in out
    assert "Waiting for trustee(s) 2 (Bram de Vries), 3 (Chiara Rossi) to join" in out
    key_file = server.cwd / "t1.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert json.loads(key_file.read_text())["format"] == FORMAT == "inmc-vote/trustee/v2"

    again = ok(join(server, 0))  # a retry: the same file, the same certificate
    assert "already holds your secrets" in again
    assert "Your certificate was already in" in again
    refused(
        trustee(server, "deal", "--key-file", "t1.json"),
        "Trustee 2 (Bram de Vries) has not joined yet",
    )

    ok(join(server, 1))
    last = ok(join(server, 2))
    assert "Your turn: run `inmc-vote trustee deal --key-file t3.json`." in last

    for i in (1, 2, 3):
        dealt = ok(trustee(server, "deal", "--key-file", f"t{i}.json"))
        assert "Sent your deal: a share for each of the 3 trustees." in dealt
    assert "Your deal was already in: nothing sent." in ok(
        trustee(server, "deal", "--key-file", "t1.json")
    )
    assert read_key_file(key_file).polynomial is not None

    for i in (1, 2):
        checked = ok(trustee(server, "check", "--key-file", f"t{i}.json"))
        assert "All 3 shares sent to you are good." in checked
    status = ok(trustee(server, "status", "--key-file", "t3.json"))
    assert "1. Ana Costa: certificate, deal, key" in status
    assert "3. Chiara Rossi (you): certificate, deal" in status
    assert "Your turn: run `inmc-vote trustee check --key-file t3.json`." in status

    done = ok(trustee(server, "check", "--key-file", "t3.json"))
    assert "The ceremony is complete" in done
    shown = state(server)
    assert shown["phase"] == "complete"
    for i in (1, 2, 3):
        kept = read_key_file(server.cwd / f"t{i}.json")
        assert kept.share is not None
        member = shown["trustees"][i - 1]
        assert member["key"]["verification_key"] == b64url(group.base_mul(kept.share))
    assert "Your key was already in: nothing sent." in ok(
        trustee(server, "check", "--key-file", "t1.json")
    )
    assert f"Election key: {shown['election_key']}" in ok(
        trustee(server, "status", "--key-file", "t2.json")
    )


def test_join_never_overwrites_another_key_file(server):
    (server.cwd / "taken.json").write_text("{}")
    refused(join(server, 0, "taken.json"), "is not an inmc-vote/trustee/v2 file")
    assert (server.cwd / "taken.json").read_text() == "{}"


def test_a_wrong_invitation_is_refused_in_words(server):
    result = trustee(
        server,
        "join",
        "--server",
        server.url,
        "--ballot",
        server.ballot_id,
        "--invitation",
        "hello",
        "--key-file",
        "x.json",
    )
    refused(result, "This is not a trustee invitation")
    assert not (server.cwd / "x.json").exists()


def test_every_command_has_help(tmp_path):
    env = clean_env(tmp_path)
    shown = inmc("trustee", "--help", env=env, cwd=tmp_path)
    assert shown.returncode == 0
    for command in ("join", "deal", "check", "status"):
        assert command in shown.stdout
        one = inmc("trustee", command, "--help", env=env, cwd=tmp_path)
        assert one.returncode == 0, one.stderr
        assert "--key-file FILE" in one.stdout
    assert "keygen" not in shown.stdout
    assert inmc("trustee", "deal", env=env, cwd=tmp_path).returncode == 2
