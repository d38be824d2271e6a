"""`inmc-vote demo` (what `make run` starts) sends its mail to a local SMTP server it
starts itself and writes each message it receives as an .eml file next to the database:
a city's candidacy link, read from its delivered message, opens its portal."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

pytestmark = pytest.mark.browser


def test_the_demo_mails_the_candidacy_links_and_one_opens_the_portal(page, demo_server):
    output = (demo_server.folder / "demo.log").read_text()
    assert f"written to {demo_server.folder / 'demo.mail'}/ as an .eml file" in output
    files = sorted((demo_server.folder / "demo.mail").glob("*.eml"))
    assert len(files) == 40
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert "@" in str(message["To"])
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]
    (link,) = set(re.findall(re.escape(demo_server.base_url) + r"/portal/\S+", text))
    page.goto(link)
    assert page.locator("h1").first.inner_text()
    assert page.locator("form[action^='/portal/']").count() >= 1
