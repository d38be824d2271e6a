"""The trustee's own page (web/pages/trustee.py) as the server serves it, and the
organiser's invitation links to it: the invitation rides in the fragment only."""

from __future__ import annotations

import html
import re

from inmc_vote.domain.lifecycle import Action
from inmc_vote.web.pages.trustee import import_map
from inmc_vote.web.security_headers import SECURITY_HEADERS
from tests import factories as f
from tests.integration.test_pages_trustees import signed_in


def test_the_organiser_gives_each_trustee_a_link_with_its_invitation_in_the_fragment(client, clock):
    token = signed_in(client, clock)
    made = f.ballot(client, clock)
    named = client.post(
        f"/organiser/ballots/{made.id}/trustees",
        data={
            "names": "Ana Costa\nBram de Vries\nChiara Rossi",
            "threshold": "2",
            "_csrf_token": token,
        },
    )
    assert named.status_code == 200, named.text
    base = client.app.state.settings.base_url.rstrip("/")
    links = re.findall(r'<textarea id="link-(\d)"[^>]*>([^<]*)</textarea>', named.text)
    assert [index for index, _ in links] == ["1", "2", "3"]
    for index, link in links:
        link = html.unescape(link)
        path, fragment = link.split("#", 1)
        assert path == f"{base}/ballots/{made.id}/trustee"
        assert re.fullmatch(rf"invitation=1\.{index}\.[A-Za-z0-9_-]{{43}}", fragment)
        assert f"--invitation {fragment.removeprefix('invitation=')} " in html.unescape(named.text)


def test_the_trustee_page_loads_the_vendored_code_under_the_site_policy(client, clock):
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    page = client.get(f"/ballots/{made.id}/trustee")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    assert f'data-ballot="{made.id}"' in text
    assert html.unescape(made.title) in html.unescape(text)
    assert f'<script type="importmap">{import_map()}</script>' in text
    assert '<script type="module" src="/static/trustee/page.js"></script>' in text
    # the policy allows exactly this import map, and no other inline script
    assert page.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert len(re.findall(r"<script(?![^>]*\bsrc=)", text)) == 1


def test_a_draft_s_title_is_not_shown_to_the_public(client, clock):
    made = f.ballot(client, clock)  # a draft: trustees may already be named
    page = client.get(f"/ballots/{made.id}/trustee")
    assert page.status_code == 200
    assert html.unescape(made.title) not in html.unescape(page.text)
    assert f"ballot {made.id}" in page.text


def test_an_unknown_ballot_answers_404(client):
    assert client.get("/ballots/nosuchballot/trustee").status_code == 404
