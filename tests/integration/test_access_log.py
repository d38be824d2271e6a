"""The logs hold no credential, tracker, token or portal secret (issue 11, item 4;
docs/security.md, "What the logs hold"): a whole vote and a portal visit against
`inmc-vote serve` as an operator runs it, and its real log read back."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
from litestar.testing import TestClient

from inmc_vote.config import Settings
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import credentials, keys
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.tools import voter
from inmc_vote.web import log_redaction
from inmc_vote.web.app import create_app
from tests import factories as f
from tests.conftest import FakeClock
from tests.integration.test_cli import clean_env
from tests.integration.test_cli_cast import free_port, wait_until_up

SECRET = "access-log-test-secret-key-long-enough-0123456"


def test_a_vote_and_a_portal_visit_leave_no_secret_in_the_log(tmp_path, sqlite_factory) -> None:
    url = sqlite_factory.fresh(tmp_path)
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=12))
    settings = Settings(url, SECRET.encode(), "http://127.0.0.1", False)
    with TestClient(create_app(settings, clock=clock, run_schedule=False)) as client:
        key = f.bearer(f.account(client, clock))
        made, _ = f.ready_to_freeze(client, clock, n_cities=4, n_candidates=2)
        portal = next(iter(f.portal_tokens(client, key, made.id).values()))
        f.act(client, clock, made.id, Action.FREEZE)
        token = f.issue_tokens(client, clock, made.id)[0].token
        clock.advance(days=3)  # past opens_at: open for the real clock
        assert client.get(f"/api/v1/ballots/{made.id}").json()["state"] == "open"

    port = free_port()
    log = tmp_path / "server.log"
    env = clean_env(tmp_path, INMC_DATABASE_URL=url, INMC_SECRET_KEY=SECRET)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "inmc_vote.cli", "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        with httpx.Client(base_url=base, timeout=30) as http:
            assert http.get(f"/vote/{made.id}").status_code == 200
            result = voter.cast(base, token, voter.Choice(voter.VoteKind.BLANK), say=lambda _: None)
            tracker = b64url(result.tracker)
            found = http.post(f"/api/v1/ballots/{made.id}/board/find", json={"tracker": tracker})
            assert found.status_code == 200, found.text
            http.get(f"/ballots/{made.id}/board", params={"tracker": tracker})
            receipt = json.dumps(result.receipt_file)
            checked = http.post(  # a form POST: the receipt is in the body, never the address
                f"/ballots/{made.id}/board/receipt",
                data={"receipt": receipt, "_csrf_token": http.cookies["csrftoken"]},
            )
            assert checked.status_code == 200, checked.text
            http.get(f"/portal/{portal}")
            http.get(f"/api/v1/portal/{portal}")
            http.get(f"/portal/{portal}/withdraw")
    finally:
        process.terminate()
        process.wait(timeout=10)
    text = log.read_text()
    credential = b64url(keys.ed25519_public(credentials.parse_token(token)[1]))
    assert f'"POST /api/v1/ballots/{made.id}/cast HTTP/1.1" 201' in text, text
    assert '"GET /portal/… HTTP/1.1"' in text, text
    for secret, what in (
        (portal, "portal secret"),
        (token.split(".", 1)[-1], "token"),
        (credential, "credential"),
        (tracker, "tracker"),
        (tracker[:12], "tracker's start"),
    ):
        assert secret not in text, f"the log holds a {what}:\n{text}"


def test_redaction_keeps_the_shape_of_each_line() -> None:
    cases = {
        "/portal/abc.def": "/portal/…",
        "/portal/abc.def/withdraw?done=saved": "/portal/…/withdraw?done=saved",
        "/api/v1/portal/abc": "/api/v1/portal/…",
        "/api/v1/ballots/b1/roll/QUJD": "/api/v1/ballots/b1/roll/…",
        "/api/v1/ballots/b1/roll/line": "/api/v1/ballots/b1/roll/line",
        "/api/v1/ballots/b1/roll": "/api/v1/ballots/b1/roll",
        "/api/v1/ballots/b1/board/QUJD": "/api/v1/ballots/b1/board/…",
        "/api/v1/ballots/b1/board?after=500": "/api/v1/ballots/b1/board?after=500",
        "/ballots/b1/board?tracker=QUJD&page=2": "/ballots/b1/board?tracker=…&page=2",
        "/ballots/b1/board/receipt?receipt=%7B%22x": "/ballots/b1/board/receipt?receipt=…",
        "/api/v1/ballots/b1/credentials/AB12-CD34/revoke": (
            "/api/v1/ballots/b1/credentials/…/revoke"
        ),
        "/vote/b1#t=b1.SECRET": "/vote/b1#…",
    }
    for path, shown in cases.items():
        assert log_redaction.redact(path) == shown, path


def test_an_application_log_record_is_redacted(caplog) -> None:
    log_redaction.install()
    with caplog.at_level(logging.ERROR, logger="litestar"):
        logging.getLogger("litestar").error("Uncaught exception (path=%r):", "/portal/s3cret")
    assert caplog.records[-1].getMessage() == "Uncaught exception (path='/portal/…'):"
