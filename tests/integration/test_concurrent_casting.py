"""Casting under load, against the service run as real processes (`inmc-vote serve`), two
of them on one database, on SQLite and on PostgreSQL.

The casting service serialises per ballot (a row lock on PostgreSQL, BEGIN IMMEDIATE on
SQLite): one token votes once however many copies arrive at once, and the board stays
one gapless hash chain however many tokens vote at once, whichever process takes them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

import inmc_vote
from inmc_vote.domain.protocol import board
from inmc_vote.domain.protocol.encoding import from_b64url
from tests.voting_helpers import (
    SECRET_KEY,
    OpenedBallot,
    board_entries,
    make_ballot,
    open_ballot_now,
)

# storage-specific: locks under load; the server processes get a database of their own
pytestmark = [pytest.mark.both_databases, pytest.mark.fresh_database]

SRC = Path(inmc_vote.__file__).resolve().parents[1]
START_TIMEOUT_S = 30.0
REQUEST_TIMEOUT_S = 30.0
BUDGET_S = 60.0  # each test, set-up included


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def servers(url: str, folder: Path, n: int = 2) -> Iterator[list[str]]:
    """`n` app processes on one database; yields their base URLs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INMC_")}
    env |= {
        "INMC_DATABASE_URL": url,
        "INMC_SECRET_KEY": SECRET_KEY.decode(),
        "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])]),
    }
    started: list[tuple[subprocess.Popen[bytes], Path, str]] = []
    try:
        for i in range(n):
            port = free_port()
            log = folder / f"server-{i}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "inmc_vote.cli", "serve", "--port", str(port)],
                    env=env,
                    cwd=folder,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append((process, log, f"http://127.0.0.1:{port}"))
        for process, log, base in started:
            _wait_ready(process, log, base)
        yield [base for _, _, base in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(process: subprocess.Popen[bytes], log: Path, base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped ({process.returncode}):\n{log.read_text()}")
        try:
            httpx.get(f"{base}/api/v1/ballots/none", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the server did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}")


def fetch_manifest(base: str, ballot_id: str) -> tuple[dict[str, Any], bytes]:
    response = httpx.get(f"{base}/api/v1/ballots/{ballot_id}/manifest", timeout=10)
    assert response.status_code == 200, response.text
    digest = hashlib.sha256(response.content).digest()  # hash the bytes received
    assert from_b64url(response.headers["x-manifest-hash"]) == digest
    return json.loads(response.content), digest


def ballot_for(token: str, manifest: dict[str, Any], digest: bytes) -> Any:
    choice = manifest["candidates"][len(token) % len(manifest["candidates"])]["id"]
    return make_ballot(manifest, digest, token, {"choice": choice}).to_json()


async def fire(
    bases: list[str], ballot_id: str, bodies: list[dict[str, str]], at_once: int
) -> list[tuple[int, dict[str, Any]]]:
    """POST every body at once (at most `at_once` in flight), spread over the servers."""
    gate = asyncio.Semaphore(at_once)
    limits = httpx.Limits(max_connections=at_once, max_keepalive_connections=at_once)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as http:

        async def one(i: int, body: dict[str, str]) -> tuple[int, dict[str, Any]]:
            async with gate:
                base = bases[i % len(bases)]
                response = await http.post(f"{base}/api/v1/ballots/{ballot_id}/cast", json=body)
                return response.status_code, response.json()

        return await asyncio.gather(*(one(i, body) for i, body in enumerate(bodies)))


def read_board(
    base: str, ballot_id: str, pages: list[dict[str, Any]] | None = None
) -> tuple[list[board.Entry], dict[str, Any]]:
    """Every entry, page by page with ?after= (each page appended to `pages`)."""
    entries: list[board.Entry] = []
    after = 0
    while True:
        page = httpx.get(
            f"{base}/api/v1/ballots/{ballot_id}/board", params={"after": after}, timeout=30
        ).json()
        entries += board_entries(page)
        if pages is not None:
            pages.append(page)
        if page["next_after"] is None:
            return entries, page
        after = page["next_after"]


def prepare(database_url: str, n_cities: int) -> OpenedBallot:
    return asyncio.run(open_ballot_now(database_url, n_cities, datetime.now(UTC)))


def test_one_token_sent_100_times_at_once_votes_once(
    database_url: str, tmp_path: Path, backend: str, figures
) -> None:
    began = time.monotonic()
    opened = prepare(database_url, 5)
    with servers(database_url, tmp_path) as bases:
        manifest, digest = fetch_manifest(bases[0], opened.ballot_id)
        assert digest == opened.manifest_hash
        token = opened.tokens[0]
        # 100 distinct encryptions of votes by the same token (as from 100 browser tabs)
        bodies = [ballot_for(token, manifest, digest) for _ in range(100)]
        fired = time.monotonic()
        answers = asyncio.run(fire(bases, opened.ballot_id, bodies, at_once=100))
        took = time.monotonic() - fired
        statuses = Counter(status for status, _ in answers)
        figures.add(f"double_vote.{backend}.attempts", len(answers))
        figures.add(f"double_vote.{backend}.accepted", statuses[201])
        figures.add(f"double_vote.{backend}.refused", statuses[409])
        assert statuses == {201: 1, 409: 99}, statuses
        for status, body in answers:
            if status == 409:
                assert "this token has already voted" in body["detail"].lower(), body
        entries, page = read_board(bases[1], opened.ballot_id)
    assert len(entries) == 1
    assert board.verify_board(digest, entries) is None
    (receipt,) = [body for status, body in answers if status == 201]
    line = page["entries"][0]
    assert (receipt["seq"], receipt["hash"], receipt["tracker"]) == (
        1,
        line["hash"],
        line["tracker"],
    )
    assert line["ballot"] in bodies
    print(f"\n100 casts of one token: 1 accepted, 99 refused (409) in {took:.2f} s")
    assert time.monotonic() - began < BUDGET_S


def test_one_ballot_sent_30_times_at_once_gets_one_receipt(
    database_url: str, tmp_path: Path
) -> None:
    """A client retrying a lost reply while the first copy is still in flight: every copy
    of the same bytes gets the one receipt (201 once, 200 after), another ballot of the
    same token 409, and the board holds one entry (issue 11, item 3)."""
    began = time.monotonic()
    opened = prepare(database_url, 3)
    with servers(database_url, tmp_path) as bases:
        manifest, digest = fetch_manifest(bases[0], opened.ballot_id)
        same = ballot_for(opened.tokens[0], manifest, digest)
        others = [ballot_for(opened.tokens[0], manifest, digest) for _ in range(5)]
        answers = asyncio.run(fire(bases, opened.ballot_id, [same] * 30 + others, at_once=35))
        entries, page = read_board(bases[1], opened.ballot_id)
    accepted = [(status, body) for status, body in answers if status in (200, 201)]
    if page["entries"][0]["ballot"] == same:
        assert Counter(status for status, _ in accepted) == {201: 1, 200: 29}, answers
        assert len({json.dumps(body, sort_keys=True) for _, body in accepted}) == 1
        assert [status for status, _ in answers[30:]] == [409] * 5
    else:  # one of the others came first: every copy of `same` is then another ballot
        assert [status for status, _ in answers[:30]] == [409] * 30
    assert len(entries) == 1
    assert time.monotonic() - began < BUDGET_S


def test_500_tokens_at_once_on_two_processes_make_one_gapless_chain(
    database_url: str, tmp_path: Path, backend: str, figures
) -> None:
    began = time.monotonic()
    opened = prepare(database_url, 500)
    assert len(opened.tokens) == 500
    with servers(database_url, tmp_path) as bases:
        manifest, digest = fetch_manifest(bases[0], opened.ballot_id)
        assert manifest["eligible"] == 500
        authority = from_b64url(manifest["keys"]["authority"])
        bodies = [ballot_for(t, manifest, digest) for t in opened.tokens]
        fired = time.monotonic()
        answers = asyncio.run(fire(bases, opened.ballot_id, bodies, at_once=100))
        took = time.monotonic() - fired
        refused = [(status, body) for status, body in answers if status != 201]
        assert not refused, refused[:5]
        pages: list[dict[str, Any]] = []
        entries, _ = read_board(bases[1], opened.ballot_id, pages)
        turnout = httpx.get(f"{bases[0]}/api/v1/ballots/{opened.ballot_id}", timeout=10).json()
    assert turnout["turnout"] == {"ballots": 500, "eligible": 500}
    for i in range(2):  # both processes took their half of the ballots
        assert (tmp_path / f"server-{i}.log").read_text().count('/cast HTTP/1.1" 201') == 250
    assert [e.seq for e in entries] == list(range(1, 501))
    # a full page of 500 points to the next one, which is empty and ends the board
    assert [(len(p["entries"]), p["next_after"]) for p in pages] == [(500, 500), (0, None)]
    assert board.verify_board(digest, entries) is None
    assert len({e.ballot_json()["credential"] for e in entries}) == 500
    by_seq = {e.seq: e for e in entries}
    for body, (_, receipt) in zip(bodies, answers, strict=True):
        kept = board.ReceiptFile(board.Receipt.parse(receipt), body)  # each its own ballot's
        assert kept.problem(manifest_hash=digest, authority=authority) is None
        assert by_seq[receipt["seq"]].hash == kept.receipt.hash
    figures.add(f"two_process.{backend}.ballots", len(entries))
    figures.add(f"two_process.{backend}.chains")  # every check above passed: one chain
    print(f"\n500 tokens on 2 processes: 500 accepted in {took:.2f} s ({500 / took:.0f}/s)")
    assert time.monotonic() - began < BUDGET_S
