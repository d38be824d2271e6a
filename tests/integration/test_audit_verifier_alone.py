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
