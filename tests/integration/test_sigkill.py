"""No receipt is lost when the server dies: `inmc-vote serve` is killed with SIGKILL
several times while a client casts in a loop, and started again; afterwards every receipt
the client received names an entry that is on the board, as the receipt says, and the
board is one valid chain. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from inmc_vote.domain.protocol import board
from inmc_vote.domain.protocol.encoding import from_b64url
from tests.integration.test_concurrent_casting import (
    SECRET_KEY,
    SRC,
    _wait_ready,
    ballot_for,
    fetch_manifest,
    free_port,
    prepare,
    read_board,
)

# storage-specific (what survives a crash); the server processes get a database of their own
pytestmark = [pytest.mark.both_databases, pytest.mark.fresh_database]

KILLS = 4
TOKENS = 400  # more than the client can cast in the test's time
BETWEEN_KILLS_S = (0.6, 0.9, 0.4, 0.7)  # casting time before each kill
BUDGET_S = 50.0


class Server:
    """One `inmc-vote serve` process at a time on the database, killed and started again."""

    def __init__(self, url: str, folder: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("INMC_")}
        self.env = env | {
            "INMC_DATABASE_URL": url,
            "INMC_SECRET_KEY": SECRET_KEY.decode(),
            "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])]),
        }
        self.folder = folder
        self.starts = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.base = ""

    def start(self) -> str:
        port = free_port()
        log = self.folder / f"server-{self.starts}.log"
        self.starts += 1
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "inmc_vote.cli", "serve", "--port", str(port)],
                env=self.env,
                cwd=self.folder,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        _wait_ready(self.process, log, base)
        self.base = base
        return base

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        assert self.process.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Caster(threading.Thread):
    """Casts one token after another against whichever server is up; keeps every receipt
    it receives. A token whose answer was lost to a kill is left: its fate is unknown to
    the client, so it proves nothing either way."""

    def __init__(self, server: Server, ballot_id: str, bodies: list[dict[str, str]]) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.ballot_id = ballot_id
        self.bodies = bodies
        self.receipts: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.lost = 0
        self.refused: list[tuple[int, str]] = []
        self.running = True

    def run(self) -> None:
        bodies = iter(self.bodies)
        body = next(bodies)
        with httpx.Client(timeout=5.0) as http:
            while self.running:
                try:
                    answer = http.post(
                        f"{self.server.base}/api/v1/ballots/{self.ballot_id}/cast", json=body
                    )
                except httpx.ConnectError:
                    time.sleep(0.05)  # no server: the ballot was not sent, send it again
                    continue
                except httpx.TransportError:
                    self.lost += 1  # sent, but the server died before it answered
                else:
                    if answer.status_code == 201:
                        self.receipts.append((body, answer.json()))
                    else:
                        self.refused.append((answer.status_code, answer.text))
                body = next(bodies, None)
                if body is None:
                    return


def test_every_receipt_survives_repeated_sigkills(
    database_url: str, tmp_path: Path, backend: str, figures
) -> None:
    began = time.monotonic()
    opened = prepare(database_url, TOKENS)
    server = Server(database_url, tmp_path)
    try:
        manifest, digest = fetch_manifest(server.start(), opened.ballot_id)
        authority = from_b64url(manifest["keys"]["authority"])
        bodies = [ballot_for(token, manifest, digest) for token in opened.tokens]
        caster = Caster(server, opened.ballot_id, bodies)
        caster.start()
        for pause in BETWEEN_KILLS_S[:KILLS]:
            time.sleep(pause)
            server.kill()
            server.start()
        time.sleep(0.3)  # a few casts on the last server
        caster.running = False
        caster.join(timeout=15)
        assert not caster.is_alive()
        entries, _ = read_board(server.base, opened.ballot_id)
    finally:
        server.stop()
    by_seq = {entry.seq: entry for entry in entries}
    missing = [receipt for _, receipt in caster.receipts if by_seq.get(receipt["seq"]) is None]
    figures.add(f"sigkill.{backend}.kills", KILLS)
    figures.add(f"sigkill.{backend}.receipts_checked", len(caster.receipts))
    figures.add(f"sigkill.{backend}.receipts_missing", len(missing))
    assert missing == []
    assert caster.refused == []  # nothing but receipts, or no answer at all
    assert len(caster.receipts) >= 2 * KILLS, "too few casts between the kills to show much"
    assert board.verify_board(digest, entries) is None
    assert [entry.seq for entry in entries] == list(range(1, len(entries) + 1))
    for body, receipt in caster.receipts:
        kept = board.ReceiptFile(board.Receipt.parse(receipt), body)
        assert kept.problem(manifest_hash=digest, authority=authority) is None
        assert by_seq[receipt["seq"]].hash == kept.receipt.hash
    # every ballot on the board is one the client sent: a receipt, or an answer a kill lost
    assert len(caster.receipts) <= len(entries) <= len(caster.receipts) + caster.lost
    print(
        f"\n{KILLS} SIGKILLs on {backend}: {len(caster.receipts)} receipts, all on the board "
        f"({len(entries)} entries, {caster.lost} answers lost to the kills)"
    )
    assert time.monotonic() - began < BUDGET_S
