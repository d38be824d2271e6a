"""Browser tests: a real `inmc-vote demo` server in a subprocess, driven by Chromium.

Chromium is Debian's (/usr/bin/chromium, or INMC_CHROMIUM); Playwright only drives it
(never `playwright install`). Without Chromium these tests skip, unless
INMC_REQUIRE_BROWSER=1 (as in .ci/run) makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

if TYPE_CHECKING:
    from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    given = os.environ.get("INMC_CHROMIUM")
    if given:
        return given
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class DemoServer:
    base_url: str
    email: str
    password: str
    api_key: str
    ballot_id: str
    portal_path: str
    folder: Path


def _field(output: str, pattern: str) -> str:
    match = re.search(pattern, output)
    assert match, f"the demo did not print {pattern!r}:\n{output}"
    return match.group(1)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """`inmc-vote demo` exactly as `make run` starts it, on a free port in a temp folder."""
    folder = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INMC_")}
    env["INMC_SECRET_KEY_FILE"] = str(folder / "secret.key")
    log = (folder / "demo.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "inmc_vote.cli",
            "demo",
            "--port",
            str(port),
            "--database-file",
            str(folder / "demo.sqlite3"),
        ],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the demo server did not start:\n" + (folder / "demo.log").read_text())
            time.sleep(0.2)
        output = (folder / "demo.log").read_text()
        yield DemoServer(
            base_url=base,
            email=_field(output, r"e-mail\s+(\S+)"),
            password=_field(output, r"password\s+(\S+)"),
            api_key=_field(output, r"API key\s+(\S+)"),
            ballot_id=_field(output, r"/ballots/(\w+)"),
            portal_path=_field(output, r"(/portal/\S+)"),
            folder=folder,
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("INMC_REQUIRE_BROWSER") == "1":
            pytest.fail("INMC_REQUIRE_BROWSER=1 but no Chromium found (apt-get install chromium)")
        pytest.skip("no Chromium on this machine; set INMC_REQUIRE_BROWSER=1 to require it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    """A phone-sized page (360 × 740, touch), as a city representative might use."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    tab = context.new_page()
    yield tab
    context.close()


@dataclass(frozen=True)
class VotingServer:
    """A live server with two open ballots (plurality and irv) and their tokens."""

    base_url: str
    plurality: dict
    irv: dict


@contextmanager
def start_test_server(
    module: str, folder: Path, *, timeout: float = 60
) -> Iterator[tuple[str, dict]]:
    """Run `python -m tests.browser.<module> --port P --folder F` on a free port and wait
    until it has written F/facts.json and answers; yields (base URL, facts). One launcher,
    so that every test server starts, fails and stops the same way."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INMC_")}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", f"tests.browser.{module}"]
    with (folder / "server.log").open("w") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--folder", str(folder)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while not ((folder / "facts.json").exists() and _answers(base)):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"the {module} did not start:\n" + (folder / "server.log").read_text()
                    )
                time.sleep(0.2)
            yield base, json.loads((folder / "facts.json").read_text())
        finally:
            process.terminate()
            process.wait(timeout=10)


def _answers(base: str) -> bool:
    try:
        return httpx.get(base + "/", timeout=1).is_success
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="session")
def voting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VotingServer]:
    """tests/browser/voting_server.py on a free port: ballots built through the services
    with times in the past, so that the real clock has opened them."""
    with start_test_server("voting_server", tmp_path_factory.mktemp("voting")) as (base, facts):
        yield VotingServer(base, facts["plurality"], facts["irv"])


def route_to(client: f.Client) -> Any:
    """A Playwright route handler that answers Chromium's requests from the test client
    (path, query, body and headers but Host), so a page runs against the app in process."""

    def serve(route: Any) -> None:
        request = route.request
        url = urlsplit(request.url)
        answer = client.request(
            request.method,
            url.path + (f"?{url.query}" if url.query else ""),
            content=request.post_data_buffer,
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
        )
        route.fulfill(status=answer.status_code, headers=dict(answer.headers), body=answer.content)

    return serve
