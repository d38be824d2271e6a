"""The trustee's page (/ballots/<id>/trustee) in Chromium against a live server: two
trustees do the whole key ceremony from the page and one with `inmc-vote trustee`, the
ballot is voted, mixed, and the page sends decryption shares that the tally accepts.

Key files cross between the two tools: a file the page made is used by the command line
(to shuffle) and one the command line made is opened by the page (to decrypt). The
invitation travels only in the URL fragment and the bearer header, never in a URL the
server sees.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from inmc_vote.tools import trustee as tool
from tests.browser import accessibility
from tests.browser.conftest import start_test_server
from tests.voting_helpers import ballot_body, tokens_from_zip

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Server:
    base_url: str
    ballot: str
    api_key: str
    invitations: list[str]
    folder: Path
    draft: str
    draft_invitations: list[str]

    def api(self, path: str) -> str:
        return f"{self.base_url}/api/v1/ballots/{self.ballot}{path}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """tests/browser/trustee_server.py on a free port."""
    folder = tmp_path_factory.mktemp("trustees")
    with start_test_server("trustee_server", folder) as (base, facts):
        yield Server(
            base,
            facts["ballot"],
            facts["api_key"],
            facts["invitations"],
            folder,
            facts["draft"],
            facts["draft_invitations"],
        )


class Trustee:
    """One trustee at the page, in its own browser context; records every URL it asks."""

    def __init__(
        self, browser: Any, server: Server, index: int, phone: bool = False, draft: bool = False
    ) -> None:
        self.server, self.index = server, index
        self.ballot = server.draft if draft else server.ballot
        self.invitation = (server.draft_invitations if draft else server.invitations)[index - 1]
        options: dict[str, Any] = {"accept_downloads": True}
        if phone:
            options.update(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        self.context = browser.new_context(**options)
        self.tab = self.context.new_page()
        self.urls: list[str] = []
        self.errors: list[str] = []
        self.tab.on("request", lambda request: self.urls.append(request.url))
        self.failed: list[str] = []
        self.tab.on(
            "response",
            lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        self.tab.on("pageerror", lambda error: self.errors.append(str(error)))
        self.tab.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.key_file = server.folder / f"page-trustee-{index}.json"

    def open(self, *, with_invitation: bool = False) -> None:
        url = f"{self.server.base_url}/ballots/{self.ballot}/trustee"
        if with_invitation:
            url += f"#invitation={self.invitation}"
        self.tab.goto(url)
        self.tab.wait_for_selector("#next-step:not(:empty), #trustee-problem .alert")

    def next_step(self) -> str:
        return self.tab.inner_text("#next-step")

    def status(self, expected: str) -> None:
        self.tab.wait_for_selector(
            f"#trustee-status:has-text({json.dumps(expected)}), #trustee-problem .alert"
        )
        assert self.tab.inner_text("#trustee-problem") == ""
        assert expected in self.tab.inner_text("#trustee-status")

    def check(self, state: str) -> None:
        """axe on the page as it stands (and its screenshot), named by trustee and state."""
        accessibility.check(self.tab, f"trustee-{self.index}-{state}")

    def save_then_send(self, click: str, done: str) -> None:
        with self.tab.expect_download() as download:
            self.tab.click(click)
        download.value.save_as(self.key_file)
        self.tab.wait_for_selector("#step-save:not([hidden])")
        self.check(f"save-{click.strip('#')}")
        assert download.value.suggested_filename == f"trustee-{self.ballot}-{self.index}.json"
        self.tab.click("#send")
        self.status(done)

    def open_key_file(self, path: Path | None = None) -> None:
        self.tab.set_input_files("#key-file", str(path or self.key_file))
        self.tab.wait_for_selector("#key-file-name:not(:empty), #trustee-problem .alert")
        assert self.tab.inner_text("#trustee-problem") == ""

    def close(self) -> None:
        self.context.close()


def cli(server: Server, *args: str) -> str:
    """`inmc-vote trustee ...` as a trustee runs it on its own machine."""
    done = subprocess.run(
        [sys.executable, "-m", "inmc_vote.cli", "trustee", *args],
        cwd=server.folder,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("INMC_")},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def state(server: Server) -> dict[str, Any]:
    return httpx.get(server.api("/ceremony")).json()


def organiser(server: Server, action: str, **body: Any) -> httpx.Response:
    answer = httpx.post(
        server.api(f"/{action}"),
        json=body or None,
        headers={"Authorization": f"Bearer {server.api_key}"},
        timeout=60,
    )
    assert answer.is_success, answer.text
    return answer


def test_two_page_trustees_and_one_cli_trustee_run_the_ballot_to_its_tally(browser, server):
    t1 = Trustee(browser, server, 1)
    t2 = Trustee(browser, server, 2, phone=True)
    cli_file = server.folder / "cli-trustee-3.json"

    # step 1, join: the page makes the key file, the trustee saves it, then it is sent
    t1.open(with_invitation=True)
    assert "join" in t1.next_step()
    t1.check("join")
    t1.save_then_send("#make-key-file", "Your certificate is in: you are trustee 1 (Ana Costa).")
    t2.open(with_invitation=True)
    t2.check("join-phone")
    t2.save_then_send("#make-key-file", "trustee 2 (Bram de Vries)")
    assert "Waiting for trustee(s) 3 (Chiara Rossi) to join" in t2.next_step()
    assert t2.tab.evaluate("() => document.documentElement.scrollWidth") <= 360  # a phone
    cli(
        server,
        "join",
        "--server",
        server.base_url,
        "--ballot",
        server.ballot,
        "--invitation",
        server.invitations[2],
        "--key-file",
        str(cli_file),
    )
    # the page's key files are the command line's format
    made = tool.read_key_file(t1.key_file)
    assert (made.trustee, made.ballot, made.polynomial, made.share) == (
        1,
        server.ballot,
        None,
        None,
    )
    assert t1.key_file.read_bytes() == tool._dump(made)

    # step 2, deal: each page trustee opens its key file again, in a fresh page
    for trustee in (t1, t2):
        trustee.open()
        trustee.open_key_file()
        assert "send your deal" in trustee.next_step()
        trustee.check("deal")
        trustee.save_then_send("#act", "Your deal is in: a share for each of the 3 trustees.")
    assert tool.read_key_file(t2.key_file).polynomial is not None
    cli(server, "deal", "--key-file", str(cli_file))

    # step 3, check: the page opens its shares, sends its key (its share saved first)
    for trustee in (t1, t2):
        trustee.open()
        trustee.open_key_file()
        trustee.save_then_send("#act", "All 3 shares sent to you are good.")
        assert tool.read_key_file(trustee.key_file).share is not None
    cli(server, "check", "--key-file", str(cli_file))
    ceremony = state(server)
    assert ceremony["phase"] == "complete", ceremony
    t1.open()
    t1.open_key_file()
    assert "The ceremony is complete" in t1.next_step()
    t1.check("complete")

    # the vote: freeze, issue, open, five cities vote, close
    organiser(server, "freeze")
    issued = organiser(server, "tokens")
    tokens = [row["token"] for row in tokens_from_zip(issued.content)]
    organiser(server, "open")
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        manifest = client.get(f"/api/v1/ballots/{server.ballot}/manifest").json()
        first, second = (c["id"] for c in manifest["candidates"])
        votes = [{"choice": first}, {"choice": second}, {"choice": first}, {"blank": True}]
        for token, vote in zip(tokens, votes, strict=False):
            sent = client.post(
                f"/api/v1/ballots/{server.ballot}/cast",
                json=ballot_body(client, server.ballot, token, vote),
            )
            assert sent.status_code == 201, sent.text
    organiser(server, "close", reason="Every city has voted.")

    # the mix: the page shuffles first, then the command line with a file the page made
    t1.open()
    t1.open_key_file()
    t1.tab.wait_for_selector('#act:has-text("Shuffle the ballots")')
    assert "Your turn in the tally: shuffle the ballots of round 1." in t1.next_step()
    t1.check("shuffle")
    t1.tab.click("#act")
    t1.status("Your shuffle of round 1 is in.")
    t1.tab.wait_for_selector(
        '#next-step:has-text("Decryption starts once 2 trustees have shuffled; 1 have.")'
    )
    assert "shuffle 2" in cli(server, "shuffle", "--key-file", str(t2.key_file))
    mix = httpx.get(server.api("/mix")).json()
    assert [x["trustee"] for x in mix["shuffles"]] == [1, 2]

    # the decryption: from the page, with a page-made file and with the CLI-made file
    t1.open()
    t1.open_key_file()
    t1.tab.wait_for_selector("#step-act:not([hidden])")
    t1.tab.click("#act")
    t1.status("Your decryption share of round 1 is in.")
    t1.check("decrypted")
    t3 = Trustee(browser, server, 3)
    t3.open()
    t3.open_key_file(cli_file)
    t3.tab.wait_for_selector("#step-act:not([hidden])")
    t3.tab.click("#act")
    t3.status("Your decryption share of round 1 is in.")
    mix = httpx.get(server.api("/mix")).json()
    assert sorted(d["trustee"] for d in mix["decryptions"]) == [1, 3]

    organiser(server, "tally")
    results = httpx.get(
        server.api("/results"), headers={"Authorization": f"Bearer {server.api_key}"}
    ).json()
    assert results["state"] == "tallied"
    assert results["winner"] == first, results

    # the invitation never reached the server in a URL; the pages saw no error
    for trustee in (t1, t2, t3):
        invitation = server.invitations[trustee.index - 1]
        assert not any(invitation in url or invitation.split(".")[2] in url for url in trustee.urls)
        assert trustee.errors == [], (trustee.errors, trustee.failed)
        trustee.close()


def test_the_page_says_what_is_wrong_with_a_key_file(browser, server, tmp_path):
    trustee = Trustee(browser, server, 1)
    try:
        trustee.open()
        bad = tmp_path / "notes.json"
        bad.write_text('{"format": "something else"}')
        trustee.tab.set_input_files("#key-file", str(bad))
        trustee.tab.wait_for_selector("#trustee-problem .alert")
        assert (
            trustee.tab.inner_text("#trustee-problem")
            == "notes.json is not an inmc-vote/trustee/v2 file."
        )
        other = tmp_path / "other.json"
        made = tool.new_trustee_file(server.base_url, "otherballot1", server.invitations[0])
        other.write_bytes(tool._dump(made))
        trustee.tab.set_input_files("#key-file", str(other))
        trustee.tab.wait_for_selector("#trustee-problem .alert:has-text('otherballot1')")
    finally:
        trustee.close()


def test_switching_the_language_keeps_the_invitation(browser, server):
    trustee = Trustee(browser, server, 3)
    try:
        trustee.open(with_invitation=True)
        trustee.tab.click("nav.languages a[lang=fr]")
        trustee.tab.wait_for_selector("html[lang=fr]")
        assert trustee.tab.evaluate("() => location.hash") == f"#invitation={trustee.invitation}"
        trustee.tab.wait_for_selector("#next-step:not(:empty)")
    finally:
        trustee.close()


def test_a_bad_invitation_in_the_link_is_named(browser, server):
    trustee = Trustee(browser, server, 1)
    try:
        trustee.tab.goto(f"{server.base_url}/ballots/{server.ballot}/trustee#invitation=not-one")
        trustee.tab.wait_for_selector("#trustee-problem .alert")
        assert "invitation cannot be read" in trustee.tab.inner_text("#trustee-problem")
    finally:
        trustee.close()


def test_a_bad_share_makes_the_page_send_a_complaint(browser, server):
    """Trustee 3 deals trustee 1 a share that does not match its commitments: the page
    finds it and sends the complaint the command line would, and the ceremony fails."""
    from inmc_vote.domain.protocol import ceremony, group, keys
    from inmc_vote.domain.protocol.encoding import b64url, from_b64url
    from inmc_vote.tools.trustee_client import TrusteeClient

    page = Trustee(browser, server, 1, draft=True)
    others = [
        tool.new_trustee_file(server.base_url, server.draft, server.draft_invitations[i])
        for i in (1, 2)
    ]
    try:
        page.open(with_invitation=True)
        assert page.tab.inner_text("h1") == f"Trustee: ballot {server.draft}"  # a draft
        # the key file is saved, but the page is closed before the certificate is sent:
        # opened again, the file sends it
        with page.tab.expect_download() as download:
            page.tab.click("#make-key-file")
        download.value.save_as(page.key_file)
        page.open()
        page.open_key_file()
        page.tab.wait_for_selector('#act:has-text("Send my certificate")')
        page.tab.click("#act")
        page.status("Your certificate is in: you are trustee 1 (Ana Costa).")
        for file in others:
            with TrusteeClient.of(file) as client:
                client.send(
                    "certificate",
                    tool.message_bytes(tool.certificate_message(file, client.state())),
                )
        page.open()
        page.open_key_file()
        page.save_then_send("#act", "Your deal is in")
        with TrusteeClient.of(others[0]) as client:
            message, _ = tool.deal_message(others[0], client.state())
            client.send("deal", tool.message_bytes(message))
        with TrusteeClient.of(others[1]) as client:
            state = client.state()
            message, _ = tool.deal_message(others[1], state)
            public = from_b64url(state["trustees"][0]["certificate"]["encryption_key"])
            message["shares"][0]["ciphertext"] = b64url(
                ceremony.SUITE.encrypt(
                    group.random_scalar(),
                    keys.x25519_public_key(public),
                    info=ceremony.share_info(server.draft, others[1].ceremony, 3, 1),
                )
            )
            client.send("deal", tool.message_bytes(ceremony.sign(message, others[1].signing_seed)))
        page.open()
        page.open_key_file()
        page.tab.click("#act")
        page.status(
            "The share from trustee 3 failed its check (the share for trustee 1 does not match "
            "its commitments). A complaint was sent"
        )
        page.tab.wait_for_selector('#next-step:has-text("The ceremony failed")')
        page.check("complained")
        failed = httpx.get(f"{server.base_url}/api/v1/ballots/{server.draft}/ceremony").json()
        assert failed["phase"] == "failed"
        assert failed["trustees"][0]["complaint"]["about"] == 3
        assert failed["trustees"][0]["key"] is None
        assert page.errors == [], (page.errors, page.failed)
    finally:
        page.close()
