"""`inmc-vote trustee` as trustees run it: subprocesses against a running server
(`inmc-vote serve` on a free port, on a SQLite file), three trustees with threshold 2:
`join | deal | check | status` from the invitations to the completed ceremony, then
`shuffle` and `decrypt` after the vote closes, up to the tally."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from inmc_vote.config import Settings
from inmc_vote.domain.protocol import group
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.services import actions
from inmc_vote.tools.trustee import FORMAT, create_key_file, read_key_file
from inmc_vote.web.app import create_app
from tests import factories as f
from tests.conftest import FakeClock
from tests.integration.test_cli import clean_env, inmc
from tests.integration.test_cli_cast import free_port, wait_until_up
from tests.voting_helpers import cast_all, lifecycle_call, manifest_of, open_ballot

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
    invitations = [t.invitation for t in named.trustees]
    with serving(url, folder, free_port()) as (base, env):
        yield Server(base, made.id, invitations, env, folder)


@contextmanager
def serving(url: str, folder: Path, port: int) -> Iterator[tuple[str, dict[str, str]]]:
    """`inmc-vote serve` on the database `url` and `port`: its address and environment."""
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
        yield base, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stderr is not None
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
    for command in ("join", "deal", "check", "status", "shuffle", "decrypt"):
        assert command in shown.stdout
        one = inmc("trustee", command, "--help", env=env, cwd=tmp_path)
        assert one.returncode == 0, one.stderr
        assert "--key-file FILE" in one.stdout
    assert inmc("trustee", "deal", env=env, cwd=tmp_path).returncode == 2


@dataclass
class Closed:
    """A closed round with three votes on the board, its trustees' key files (naming the
    live server) in `cwd`, and the organiser's API key."""

    url: str
    ballot_id: str
    organiser: dict[str, str]
    env: dict[str, str]
    cwd: Path


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory, sqlite_factory) -> Iterator[Closed]:
    folder = tmp_path_factory.mktemp("tally")
    url = sqlite_factory.fresh(folder)
    port = free_port()
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=30))
    settings = Settings(url, SECRET.encode(), "http://127.0.0.1", False)
    with TestClient(create_app(settings, clock=clock, run_schedule=False)) as client:
        ballot_id, key, rows = open_ballot(client, clock, n_cities=3)
        manifest, _digest = manifest_of(client, ballot_id)
        ids = [c["id"] for c in manifest["candidates"]]
        votes = [{"choice": ids[0]}, {"choice": ids[0]}, {"choice": ids[1]}]
        cast_all(client, ballot_id, [r["token"] for r in rows], votes)
        lifecycle_call(client, key, ballot_id, "close", reason="Every city has voted.")
        for file in f.trustee_files(client, ballot_id):
            moved = replace(file, server=f"http://127.0.0.1:{port}")
            create_key_file(folder / f"t{file.trustee}.json", moved)
    with serving(url, folder, port) as (base, env):
        yield Closed(base, ballot_id, key, env, folder)


def test_two_trustees_shuffle_and_decrypt_then_the_organiser_tallies(closed):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return inmc("trustee", *args, env=closed.env, cwd=closed.cwd)

    early = run("decrypt", "--key-file", "t1.json")
    refused(early, "Decryption starts once 2 trustees have shuffled; 0 have.")
    first = ok(run("shuffle", "--key-file", "t1.json"))
    assert "Your shuffle of round 1 is in, as shuffle 1 (hash " in first
    refused(run("shuffle", "--key-file", "t1.json"), "You have already shuffled round 1.")
    assert "as shuffle 2" in ok(run("shuffle", "--key-file", "t2.json"))
    for i in (1, 2):
        decrypted = ok(run("decrypt", "--key-file", f"t{i}.json"))
        assert "Your decryption of round 1 is in (hash " in decrypted
    refused(
        run("shuffle", "--key-file", "t3.json"),
        "Decryption of round 1 has started: no further shuffle is taken.",
    )

    api = f"{closed.url}/api/v1/ballots/{closed.ballot_id}"
    tallied = httpx.post(f"{api}/tally", headers=closed.organiser, timeout=60)
    assert tallied.status_code == 200, tallied.text
    assert tallied.json()["state"] == "tallied"
    mix = httpx.get(f"{api}/mix?round=1").json()
    assert [s["trustee"] for s in mix["shuffles"]] == [1, 2]
    assert [d["trustee"] for d in mix["decryptions"]] == [1, 2]

    late = run("decrypt", "--key-file", "t3.json")
    refused(late, "Round 1 is already tallied.")
    assert httpx.get(f"{api}/decryptions?round=1").json() == mix["decryptions"]
