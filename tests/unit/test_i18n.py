"""The language of a request, translation at request time, refusals, dates and numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus

import pytest

from inmc_vote.domain import timefmt
from inmc_vote.domain.errors import Choices, Conflict, Invalid
from inmc_vote.domain.lifecycle import Action, Lifecycle, State
from inmc_vote.domain.timefmt import Zoned
from inmc_vote.web import i18n
from inmc_vote.web.app import templates
from inmc_vote.web.errors import STATUS_PHRASES

WINTER = datetime(2026, 12, 13, 21, 50, tzinfo=UTC)
SUMMER = datetime(2027, 7, 1, 6, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("fr-CA", "fr"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,fr;q=0.5,en;q=0.7", "en"),  # by q-value, not by order
        ("de-DE,en;q=0.5,fr;q=0.7", "fr"),
        ("fr;q=0,en", "en"),  # q=0: not wanted
        ("de", None),
        ("", None),
        (None, None),
        ("*", None),
        ("fr;q=abc, en", "en"),
    ],
)
def test_the_browsers_languages_are_negotiated(header, language):
    assert i18n.negotiate(header) == language


def test_the_address_then_the_cookie_then_the_browser_then_english():
    assert i18n.choose("fr", "en", "en") == "fr"
    assert i18n.choose(None, "fr", "en") == "fr"
    assert i18n.choose("xx", None, "fr") == "fr"  # an unknown ?lang= is ignored
    assert i18n.choose(None, "xx", "de") == "en"
    assert i18n.choose(None, None, None) == "en"


def test_the_switch_keeps_the_page_and_its_query_and_stays_on_this_site():
    assert i18n.switch_url("/ballots/x", "round=2&lang=en", "fr") == "/ballots/x?round=2&lang=fr"
    assert i18n.switch_url("/", "", "en") == "/?lang=en"
    assert i18n.switch_url("//evil.example/x", "", "fr") == "/?lang=fr"
    assert i18n.switch_url("/a", "next=%2Fb%3Fc%3Dd", "fr") == "/a?next=%2Fb%3Fc%3Dd&lang=fr"


def test_the_remembered_choice_is_a_year_long_lax_cookie():
    assert i18n.remember("fr") == "lang=fr; Max-Age=31536000; Path=/; SameSite=Lax"


def test_translation_follows_the_current_language_and_is_restored():
    assert i18n.language() == "en"
    with i18n.using("fr"):
        assert i18n.language() == "fr"
        assert i18n._("Skip to content") == "Aller au contenu"
        assert i18n._("") == ""  # not the catalogue's header
    assert i18n._("Skip to content") == "Skip to content"
    with i18n.using("xx"):
        assert i18n.language() == "en"


def test_templates_translate_with_the_language_of_each_render():
    environment = templates().engine_instance.engine
    page = environment.from_string(
        '{{ _("Skip to content") }}|{{ ngettext("%(num)d ballot", "%(num)d ballots", 2) }}'
        "|{{ language() }}"
    )
    assert page.render() == "Skip to content|2 ballots|en"
    with i18n.using("fr"):
        assert page.render().startswith("Aller au contenu|")
        assert page.render().endswith("|fr")


def test_the_english_time_is_readable_and_names_the_zone_and_its_offset():
    assert timefmt.show_time(WINTER, "Europe/Paris") == (
        "13 December 2026, 22:50 (Europe/Paris, UTC+1)"
    )
    assert timefmt.show_time(SUMMER, "Europe/Paris") == "1 July 2027, 08:05 (Europe/Paris, UTC+2)"
    assert timefmt.show_time(WINTER, "Asia/Kolkata") == (
        "14 December 2026, 03:20 (Asia/Kolkata, UTC+5:30)"
    )
    assert timefmt.show_time(WINTER, "America/Montreal") == (
        "13 December 2026, 16:50 (America/Montreal, UTC-5)"
    )
    assert timefmt.show_time(WINTER) == "13 December 2026, 21:50 (UTC)"
    assert timefmt.show_time(None) == "—"


@pytest.mark.parametrize(
    ("moment", "zone"),
    [(WINTER, "Europe/Paris"), (SUMMER, "Asia/Kolkata"), (WINTER, "UTC"), (None, "UTC")],
)
def test_the_web_writes_the_same_english_time_as_the_domain(moment, zone):
    assert i18n.show_time(moment, zone) == timefmt.show_time(moment, zone)


def test_the_time_in_french():
    with i18n.using("fr"):
        assert i18n.show_time(WINTER, "Europe/Paris") == (
            "13 décembre 2026 à 22:50 (Europe/Paris, UTC+1)"
        )
        assert i18n.show_time(SUMMER, "UTC") == "1 juillet 2027 à 06:05 (UTC)"
        assert i18n.show_date(WINTER, "Europe/Paris") == "13 décembre 2026"


def test_numbers_and_percentages_per_language():
    assert i18n.number(1234.5) == "1,234.5"
    assert i18n.number(2.0, 1) == "2.0"
    assert i18n.percent(0.523, 1) == "52.3%"
    with i18n.using("fr"):
        assert i18n.number(1234.5) == "1\u202f234,5"
        assert i18n.percent(0.5) == "50\xa0%"
        assert i18n.percent(0.523, 1) == "52,3\xa0%"


def test_a_refusal_is_translated_then_filled_in():
    refused = Invalid("The title is longer than {maximum} characters.", maximum=200)
    assert i18n.refusal(refused) == "The title is longer than 200 characters."
    with i18n.using("fr"):
        assert i18n.refusal(refused) == "Le titre dépasse 200 caractères."


def test_a_refusals_times_and_choices_follow_the_language():
    late = Conflict("Voting closed at {time}.", time=Zoned(WINTER, "Europe/Paris"))
    assert late.message == "Voting closed at 13 December 2026, 22:50 (Europe/Paris, UTC+1)."
    with i18n.using("fr"):
        assert i18n.refusal(late).endswith("13 décembre 2026 à 22:50 (Europe/Paris, UTC+1).")
        either = i18n.translate("It can be {allowed}.", {"allowed": Choices(["a", "b", "c"])})
        assert either == "It can be a, b ou c."
    assert format(Choices(["a", "b"])) == "a or b"
    assert format(Choices(["a"])) == "a"


def test_a_lifecycle_refusal_keeps_its_english_words():
    with pytest.raises(Conflict) as refused:
        Lifecycle(State.OPEN).apply(Action.PUBLISH)
    assert refused.value.message == (
        "The ballot is open: it cannot be published; it can be closed or cancelled."
    )
    with pytest.raises(Conflict) as refused:
        Lifecycle(State.TALLIED, published=True).apply(Action.PUBLISH)
    assert refused.value.message == (
        "The ballot is tallied: it cannot be published (its results are already published); "
        "no further change is possible."
    )


def test_a_text_not_in_the_catalogue_stays_in_english():
    with i18n.using("fr"):
        assert i18n.translate("Unknown {thing}.", {"thing": 3}) == "Unknown 3."


def test_the_marked_status_phrases_are_pythons_own():
    """The error page shows `_(HTTPStatus(status).phrase)`: each marked phrase must be
    exactly one of Python's, or its translation would never be looked up."""
    assert set(STATUS_PHRASES) <= {status.phrase for status in HTTPStatus}
    for status in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503):
        assert HTTPStatus(status).phrase in STATUS_PHRASES


@pytest.mark.parametrize("moment", [WINTER, SUMMER, datetime(2027, 2, 1, 0, 0, tzinfo=UTC)])
@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC", "Asia/Kolkata"])
def test_the_domains_french_time_is_babels(moment, zone):
    """Letters write the French half with the domain's words: the same as the pages."""
    with i18n.using("fr"):
        assert timefmt.show_time(moment, zone, "fr") == i18n.show_time(moment, zone)
