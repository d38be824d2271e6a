"""The city's candidacy portal: submit with a PDF, update, withdraw; bad links refused."""

from __future__ import annotations

import html
import re

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions, queries
from tests import factories as f
from tests.databases import snapshot


def portal_setup(client, clock, settings, open_candidacies: bool = True):
    """A ballot taking candidacies, three cities, and the first city's portal path."""
    towns = f.member_cities(client, clock, 3)
    made = f.ballot(client, clock)
    if open_candidacies:
        f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    links = f.call(
        client,
        actions.portal.make_links,
        f.db(client),
        settings.secret_key,
        f.ORGANISER,
        made.id,
        clock(),
    )
    path = next(link.path for link in links if link.city_id == towns[0].id)
    client.get(path)  # sets the CSRF cookie, as a browser's first visit would
    return made, towns, path


def fields(client, **overrides: str) -> dict[str, str]:
    values = {
        "summary": "A city of bridges",
        "proposed_dates": "4-6 June 2029",
        "venue": "Palais des congrès",
        "_csrf_token": client.cookies["csrftoken"],
    }
    values.update(overrides)
    return values


def pdf_file(title: str = "Our dossier") -> dict[str, tuple[str, bytes, str]]:
    return {"dossier": ("dossier.pdf", f.pdf(title), "application/pdf")}


def candidacy_of(client, ballot_id: str, city_id: int):
    return f.call(client, queries.candidacies.for_city, f.db(client), ballot_id, city_id)


def test_portal_shows_ballot_city_and_deadline(client, clock, settings):
    _made, _towns, path = portal_setup(client, clock, settings)

    page = client.get(path)

    assert page.status_code == 200
    assert "Candidacy of City 1" in page.text
    assert "Host city 2029" in page.text
    assert "18 January 2027, 10:00 (Europe/Paris, UTC+1)" in page.text
    assert "City 1 has not submitted a candidacy." in page.text
    assert "Submit a candidacy" in page.text
    assert 'name="dossier" type="file" accept="application/pdf,.pdf" required' in page.text


def test_submit_update_and_withdraw(client, clock, settings):
    made, towns, path = portal_setup(client, clock, settings)

    submitted = client.post(path, data=fields(client), files=pdf_file(), follow_redirects=False)
    assert submitted.status_code == 303
    page = client.get(submitted.headers["location"])
    assert "Your candidacy was saved." in page.text
    assert "Submitted, awaiting decision" in page.text
    assert "Palais des congrès" in page.text
    found = candidacy_of(client, made.id, towns[0].id)
    assert found.status == "submitted"
    assert found.dossier.size == len(f.pdf("Our dossier"))
    assert "Update your candidacy" in page.text
    assert 'value="4-6 June 2029"' in page.text

    # An update without a new file keeps the dossier.
    updated = client.post(path, data=fields(client, venue="Old town hall"))
    assert updated.status_code == 200
    found = candidacy_of(client, made.id, towns[0].id)
    assert (found.venue, found.dossier.size) == ("Old town hall", len(f.pdf("Our dossier")))
    assert "City 1 updated its candidacy." in client.get(f"/ballots/{made.id}").text

    confirm = client.get(path + "/withdraw")
    assert confirm.status_code == 200
    assert "will be shown as withdrawn" in confirm.text
    assert candidacy_of(client, made.id, towns[0].id).status == "submitted"

    withdrawn = client.post(path + "/withdraw", data={"_csrf_token": client.cookies["csrftoken"]})
    assert withdrawn.status_code == 200
    assert "Your candidacy was withdrawn." in withdrawn.text
    assert candidacy_of(client, made.id, towns[0].id).status == "withdrawn"
    assert "City 1 withdrew its candidacy." in client.get(f"/ballots/{made.id}").text


def test_the_decision_and_its_reason_are_shown_to_the_city(client, clock, settings):
    made, towns, path = portal_setup(client, clock, settings)
    client.post(path, data=fields(client), files=pdf_file())
    found = candidacy_of(client, made.id, towns[0].id)
    f.call(
        client,
        actions.candidacies.decide,
        f.db(client),
        f.ORGANISER,
        made.id,
        found.id,
        False,
        "The dossier lacks the budget",
        clock(),
    )

    page = client.get(path)

    assert "Rejected" in page.text
    assert "Reason given by the organiser: The dossier lacks the budget" in page.text


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_non_pdf_is_refused_with_a_clear_message_and_the_input_kept(client, clock, settings):
    _made, _towns, path = portal_setup(client, clock, settings)
    before = snapshot(settings.database_url)

    refused = client.post(
        path,
        data=fields(client, summary="Keep this summary"),
        files={"dossier": ("dossier.pdf", b"PK\x03\x04 a zip file", "application/pdf")},
    )

    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert "The dossier is not a PDF file" in refused.text
    assert ">Keep this summary</textarea>" in refused.text
    assert 'value="Palais des congrès"' in refused.text
    assert snapshot(settings.database_url) == before


def test_a_first_candidacy_needs_its_dossier(client, clock, settings):
    made, towns, path = portal_setup(client, clock, settings)
    refused = client.post(path, data=fields(client))
    assert refused.status_code == 422
    assert "A candidacy needs its dossier" in refused.text
    assert candidacy_of(client, made.id, towns[0].id) is None


def test_missing_text_is_refused_with_the_input_kept(client, clock, settings):
    _made, _towns, path = portal_setup(client, clock, settings)
    refused = client.post(path, data=fields(client, venue=" "), files=pdf_file())
    assert refused.status_code == 422
    assert "The candidacy needs the proposed venue." in refused.text
    assert 'value="4-6 June 2029"' in refused.text


def test_a_post_without_csrf_token_is_refused(client, clock, settings):
    made, towns, path = portal_setup(client, clock, settings)
    data = fields(client)
    del data["_csrf_token"]
    refused = client.post(path, data=data, files=pdf_file())
    assert refused.status_code == 403
    assert candidacy_of(client, made.id, towns[0].id) is None


def test_an_expired_link_is_refused(client, clock, settings):
    _made, _towns, path = portal_setup(client, clock, settings)
    clock.advance(days=61)  # links are valid for 60 days

    refused = client.get(path)

    assert refused.status_code == 403
    assert "This candidacy link expired on" in refused.text
    assert "ask the organiser for a new one" in refused.text


def test_a_wrong_or_replaced_link_is_refused(client, clock, settings):
    made, _towns, path = portal_setup(client, clock, settings)

    wrong = client.get(path[:-3] + "abc")
    assert wrong.status_code == 403
    assert "This candidacy link is not valid" in wrong.text

    f.call(
        client,
        actions.portal.make_links,
        f.db(client),
        settings.secret_key,
        f.ORGANISER,
        made.id,
        clock(),
    )
    replaced = client.get(path)
    assert replaced.status_code == 403
    assert "replaced by a newer one" in replaced.text
    post = client.post(path + "/withdraw", data={"_csrf_token": client.cookies["csrftoken"]})
    assert post.status_code == 403


def test_after_the_deadline_the_form_is_gone_and_a_post_is_refused(client, clock, settings):
    made, towns, path = portal_setup(client, clock, settings)
    clock.advance(days=8)

    page = client.get(path)
    assert "The ballot is not taking candidacies now" in page.text
    assert 'enctype="multipart/form-data"' not in page.text

    late = client.post(path, data=fields(client), files=pdf_file())
    assert late.status_code == 409
    assert "The candidacy deadline passed on" in html.unescape(late.text)
    assert candidacy_of(client, made.id, towns[0].id) is None


def test_an_oversized_dossier_gets_the_size_message(client, clock, settings):
    made, towns, path = portal_setup(client, clock, settings)
    big = f.pdf("Big")[:-6] + b" " * (20 * 1024 * 1024 + 10) + b"%%EOF\n"

    refused = client.post(
        path, data=fields(client), files={"dossier": ("big.pdf", big, "application/pdf")}
    )

    assert refused.status_code == 413
    # a few hundred bytes over: "20.0 MB" alone would not show it, the excess does
    assert "over the limit of 20 MB. Please send a smaller PDF." in refused.text
    assert re.search(r"The dossier is 20\.00\d MB, (\d+ kB|less than 1 kB) over", refused.text)
    assert 'value="Palais des congrès"' in refused.text
    assert candidacy_of(client, made.id, towns[0].id) is None
