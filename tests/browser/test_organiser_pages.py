"""The organiser's pages of the demo (40 member cities) in Chromium, on a phone and on a
desktop: the tables' actions stay on screen, names are not broken mid-word, the ballot
page summarises its long lists, and its landmarks each have their own name."""

from __future__ import annotations

import pytest

from tests.browser.accessibility import AXE_SOURCE

pytestmark = pytest.mark.browser


def sign_in(tab, server) -> None:
    tab.goto(server.base_url + "/login")
    tab.get_by_label("E-mail address").fill(server.email)
    tab.get_by_label("Password").fill(server.password)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/organiser")


def overflow(tab) -> int:
    return tab.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_the_city_table_keeps_its_actions_on_a_phone(phone, demo_server):
    sign_in(phone, demo_server)
    phone.goto(demo_server.base_url + "/organiser/cities")
    assert overflow(phone) <= 0
    # every row's Suspend button is inside the screen's width, not in a scrolled-off column
    outside = phone.evaluate(
        """() => [...document.querySelectorAll('table.reflow .row-actions button')]
             .filter(b => { const r = b.getBoundingClientRect();
                            return r.right > window.innerWidth || r.left < 0; }).length"""
    )
    assert outside == 0
    # names stay whole: no city's name is broken across two lines in the middle of a word
    broken = phone.evaluate(
        """() => [...document.querySelectorAll('table.reflow th[scope=row]')]
             .filter(th => !th.textContent.trim().includes(' ')
                           && th.getClientRects()[0].height > 2 * parseFloat(
                                getComputedStyle(th).lineHeight))
             .map(th => th.textContent.trim())"""
    )
    assert broken == []


def test_the_ballot_page_summarises_its_links_and_names_each_landmark(page, demo_server):
    sign_in(page, demo_server)
    page.goto(f"{demo_server.base_url}/organiser/ballots/{demo_server.ballot_id}")
    summary = page.locator(".links-summary").inner_text()
    assert summary.startswith("40 links in force, the last valid until ")
    links = page.locator("details.links-list")
    assert links.get_attribute("open") is None  # folded until asked for
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, f"the organiser's ballot page is {height}px tall"
    links.locator("summary").click()
    expires = page.locator("td.when time").first
    line = float(expires.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert expires.bounding_box()["height"] < 1.5 * line  # the date on one line
    page.evaluate(AXE_SOURCE + "\n;undefined")
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['landmark-unique']})).violations"
        ".map(v => v.nodes.map(n => n.target.join(' ')))"
    )
    assert found == []


def test_city_names_are_not_broken_mid_word_in_the_results(phone, demo_server):
    """The results' tables on a phone: "Valladolid" stays one word (it wraps, if it must,
    between words, never inside one)."""
    log = (demo_server.folder / "demo.log").read_text()
    results = next(w for w in log.split() if w.endswith("/results"))
    phone.goto(results)
    assert overflow(phone) <= 0
    split = phone.evaluate(
        """() => [...document.querySelectorAll('table.tally th[scope=row]')].filter(th => {
               const range = document.createRange(); range.selectNodeContents(th);
               const words = th.textContent.trim().split(/\\s+/).length;
               const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
               return lines.size > words; }).map(th => th.textContent.trim())"""
    )
    assert split == []
