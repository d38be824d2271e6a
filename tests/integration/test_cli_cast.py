"""`inmc-vote cast` as a voter runs it: a subprocess against a running server (uvicorn
through `inmc-vote serve`, on a free local port, on a SQLite file)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from inmc_vote.config import Settings
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import board, manifest
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url, sha256
from inmc_vote.web.app import create_app
from tests import factories as f
from tests.conftest import FakeClock
from tests.integration.test_cli import clean_env, inmc

SECRET = "cast-test-secret-key-that-is-long-enough-0123"


@dataclass
class Server:
    url: str
    ballot_id: str
    tokens: list[str]
    candidates: list[str]
    fingerprint: str
    env: dict[str, str]
    cwd: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{url}/api/v1/ballots", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start within 30 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("cast")
    url = sqlite_factory.fresh(folder)
    # Made with a clock 12 days back, so that the ballot is open now for the real clock.
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=12))
    settings = Settings(url, SECRET.encode(), "http://127.0.0.1", False)
    with TestClient(create_app(settings, clock=clock, run_schedule=False)) as client:
        made, _ = f.ready_to_freeze(client, clock, n_cities=8, n_candidates=3)
        f.act(client, clock, made.id, Action.FREEZE)
        letters = f.issue_tokens(client, clock, made.id)
        clock.advance(days=3)  # past opens_at: the clock opens it
        assert client.get(f"/api/v1/ballots/{made.id}").json()["state"] == "open"
        found = json.loads(client.get(f"/api/v1/ballots/{made.id}/manifest").content)
        digest = from_b64url(client.get(f"/api/v1/ballots/{made.id}").json()["manifest_hash"])

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
        yield Server(
            base,
            made.id,
            [letter.token for letter in letters],
            [c["id"] for c in found["candidates"]],
            manifest.short_fingerprint(digest),
            env,
            folder,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def cast(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    return inmc("cast", "--server", server.url, *args, env=server.env, cwd=server.cwd)


def board_entries(server: Server) -> list[dict]:
    return httpx.get(f"{server.url}/api/v1/ballots/{server.ballot_id}/board").json()["entries"]


def refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_cast_prints_a_verified_receipt_found_on_the_board(server, tmp_path):
    receipt_file = tmp_path / "receipt.json"
    token = server.tokens[0]
    result = cast(
        server,
        "--token",
        token,
        "--choice",
        server.candidates[1],
        "--receipt",
        str(receipt_file),
        "--fingerprint",
        server.fingerprint,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"Fingerprint: {server.fingerprint}" in out
    assert "Which city should host the 2029 meetings?" in out
    assert "Your vote:   City 2" in out
    seq = int(out.split("entry:", 1)[1].split()[0])
    full = out.split("tracker (full):", 1)[1].split()[0]
    short = out.split("tracker:", 1)[1].split()[0]
    assert short == manifest.short_fingerprint(from_b64url(full))
    # the tracker was printed before the ballot was sent, and the receipt names it
    announced = out.split("Tracker:", 1)[1].split("\n", 1)[0]
    assert out.index("Tracker:") < out.index("Ballot received")
    assert short in announced
    assert full in announced

    saved = json.loads(receipt_file.read_text())
    assert set(saved) == {"receipt", "ballot"}  # docs/protocol.md, "Board, receipts, seal"
    receipt = saved["receipt"]
    assert receipt["tracker"] == full == b64url(sha256(canonical_json(saved["ballot"])))
    assert receipt["seq"] == seq
    found = httpx.post(
        f"{server.url}/api/v1/ballots/{server.ballot_id}/board/find", json={"tracker": full}
    ).json()
    assert found["entry"]["seq"] == seq
    assert found["entry"]["received_at"] == receipt["received_at"]
    assert found["entry"]["ballot"] == saved["ballot"]
    # The receipt holds against the manifest's authority key and the kept ballot.
    answer = httpx.get(f"{server.url}/api/v1/ballots/{server.ballot_id}/manifest")
    authority = from_b64url(json.loads(answer.content)["keys"]["authority"])
    digest = manifest.manifest_hash(answer.content)
    kept = board.ReceiptFile.parse(receipt_file.read_text())
    assert kept.problem(manifest_hash=digest, authority=authority, ballot=server.ballot_id) is None

    again = cast(server, "--token", token, "--blank")
    refused(again, "already voted")
    assert len([e for e in board_entries(server) if e["seq"] == seq]) == 1


def test_a_blank_vote_counts_as_cast(server):
    before = len(board_entries(server))
    result = cast(server, "--token", server.tokens[1], "--blank")
    assert result.returncode == 0, result.stderr
    assert "Your vote:   blank" in result.stdout
    assert len(board_entries(server)) == before + 1


def test_a_mistyped_token_is_told_from_a_wrong_one(server):
    token = server.tokens[2]
    ballot_id, body = token.split(".", 1)
    last = body[-1]
    typo = f"{ballot_id}.{body[:-1]}{'A' if last != 'A' else 'B'}"
    refused(cast(server, "--token", typo, "--choice", server.candidates[0]), "mistyped")
    refused(
        cast(server, "--token", "hello", "--choice", server.candidates[0]),
        "not a voting token",
    )
    refused(cast(server, "--token", token[:-5], "--choice", server.candidates[0]), "copied")


def test_an_unknown_candidate_is_refused_naming_the_valid_ids(server):
    before = len(board_entries(server))
    result = cast(server, "--token", server.tokens[3], "--choice", "atlantis")
    refused(result, "Not a candidate of this ballot: atlantis")
    for candidate in server.candidates:
        assert candidate in result.stderr
    assert len(board_entries(server)) == before  # nothing was sent


def test_a_vote_of_the_wrong_kind_or_for_another_ballot_is_not_sent(server):
    before = len(board_entries(server))
    refused(
        cast(server, "--token", server.tokens[4], "--rank", ",".join(server.candidates)),
        "vote with --choice ID",
    )
    refused(
        cast(
            server,
            "--token",
            server.tokens[4],
            "--choice",
            server.candidates[0],
            "--fingerprint",
            "AAAA-BBBB-CCCC-DDDD",
        ),
        "not the ballot you expected",
    )
    assert len(board_entries(server)) == before


def test_a_token_not_on_the_roll_and_an_unreachable_server(server):
    from inmc_vote.domain.protocol import credentials

    stranger = credentials.format_token(server.ballot_id, bytes(32))
    refused(cast(server, "--token", stranger, "--blank"), "not on this ballot's roll")
    other_ballot = credentials.format_token("nosuchballot", bytes(32))
    refused(cast(server, "--token", other_ballot, "--blank"), "No manifest for ballot")
    unreachable = inmc(
        "cast",
        "--server",
        f"http://127.0.0.1:{free_port()}",
        "--token",
        server.tokens[5],
        "--blank",
        env=server.env,
        cwd=server.cwd,
    )
    refused(unreachable, "Cannot reach the server")


def test_an_existing_receipt_file_is_not_overwritten_and_nothing_is_sent(server, tmp_path):
    existing = tmp_path / "receipt.json"
    existing.write_text("keep me")
    before = len(board_entries(server))
    result = cast(server, "--token", server.tokens[6], "--blank", "--receipt", str(existing))
    refused(result, "already exists")
    assert existing.read_text() == "keep me"
    assert len(board_entries(server)) == before


def test_cast_help_says_what_it_does(server):
    result = cast(server, "--help")
    assert result.returncode == 0
    for words in ("--choice", "--rank", "--approve", "--blank", "--receipt-out", "tracker"):
        assert words in result.stdout
