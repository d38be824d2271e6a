"""The demo that `make run` serves, seen in Chromium."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_home_lists_the_sample_ballot(page, demo_server):
    page.goto(demo_server.base_url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Ballots"
    link = page.get_by_role("link", name="Host city of the 2027 meetings (sample)")
    link.click()
    page.wait_for_url(f"**/ballots/{demo_server.ballot_id}")
    for city in ("Vitoria-Gasteiz", "Greenville", "Ota"):
        assert city in page.content()


def test_organiser_signs_in_and_out(page, demo_server):
    page.goto(demo_server.base_url + "/organiser")
    page.wait_for_url("**/login?next=*")
    page.get_by_label("E-mail address").fill(demo_server.email)
    page.get_by_label("Password").fill("a wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert "The e-mail address or the password is wrong." in page.content()

    page.get_by_label("Password").fill(demo_server.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/organiser")
    assert demo_server.email in page.content()

    page.get_by_role("button", name=f"Sign out ({demo_server.email})").click()
    page.wait_for_url(demo_server.base_url + "/")
    page.goto(demo_server.base_url + "/organiser")
    page.wait_for_url("**/login?next=*")


@pytest.mark.parametrize("path", ["/", "/login", "/ballots/{ballot}", "{portal}"])
def test_pages_fit_a_phone_screen(phone, demo_server, path):
    url = demo_server.base_url + path.format(
        ballot=demo_server.ballot_id, portal=demo_server.portal_path
    )
    response = phone.goto(url)
    assert response.status == 200
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a 360px screen"
    font = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 16, f"body text is {font}px on a phone"
