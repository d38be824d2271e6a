"""The verifier needs nothing but the standard library, `cryptography` and the domain's
protocol and counting code: it runs (with its worker processes) where the web service,
the database layer, the services, Litestar and SQLAlchemy cannot even be imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.unit.audit import builder

FORBIDDEN = (
    "inmc_vote.web",
    "inmc_vote.db",
    "inmc_vote.services",
    "inmc_vote.services.queries.audit_bundle",
    "litestar",
    "sqlalchemy",
    "alembic",
    "jinja2",
    "httpx",
    "uvicorn",
)

GUARD = textwrap.dedent(
    f"""
    import importlib.abc
    import sys

    FORBIDDEN = {FORBIDDEN!r}

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                raise ImportError(f"the verifier may not import {{name}}")
            return None

    sys.meta_path.insert(0, Refuse())
    """
)


@pytest.fixture
def guarded_env(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "guard"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(GUARD)
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join([str(folder), src])
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_guard_works(guarded_env: dict[str, str]) -> None:
    refused = run(["-c", "import sqlalchemy"], guarded_env)
    assert refused.returncode != 0
    assert "the verifier may not import sqlalchemy" in refused.stderr


def test_the_verifier_runs_without_the_service(guarded_env: dict[str, str], tmp_path: Path) -> None:
    good = builder.honest([{"v": 1, "choice": "lyon"}, {"v": 1, "blank": True}], voters=4)
    path = good.write(tmp_path / "bundle.zip")
    done = run(["-m", "inmc_vote.verify", str(path), "--json"], guarded_env)
    assert done.returncode == 0, done.stderr + done.stdout
    assert json.loads(done.stdout)["ok"] is True
    by_cli = run(["-m", "inmc_vote.cli", "verify", str(path)], guarded_env)
    assert by_cli.returncode == 0, by_cli.stderr + by_cli.stdout
    assert "checks passed" in by_cli.stdout
    # with worker processes, which import only what the verifier imports
    script = textwrap.dedent(
        f"""
        import sys
        from inmc_vote.verify.run import verify
        report = verify({str(path)!r}, jobs=2, parallel_from=1)
        assert report.ok, report.text()
        loaded = [m for m in sys.modules if m.startswith({FORBIDDEN!r})]
        assert not loaded, loaded
        print("verified alone")
        """
    )
    pooled = run(["-c", script], guarded_env)
    assert pooled.returncode == 0, pooled.stderr
    assert "verified alone" in pooled.stdout


def test_a_failure_exits_non_zero(guarded_env: dict[str, str], tmp_path: Path) -> None:
    bad = builder.honest()
    bad.signers["seal"] = bad.voters[0].seed
    path = bad.write(tmp_path / "bad.zip")
    done = run(["-m", "inmc_vote.verify", str(path)], guarded_env)
    assert done.returncode == 1
    assert "FAIL  round 1, seal: seal.json is not signed by the authority" in done.stdout


# --- a real bundle, exported by the service ------------------------------------------------


@pytest.mark.both_databases
def test_a_real_exported_bundle_verifies_alone(
    client, clock, tmp_path: Path, guarded_env: dict[str, str]
) -> None:
    """A ballot run through the API (ceremony, casting, closing, two shuffles, two
    decryptions, tally, publication), its bundle downloaded and checked by the verifier
    in a process that cannot import the service; a voter's receipt file is found, and a
    receipt swapped for another voter's is not theirs."""
    from tests.integration.test_api_tally import act, close_early, done
    from tests.voting_helpers import ballot_body, manifest_of, open_ballot

    ballot_id, key, rows = open_ballot(client, clock, n_cities=4, n_candidates=3)
    manifest, _ = manifest_of(client, ballot_id)
    a, b, _c = (c["id"] for c in manifest["candidates"])
    files = []
    votes = [{"choice": a}, {"choice": b}, {"choice": a}, {"blank": True}]
    for row, marks in zip(rows, votes, strict=True):
        clock.advance(minutes=1)
        body = ballot_body(client, ballot_id, row["token"], marks)
        answer = client.post(f"/api/v1/ballots/{ballot_id}/cast", json=body)
        assert answer.status_code == 201, answer.text
        files.append({"receipt": answer.json(), "ballot": body})
    close_early(client, key, ballot_id)
    done(act(client, key, ballot_id, "tally"))
    done(act(client, key, ballot_id, "publish"))
    answer = client.get(f"/api/v1/ballots/{ballot_id}/audit")
    assert answer.status_code == 200, answer.text
    path = tmp_path / "real.zip"
    path.write_bytes(answer.content)

    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps(files[1]))
    swapped = tmp_path / "swapped.json"
    swapped.write_text(json.dumps({"receipt": files[2]["receipt"], "ballot": files[1]["ballot"]}))
    done_ = run(
        ["-m", "inmc_vote.verify", str(path), "--json", "--receipt", str(mine)], guarded_env
    )
    assert done_.returncode == 0, done_.stderr + done_.stdout
    report = json.loads(done_.stdout)
    codes = [c["code"] for c in report["checks"]]
    for code in ("ceremony", "ballots", "mix-input", "shuffles", "decryption", "lot", "count"):
        assert code in codes, code
    assert "signatures" not in codes
    assert report["checks"][-1]["detail"].startswith("found: entry 2 of round 1")
    refused = run(["-m", "inmc_vote.verify", str(path), "--receipt", str(swapped)], guarded_env)
    assert refused.returncode == 1
    assert "FAIL  receipt swapped.json: NOT YOURS" in refused.stdout
