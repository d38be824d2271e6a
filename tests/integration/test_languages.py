"""The reader's language: chosen from the browser, switched on every page, remembered, and
followed by the pages, the refusals (pages and API) and the dates."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from inmc_vote.domain.ballots import MAX_TITLE
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actors import city
from tests import factories as f

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


def text(response) -> str:
    return html.unescape(response.text)


def test_a_french_browser_gets_the_page_in_french(client):
    page = client.get("/", headers=FRENCH)

    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Aller au contenu" in text(page)  # "Skip to content"
    assert page.headers["content-language"] == "fr"
    # A browser's choice is not stored: only a choice made on the page is.
    assert not [c for c in page.headers.get_list("set-cookie") if c.startswith("lang=")]


def test_without_a_known_language_the_page_is_in_english(client):
    for headers in ({}, {"Accept-Language": "de-DE,de;q=0.9"}, {"Accept-Language": "%%%"}):
        page = client.get("/", headers=headers)
        assert '<html lang="en">' in page.text
        assert "Skip to content" in page.text


def test_lang_in_the_address_wins_and_is_remembered_in_a_cookie(client):
    chosen = client.get("/?lang=fr", headers={"Accept-Language": "en"})

    assert '<html lang="fr">' in chosen.text
    [cookie] = [c for c in chosen.headers.get_list("set-cookie") if c.startswith("lang=")]
    assert cookie.startswith("lang=fr;")
    assert "Max-Age=31536000" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    # The next page, with no ?lang=, in an English browser: still French.
    later = client.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in later.text
    # Back to English, also remembered over a French browser.
    back = client.get("/login?lang=en", headers=FRENCH)
    assert '<html lang="en">' in back.text
    assert client.get("/", headers=FRENCH).text.count('<html lang="en">') == 1


def test_every_page_offers_the_other_language_keeping_its_address(client):
    page = client.get("/login?next=%2Forganiser", headers=FRENCH)

    switch = page.text.split('<nav class="languages"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-label="Langue"' in switch
    assert '<strong lang="fr" aria-current="true">Français</strong>' in switch
    assert (
        '<a href="/login?next=%2Forganiser&amp;lang=en" lang="en" hreflang="en">English</a>'
        in switch
    )


def test_a_refusal_through_the_api_is_in_the_readers_language(client, clock):
    key = f.bearer(f.account(client, clock))
    body = f.ballot_body(clock, title="T" * (MAX_TITLE + 1))

    french = client.post("/api/v1/ballots", json=body, headers={**key, **FRENCH})
    english = client.post("/api/v1/ballots", json=body, headers=key)

    assert f.problem(french, 422) == f"Le titre dépasse {MAX_TITLE} caractères."
    assert f.problem(english, 422) == f"The title is longer than {MAX_TITLE} characters."


def test_a_refusal_on_a_page_is_in_the_readers_language(client, clock):
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    fields = {
        "title": "Host city 2029",
        "question": "Which city hosts 2029?",
        "method": "irv",
        "timezone": "Europe/Paris",
        "candidacy_deadline": "2027-02-01T18:00",
        "opens_at": "2027-03-01T09:00",
        "closes_at": "2027-02-15T09:00",
        "credential_authority": "server",
        "_csrf_token": client.cookies["csrftoken"],
    }

    refused = client.post("/organiser/ballots/new?lang=fr", data=fields)

    assert refused.status_code == 422
    assert '<html lang="fr">' in refused.text
    assert "L’heure de clôture doit venir après l’heure d’ouverture." in text(refused)


def test_an_address_that_does_not_exist_answers_in_the_readers_language(client):
    missing = client.get("/no/such/page", headers=FRENCH)

    assert missing.status_code == 404
    assert '<html lang="fr">' in missing.text
    assert "Il n’y a rien à cette adresse." in text(missing)
    assert "<h1>Introuvable</h1>" in missing.text
    api = client.get("/api/v1/no-such-thing", headers=FRENCH)
    assert f.problem(api, 404) == "Il n’y a rien à cette adresse."
    assert api.json()["title"] == "Introuvable"


def test_dates_are_written_in_the_readers_language_with_the_zone(client, clock):
    made = f.ballot(client, clock, timezone="Europe/Paris")
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)  # a draft is not public
    deadline = made.candidacy_deadline
    assert deadline is not None
    day = deadline.astimezone(UTC).replace(tzinfo=None)
    assert day == datetime(2027, 1, 18, 9, 0)  # START + 7 days, 09:00 UTC: 10:00 in Paris

    french = text(client.get(f"/ballots/{made.id}", headers=FRENCH))
    english = text(client.get(f"/ballots/{made.id}"))

    assert "18 janvier 2027 à 10:00 (Europe/Paris, UTC+1)" in french
    assert "18 January 2027, 10:00 (Europe/Paris, UTC+1)" in english
    # The reader's own time is added in the browser (static/local-time.js), from here:
    assert (
        f'<time class="local-time" datetime="{deadline.isoformat()}" data-zone="Europe/Paris">'
        in french
    )
    assert '<script src="/static/local-time.js" defer></script>' in french
    assert 'data-your-time="Votre heure : {time}"' in french


def test_the_local_time_script_is_served_from_this_site(client):
    script = client.get("/static/local-time.js")

    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "Intl.DateTimeFormat" in script.text


def test_a_ballots_own_texts_are_shown_in_the_readers_language(client, clock):
    key = f.bearer(f.account(client, clock))
    body = f.ballot_body(
        clock,
        title="Host city 2029 / Ville hôte 2029",
        title_fr="Ville hôte 2029",
        question_fr="Quelle ville accueillera les rencontres de 2029 ?",
        title_en="  Host city 2029  ",
    )
    made = client.post("/api/v1/ballots", json=body, headers=key)
    assert made.status_code == 201, made.text
    ballot = made.json()
    assert (ballot["title_fr"], ballot["title_en"]) == ("Ville hôte 2029", "Host city 2029")
    assert ballot["question_en"] == ""
    f.act(client, clock, ballot["id"], Action.OPEN_CANDIDACIES)

    french = text(client.get(f"/ballots/{ballot['id']}", headers=FRENCH))
    english = text(client.get(f"/ballots/{ballot['id']}"))

    assert "<h1>Ville hôte 2029</h1>" in french
    assert "Quelle ville accueillera les rencontres de 2029 ?" in french
    assert "<h1>Host city 2029</h1>" in english
    # No English question given: the question as written.
    assert "Which city should host the 2029 meetings?" in english
    assert "Quelle ville" not in english


def test_a_too_long_translation_is_refused(client, clock):
    key = f.bearer(f.account(client, clock))
    body = f.ballot_body(clock, title_fr="T" * (MAX_TITLE + 1))

    refused = client.post("/api/v1/ballots", json=body, headers=key)

    assert f.problem(refused, 422) == (
        f"The title in French is longer than {MAX_TITLE} characters."
    )


def test_the_organisers_form_takes_and_shows_the_translations(client, clock):
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    form = client.get("/organiser/ballots/new?lang=fr")
    assert 'name="title_fr" lang="fr"' in form.text
    fields = {
        "title": "Host city 2029",
        "question": "Which city hosts 2029?",
        "title_fr": "Ville hôte 2029",
        "question_fr": "Quelle ville ?",
        "method": "irv",
        "timezone": "Europe/Paris",
        "candidacy_deadline": "2027-02-01T18:00",
        "opens_at": "2027-03-01T09:00",
        "closes_at": "2027-04-01T09:00",
        "credential_authority": "server",
        "_csrf_token": client.cookies["csrftoken"],
    }

    made = client.post("/organiser/ballots/new", data=fields, follow_redirects=False)

    assert made.status_code in (302, 303), made.text
    ballot_id = made.headers["location"].split("?")[0].rstrip("/").split("/")[-1]
    edit = text(client.get(f"/organiser/ballots/{ballot_id}/edit"))  # in French (the cookie)
    assert 'id="title" name="title" required maxlength="200" value="Host city 2029"' in edit
    assert 'value="Ville hôte 2029"' in edit
    assert 'value="Quelle ville ?"' in edit


def test_a_candidacys_summary_is_shown_in_the_readers_language(client, clock):
    [town] = f.member_cities(client, clock, 1)
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    f.call(
        client,
        actions.candidacies.submit,
        f.db(client),
        city(town.slug),
        made.id,
        town.id,
        CandidacyForm(
            "Our summary", "1-3 May 2029", "Congress centre", summary_fr="  Notre résumé  "
        ),
        Upload("dossier.pdf", f.pdf(town.name)),
        clock(),
    )

    french = text(client.get(f"/ballots/{made.id}", headers=FRENCH))
    english = text(client.get(f"/ballots/{made.id}"))
    listed = client.get(f"/api/v1/ballots/{made.id}/candidacies").json()

    assert "Notre résumé" in french
    assert "Our summary" not in french
    assert "Our summary" in english
    assert "Notre résumé" not in english
    assert [(c["summary_fr"], c["summary_en"]) for c in listed] == [("Notre résumé", "")]
