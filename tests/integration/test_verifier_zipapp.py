"""The verifier auditors download: one zipapp, built reproducibly from the source the
server runs, served with its SHA-256, and enough on its own, in a fresh virtual
environment holding only PyNaCl and `cryptography` from the package index, to pass an
honest bundle exported by the service and fail a tampered one."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import inmc_vote
from inmc_vote.documents import verifier_zipapp
from inmc_vote.documents.auditors_txt import auditors_text

ROOT = Path(__file__).resolve().parents[2]
NOT_THE_VERIFIER = ("inmc_vote/web/", "inmc_vote/db/", "inmc_vote/services/", "inmc_vote/cli/")


def test_two_builds_give_the_same_bytes() -> None:
    one, two = verifier_zipapp.build(), verifier_zipapp.build()
    assert one.content == two.content
    assert one.sha256 == hashlib.sha256(one.content).hexdigest() == two.sha256
    assert one.filename == f"inmc-verify-{inmc_vote.__version__}.pyz"
    assert one.sums == f"{one.sha256}  {one.filename}\n"


def test_it_holds_the_verifier_and_only_what_it_imports() -> None:
    built = verifier_zipapp.build()
    assert built.content.startswith(b"#!/usr/bin/env python3\n")
    with zipfile.ZipFile(io.BytesIO(built.content)) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        main = archive.read("__main__.py").decode()
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {verifier_zipapp.FIXED_TIME}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
    verify_sources = {
        p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src/inmc_vote/verify").glob("*.py")
    }
    assert verify_sources <= set(names)
    assert "inmc_vote/domain/protocol/group.py" in names
    assert not [n for n in names if n.startswith(NOT_THE_VERIFIER)]
    assert "inmc_vote/domain/cities.py" not in names  # the verifier never imports it
    assert "from inmc_vote.verify.command import main" in main


def test_its_requirements_are_the_project_s() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in verifier_zipapp.REQUIREMENTS:
        assert requirement in declared


def test_auditors_txt_gives_the_commands_and_names_the_verifier() -> None:
    served = verifier_zipapp.served()
    text = auditors_text("b1", {1: "ABCD-EFGH"}, base_url="https://vote.example.org/")
    assert f"curl -fO https://vote.example.org/verifier/{served.filename}" in text
    assert "sha256sum -c SHA256SUMS" in text
    assert "python3 -m pip install 'pynacl>=1.5' 'cryptography>=46'" in text
    assert f"python3 {served.filename} inmc-vote-b1-audit.zip" in text
    assert served.sha256 in text
    assert "pip install inmc-vote" not in text


def test_the_server_serves_it_with_its_hash(client) -> None:
    served = verifier_zipapp.served()
    answer = client.get(f"/verifier/{served.filename}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert served.filename in answer.headers["content-disposition"]
    assert hashlib.sha256(answer.content).hexdigest() == served.sha256
    sums = client.get("/verifier/SHA256SUMS")
    assert sums.status_code == 200
    assert sums.text == f"{served.sha256}  {served.filename}\n"
    alias = client.get("/verifier/inmc-verify.pyz", follow_redirects=False)
    assert alias.status_code == 302
    assert alias.headers["location"] == f"/verifier/{served.filename}"
    missing = client.get("/verifier/inmc-verify-0.0.1.pyz")
    assert missing.status_code == 404
    assert served.filename in missing.text


def test_the_audit_page_gives_the_commands(client, clock) -> None:
    from tests.voting_helpers import open_ballot

    ballot_id, _key, _rows = open_ballot(client, clock, n_cities=3, n_candidates=2)
    served = verifier_zipapp.served()
    page = client.get(f"/audit/{ballot_id}")
    assert page.status_code == 200
    assert "pip install inmc-vote" not in page.text
    assert f"/verifier/{served.filename}" in page.text
    assert "sha256sum -c SHA256SUMS" in page.text
    assert f"python3 {served.filename} inmc-vote-{ballot_id}-audit.zip" in page.text
    assert served.sha256 in page.text
    bundle = client.get(f"/api/v1/ballots/{ballot_id}/audit")
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        auditors = archive.read("AUDITORS.txt").decode()
    assert served.filename in auditors
    assert served.sha256 in auditors


# --- in a fresh virtual environment -----------------------------------------------------


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with PyNaCl and cryptography from the package index, and nothing else."""
    folder = tmp_path_factory.mktemp("auditor") / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, env=env)
    python = folder / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *verifier_zipapp.REQUIREMENTS],
        check=True,
        env=env,
        timeout=600,
    )
    return python


def run_bare(python: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_downloaded_verifier_runs_alone(client, clock, tmp_path, bare_python) -> None:
    from tests.integration.test_api_tally import act, close_early, done
    from tests.voting_helpers import ballot_body, manifest_of, open_ballot

    alone = run_bare(bare_python, ["-c", "import inmc_vote"], tmp_path)
    assert alone.returncode != 0  # the venv has none of the project
    ballot_id, key, rows = open_ballot(client, clock, n_cities=3, n_candidates=2)
    manifest, _ = manifest_of(client, ballot_id)
    a, b = (c["id"] for c in manifest["candidates"])
    for row, marks in zip(rows, [{"choice": a}, {"choice": b}, {"choice": a}], strict=True):
        clock.advance(minutes=1)
        body = ballot_body(client, ballot_id, row["token"], marks)
        assert client.post(f"/api/v1/ballots/{ballot_id}/cast", json=body).status_code == 201
    close_early(client, key, ballot_id)
    done(act(client, key, ballot_id, "tally"))
    done(act(client, key, ballot_id, "publish"))
    served = verifier_zipapp.served()
    pyz = tmp_path / served.filename
    pyz.write_bytes(client.get("/verifier/inmc-verify.pyz").content)  # the alias, followed
    (tmp_path / "SHA256SUMS").write_text(client.get("/verifier/SHA256SUMS").text)
    checked = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{served.filename}: OK" in checked.stdout
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(client.get(f"/api/v1/ballots/{ballot_id}/audit").content)

    # every module in it imports with nothing but the zipapp and the two packages
    every = ",".join(repr(m) for m in served.modules)
    script = (
        f"import importlib, sys; sys.path.insert(0, {pyz.name!r}); "
        f"[importlib.import_module(m) for m in ({every},)]"
    )
    imported = run_bare(bare_python, ["-c", script], tmp_path)
    assert imported.returncode == 0, imported.stderr

    passed = run_bare(bare_python, [pyz.name, bundle.name, "--json"], tmp_path)
    assert passed.returncode == 0, passed.stderr + passed.stdout
    report = json.loads(passed.stdout)
    assert report["ok"] is True
    assert "count" in [c["code"] for c in report["checks"]]

    # one vote changed in the decrypted votes: the bundle no longer proves the result
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "round-1/votes.jsonl":
                data = data.replace(a.encode(), b.encode(), 1)
                assert data != source.read(info)
            out.writestr(info, data)
    failed = run_bare(bare_python, [pyz.name, tampered.name], tmp_path)
    assert failed.returncode == 1, failed.stderr + failed.stdout
    assert "FAIL" in failed.stdout


def test_anyone_rebuilds_it_from_the_source_and_gets_the_same_hash(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "inmc_vote.documents.verifier_zipapp", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    served = verifier_zipapp.served()
    assert done.stdout == served.sums
    assert (tmp_path / served.filename).read_bytes() == served.content
