"""The public pages: the ballots, a ballot's page with its timeline, and the dossiers."""

from __future__ import annotations

import hashlib
import html
import re

from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actors import city
from tests import factories as f


def signed_in(client, clock) -> None:
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)


def test_home_lists_each_ballot_with_its_state_and_dates(client, clock):
    for made in (
        f.ballot(client, clock, title="Host city 2029"),
        f.ballot(client, clock, title="Host city 2031", timezone="Asia/Tokyo"),
    ):
        f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)

    page = client.get("/")

    assert page.status_code == 200
    assert "Host city 2029" in page.text
    assert "Host city 2031" in page.text
    assert "Which city should host the 2029 meetings?" in page.text
    assert 'class="badge badge-candidacies"' in page.text
    assert ">Open for candidacies<" in page.text
    # The deadline (start + 7 days, 09:00 UTC) in each ballot's own zone.
    assert "18 January 2027, 10:00 (Europe/Paris, UTC+1)" in page.text
    assert "18 January 2027, 18:00 (Asia/Tokyo, UTC+9)" in page.text


def test_home_without_ballots_says_so(client):
    assert "There is no ballot yet." in client.get("/").text


def test_ballot_page_shows_settings_timetable_and_candidacies(client, clock):
    towns = f.member_cities(client, clock, 4)
    made = f.ballot(
        client, clock, description="Three days of meetings.", quorum="1/2", blank_allowed=False
    )
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    accepted = f.candidacy(client, clock, made.id, towns[0], accept=True)
    f.candidacy(client, clock, made.id, towns[1], accept=False)
    f.candidacy(client, clock, made.id, towns[2])
    f.call(
        client,
        actions.candidacies.withdraw,
        f.db(client),
        city(towns[2].slug),
        made.id,
        towns[2].id,
        clock(),
    )

    page = client.get(f"/ballots/{made.id}")

    assert page.status_code == 200
    text = page.text
    assert "Host city 2029" in text
    assert "Three days of meetings." in text
    assert "Open for candidacies" in text
    assert "Plurality (one choice, most votes wins)" in text
    assert "At least 1/2 of the eligible cities must vote" in text
    assert "Not allowed." in text
    assert "Europe/Paris" in text
    assert "21 January 2027, 10:00 (Europe/Paris, UTC+1)" in text  # opening time
    assert "31 January 2027, 10:00 (Europe/Paris, UTC+1)" in text  # closing time
    # Candidacies: city, country, status, summary, dates, venue, dossier and its hash.
    assert "City 1" in text
    assert "(FR)" in text
    assert "Accepted" in text
    assert "Rejected" in text
    assert "Withdrawn" in text
    assert "Our summary" in text
    assert "1-3 May 2029" in text
    assert "Congress centre" in text
    assert "Incomplete dossier" in text
    assert f"/ballots/{made.id}/candidacies/{accepted.id}/dossier" in text
    assert accepted.dossier.sha256 in text
    assert "Dossier (PDF, 1 kB)" in text
    assert "City 3 withdrew its candidacy." in text
    # The public timeline, in plain words.
    assert "Created the ballot." in text
    assert "Opened the ballot for candidacies." in text
    assert "Rejected the candidacy of City 2. Reason: Incomplete dossier" in text
    # An organiser is named by role on public pages, never by e-mail address.
    assert "An organiser" in text
    assert "organiser@example.org" not in text
    # Not fixed yet: no electorate shown.
    assert "eligible member cities" not in text


def test_frozen_ballot_shows_candidates_and_electorate(client, clock):
    made, _towns = f.ready_to_freeze(client, clock, n_cities=5, n_candidates=2)
    f.act(client, clock, made.id, Action.FREEZE)

    text = client.get(f"/ballots/{made.id}").text

    assert "Frozen" in text
    assert "Fixed when the ballot was frozen: 5 eligible member cities." in text
    assert "<li>City 1 (FR)</li>" in text
    assert "<li>City 2 (ES)</li>" in text
    assert "Froze the ballot with 2 candidates. Its electorate is 5 cities." in text


def test_timeline_tells_the_scheduled_opening_and_the_early_close_reason(client, clock):
    made, _towns = f.ready_to_freeze(client, clock)
    f.act(client, clock, made.id, Action.FREEZE)
    f.issue_tokens(client, clock, made.id)  # a ballot opens only once its tokens are issued
    clock.advance(days=3)  # past the opening time: the page applies the schedule

    opened = client.get(f"/ballots/{made.id}").text
    assert "Open for voting" in opened
    assert "Voting opened at its scheduled time." in opened
    assert "The schedule (automatic)" in opened

    f.act(client, clock, made.id, Action.CLOSE, reason="A storm cut the power in half the cities")
    closed = client.get(f"/ballots/{made.id}").text
    assert "Closed voting early. Reason: A storm cut the power in half the cities" in closed


def test_cancelled_ballot_shows_its_reason(client, clock):
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.CANCEL, reason="The network postponed the meetings")

    text = client.get(f"/ballots/{made.id}").text

    assert "This ballot was cancelled." in text
    assert "Cancelled the ballot. Reason: The network postponed the meetings" in text


def test_dossier_download_gives_the_pdf_and_its_hash(client, clock):
    towns = f.member_cities(client, clock, 2)
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    submitted = f.candidacy(client, clock, made.id, towns[0])

    response = client.get(f"/ballots/{made.id}/candidacies/{submitted.id}/dossier")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content == f.pdf(towns[0].name)
    assert response.headers["x-content-sha256"] == hashlib.sha256(response.content).hexdigest()
    missing = client.get(f"/ballots/{made.id}/candidacies/999/dossier")
    assert missing.status_code == 404
    assert "This candidacy has no dossier." in missing.text


def test_unknown_ballot_is_a_404_page(client):
    response = client.get("/ballots/nope")
    assert response.status_code == 404
    assert "There is no ballot «nope»." in response.text
    assert 'role="alert"' in response.text


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_text_people_typed_is_shown_escaped_never_as_markup(client, clock):
    # Stored XSS: a ballot's description, a city's name and a candidacy's summary are
    # typed by organisers and cities and shown to everyone.
    fields = actions.cities.fields_of(
        f"Town {HOSTILE}", "FR", "Region", "Contact", "contact@example.org"
    )
    town = f.call(client, actions.cities.add_city, f.db(client), fields, clock())
    made = f.ballot(client, clock, description=f"Meetings {HOSTILE}")
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    f.call(
        client,
        actions.candidacies.submit,
        f.db(client),
        city(town.slug),
        made.id,
        town.id,
        CandidacyForm(f"Summary {HOSTILE}", "1-3 May 2029", "Congress centre"),
        Upload("dossier.pdf", f.pdf(town.name)),
        clock(),
    )
    for path in (f"/ballots/{made.id}", "/"):
        page = client.get(path).text
        assert "<script>alert" not in page
        assert "<img src=x" not in page
    page = client.get(f"/ballots/{made.id}").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_no_path_leaves_the_static_folder(client):
    for path in (
        "/static/../pyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2f..%2fconfig.py",
        "/static/ballot/../../config.py",
    ):
        answer = client.get(path)
        assert answer.status_code in (400, 404), path
        assert "class Limits" not in answer.text  # config.py
        assert "[project]" not in answer.text  # pyproject.toml


def test_a_draft_is_for_organisers_only(client, clock):
    """A draft is work in progress: the public does not see it listed, and its pages answer
    404 as for a ballot that does not exist; organisers see it, marked as a draft."""
    draft = f.ballot(client, clock, title="Host city 2033 (draft)")
    public = f.ballot(client, clock, title="Host city 2031")
    f.act(client, clock, public.id, Action.OPEN_CANDIDACIES)

    home = client.get("/").text
    assert "Host city 2031" in home
    assert "Host city 2033" not in home
    for path in ("", "/board", "/results", "/board/receipt"):
        hidden = client.get(f"/ballots/{draft.id}{path}")
        assert hidden.status_code == 404, path
        assert f"There is no ballot «{draft.id}»." in hidden.text
        assert "Host city 2033" not in hidden.text
    assert client.get(f"/vote/{draft.id}").status_code == 404

    signed_in(client, clock)
    home = client.get("/").text
    assert "Host city 2033 (draft)" in home
    assert "only organisers see it until it opens for candidacies" in home
    page = client.get(f"/ballots/{draft.id}")
    assert page.status_code == 200
    assert "only organisers see it until it opens for candidacies" in page.text


def test_the_organisers_own_page_names_them_by_e_mail(client, clock):
    signed_in(client, clock)
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)

    assert "Organiser organiser@example.org" in client.get(f"/organiser/ballots/{made.id}").text
    public = client.get(f"/ballots/{made.id}")
    # the signed-in organiser reads the public page as the public does
    assert "organiser@example.org" not in public.text.split('<main id="main">', 1)[1]


def test_the_electorate_is_listed_by_city_name(client, clock):
    made, _towns = f.ready_to_freeze(client, clock, n_cities=5, n_candidates=2)
    db = f.db(client)
    # names whose order by name differs from their order by country code and by slug
    for town, name in zip(_towns, ["Zagreb", "Évora", "Aachen", "Łódź", "Bruges"], strict=True):
        fields = actions.cities.fields_of(name, town.country, "", "", "")
        f.call(client, actions.cities.edit_city, db, town.id, fields, clock())
    f.act(client, clock, made.id, Action.FREEZE)

    page = client.get(f"/ballots/{made.id}").text
    electorate = page.split('class="electorate"', 1)[1].split("</ul>", 1)[0]
    listed = re.findall(r"<li>([^<(]+) \(", electorate)
    assert listed == ["Aachen", "Bruges", "Évora", "Łódź", "Zagreb"]


def test_the_favicon_is_served(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/").text


def test_an_error_page_knows_the_organiser_and_leads_back_to_the_ballot(client, clock):
    made = f.ballot(client, clock, title="Host city 2029")
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    missing = f"/ballots/{made.id}/candidacies/999/dossier"

    anonymous = client.get(missing)
    assert anonymous.status_code == 404
    assert "Organiser sign-in" in anonymous.text
    assert f'href="/ballots/{made.id}">Back to the ballot “Host city 2029”' in html.unescape(
        anonymous.text
    )

    signed_in(client, clock)
    known = client.get(missing)
    assert known.status_code == 404
    assert "Organiser sign-in" not in known.text
    assert "Sign out" in known.text
    assert 'href="/organiser">Your organiser' in known.text
    assert f'href="/ballots/{made.id}">Back to the ballot' in known.text
    organiser_side = client.get(f"/organiser/ballots/{made.id}/confirm/no-such-action")
    assert organiser_side.status_code == 404
    assert f'href="/organiser/ballots/{made.id}">Back to the ballot' in organiser_side.text
    # no way back to a ballot that does not exist
    assert "Back to the ballot" not in client.get("/ballots/nope/board").text
