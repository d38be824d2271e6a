"""The auditor's page runs the server's own export and verification once per signed head,
however many anonymous requests ask for it at once (issue 11, "Load and shared state")."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from inmc_vote.web.pages import audit
from tests.integration.test_audit_pages import cast
from tests.voting_helpers import manifest_of, open_ballot

AT_ONCE = 8


class CountingVerifier:
    """The real verifier, counted, and slow enough that every request arrives while the
    first run is still going."""

    def __init__(self) -> None:
        self.runs = 0
        self.lock = threading.Lock()
        self.real = audit.verify

    def __call__(self, path: Path, **options: Any) -> Any:
        with self.lock:
            self.runs += 1
        time.sleep(0.3)
        return self.real(path, **options)


@pytest.fixture
def verifier(monkeypatch: pytest.MonkeyPatch) -> CountingVerifier:
    counting = CountingVerifier()
    monkeypatch.setattr(audit, "verify", counting)
    monkeypatch.setattr(audit, "_reports", OrderedDict())
    monkeypatch.setattr(audit, "_running", {}, raising=False)
    return counting


def test_concurrent_requests_for_one_head_share_one_verification(
    client, clock, verifier: CountingVerifier, figures
) -> None:
    ballot_id, _key, rows = open_ballot(client, clock, n_cities=4, n_candidates=2)
    manifest, _ = manifest_of(client, ballot_id)
    cast(client, ballot_id, rows[0]["token"], {"choice": manifest["candidates"][0]["id"]})
    gate = threading.Barrier(AT_ONCE)

    def one(_: int) -> tuple[int, str]:
        gate.wait()
        answer = client.get(f"/audit/{ballot_id}")
        return answer.status_code, answer.text

    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = list(pool.map(one, range(AT_ONCE)))
    figures.add("audit.concurrent_requests", AT_ONCE)
    figures.add("audit.verification_runs", verifier.runs)
    assert [status for status, _ in answers] == [200] * AT_ONCE
    assert all("checks passed." in text and "FAILED" not in text for _, text in answers)
    assert verifier.runs == 1

    # a reload of the same head is served from the kept report
    assert client.get(f"/audit/{ballot_id}").status_code == 200
    assert verifier.runs == 1
    # a new head (another ballot on the board) is checked again, once
    cast(client, ballot_id, rows[1]["token"], {"blank": True})
    assert "checks passed." in client.get(f"/audit/{ballot_id}").text
    assert verifier.runs == 2


def test_a_failed_run_is_not_kept(client, clock, verifier: CountingVerifier, monkeypatch) -> None:
    ballot_id, _key, _rows = open_ballot(client, clock, n_cities=3, n_candidates=2)

    def broken(path: Path, **options: Any) -> Any:
        verifier.runs += 1
        raise OSError("disk full")

    monkeypatch.setattr(audit, "verify", broken)
    assert client.get(f"/audit/{ballot_id}").status_code == 500
    assert verifier.runs == 1
    assert audit._running == {}
    assert audit._reports == {}
    monkeypatch.setattr(audit, "verify", verifier.real)
    assert "checks passed." in client.get(f"/audit/{ballot_id}").text
