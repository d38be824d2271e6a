"""Live turnout in Chromium: the public ballot page shows the count written by the
server, then a vote cast elsewhere appears on it within seconds, through the event
stream and static/turnout.js, with no console error (the CSP allows the script)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import start_test_server

ROOT = Path(__file__).resolve().parents[2]


def cast_args(base: str, token: str) -> list[str]:
    return ["--server", base, "--token", token, "--blank"]


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A voting server of this module's own, so that its tokens are all unused."""
    with start_test_server("voting_server", tmp_path_factory.mktemp("turnout")) as (base, facts):
        yield {"base": base, "ballot": facts["plurality"]}


def cast_blank(base: str, token: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "inmc_vote.cli", "cast", *cast_args(base, token)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_vote_appears_on_the_open_page(page, own_server) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    ballot = own_server["ballot"]
    page.goto(f"{own_server['base']}/ballots/{ballot['id']}")
    turnout = page.locator(".live-turnout .turnout")
    assert turnout.inner_text() == "0 ballots from 5 eligible cities"
    expect(turnout).to_have_attribute("aria-live", "polite")  # the script is running
    expect(page.locator(".live-turnout")).to_have_attribute("data-ballots", "0")

    cast_blank(own_server["base"], ballot["tokens"][0])
    expect(turnout).to_have_text("1 ballot from 5 eligible cities", timeout=15000)
    cast_blank(own_server["base"], ballot["tokens"][1])
    expect(turnout).to_have_text("2 ballots from 5 eligible cities", timeout=15000)
    assert errors == []
