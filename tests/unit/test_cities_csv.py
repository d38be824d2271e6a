"""domain/cities.py: the fields of a city and the CSV import, checked whole before any
row is written."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inmc_vote.config import LIMITS
from inmc_vote.domain.cities import (
    MAX_NAME,
    CityFields,
    CsvProblem,
    CsvRejected,
    clean_city,
    natural_key,
    slug_for,
)
from inmc_vote.domain.cities import (
    parse_cities_csv as parse_with_limit,
)
from inmc_vote.domain.errors import Invalid, TooLarge

MAX_CSV_BYTES = LIMITS.csv_bytes

HEADER = "name,country,region,contact name,contact email\n"


def parse_cities_csv(data: bytes) -> list[CityFields]:
    """The import as the server runs it, with its limit."""
    return parse_with_limit(data, MAX_CSV_BYTES, LIMITS.csv_rows)


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode()


def problems(data: bytes) -> list[CsvProblem]:
    with pytest.raises(CsvRejected) as rejected:
        parse_cities_csv(data)
    assert rejected.value.status == 422
    assert rejected.value.message.startswith("Nothing was imported: ")
    return rejected.value.problems


def test_a_good_file_gives_every_city_tidied_up() -> None:
    rows = parse_cities_csv(
        csv_bytes(
            "  Lyon ,fr,Auvergne-Rhône-Alpes,Anne  Martin,anne@lyon.fr",
            "São Paulo,BR,SP,João,joao@sp.gov.br",
        )
    )
    assert rows == [
        CityFields("Lyon", "FR", "Auvergne-Rhône-Alpes", "Anne Martin", "anne@lyon.fr"),
        CityFields("São Paulo", "BR", "SP", "João", "joao@sp.gov.br"),
    ]


def test_header_aliases_and_extra_columns_are_accepted_in_any_order() -> None:
    rows = parse_cities_csv(
        csv_bytes(
            "x@y.org,JP,Osaka,Kansai,Ken,ignored",
            header="Email,Country,City,Region,Contact_Name,Notes\n",
        )
    )
    assert rows == [CityFields("Osaka", "JP", "Kansai", "Ken", "x@y.org")]


def test_missing_columns_are_named() -> None:
    found = problems(csv_bytes("Lyon,FR", header="name,country\n"))
    assert found == [
        CsvProblem(1, "the header lacks the column(s) region, contact name, contact email")
    ]


def test_a_bad_country_is_refused_with_its_line() -> None:
    found = problems(csv_bytes("Lyon,FR,,,", "Atlantis,XX,,,"))
    assert len(found) == 1
    assert found[0].line == 3
    assert "«XX» is not an ISO 3166 country code" in found[0].reason


def test_an_empty_country_and_name_are_refused_together() -> None:
    (found,) = problems(csv_bytes(" , ,Region,,"))
    assert found.line == 2
    assert found.reason == "the city's name is empty; the country is empty"


def test_a_bad_email_is_refused() -> None:
    (found,) = problems(csv_bytes("Lyon,FR,,Anne,anne at lyon.fr"))
    assert found == CsvProblem(2, "«anne at lyon.fr» is not an e-mail address")


def test_an_empty_email_is_allowed() -> None:
    assert parse_cities_csv(csv_bytes("Lyon,FR,,,"))[0].contact_email == ""


def test_too_long_fields_are_refused() -> None:
    (found,) = problems(csv_bytes(f"{'x' * (MAX_NAME + 1)},FR,{'r' * 61},{'c' * 121},"))
    assert found.reason == (
        f"the city's name is longer than {MAX_NAME} characters; "
        "the region is longer than 60 characters; "
        "the contact name is longer than 120 characters"
    )


def test_a_control_character_is_refused() -> None:
    (found,) = problems(csv_bytes("Lyon,FR,,An\x00ne,"))
    assert found == CsvProblem(2, "the contact name contains a control character (U+0000)")


def test_duplicate_rows_name_both_lines_whatever_case_and_spacing() -> None:
    found = problems(csv_bytes("Lyon,FR,,,", "Paris,FR,,,", "  LYON ,fr,,,"))
    assert found == [CsvProblem(4, "the same city as line 2")]


def test_the_same_name_in_two_countries_is_two_cities() -> None:
    assert len(parse_cities_csv(csv_bytes("Valencia,ES,,,", "Valencia,VE,,,"))) == 2


def test_a_wrong_field_count_is_refused() -> None:
    found = problems(csv_bytes("Lyon,FR,,", "Paris,FR,,,,"))
    assert found == [
        CsvProblem(2, "4 fields where the header has 5"),
        CsvProblem(3, "6 fields where the header has 5"),
    ]


def test_every_bad_line_is_listed_and_nothing_is_kept() -> None:
    found = problems(csv_bytes("Atlantis,XX,,,", "Lyon,FR,,,", "Paris,FR,,,x"))
    assert [p.line for p in found] == [2, 4]


def test_blank_lines_are_skipped_and_keep_the_line_numbers_right() -> None:
    data = b"\n  \n" + csv_bytes("", "Lyon,FR,,,", " , ,,, ", "", "Atlantis,XX,,,", "")
    (found,) = problems(data)
    assert found.line == 8


def test_leading_blank_lines_before_the_header_are_skipped() -> None:
    assert parse_cities_csv(b"\n\r\n" + csv_bytes("Lyon,FR,,,"))[0].name == "Lyon"


def test_a_byte_order_mark_is_ignored() -> None:
    rows = parse_cities_csv(codecs.BOM_UTF8 + csv_bytes("Lyon,FR,,,"))
    assert rows == [CityFields("Lyon", "FR", "", "", "")]


def test_semicolons_are_recognised() -> None:
    data = csv_bytes("Lyon;FR;ARA;Anne, Marie;a@lyon.fr", header=HEADER.replace(",", ";"))
    assert parse_cities_csv(data) == [CityFields("Lyon", "FR", "ARA", "Anne, Marie", "a@lyon.fr")]


def test_crlf_line_endings() -> None:
    data = HEADER.replace("\n", "\r\n").encode() + b"Lyon,FR,,,\r\nAtlantis,XX,,,\r\n"
    (found,) = problems(data)
    assert found.line == 3


def test_quoted_fields_keep_their_commas_and_newlines() -> None:
    rows = parse_cities_csv(csv_bytes('"Lyon, la ville",FR,"Auvergne,\nRhône","Anne ""A"" M",'))
    assert rows == [CityFields("Lyon, la ville", "FR", "Auvergne, Rhône", 'Anne "A" M', "")]


def test_a_multi_line_record_counts_its_lines_for_the_next_ones() -> None:
    data = csv_bytes(
        'Lyon,FR,"one\ntwo\nthree",,', "Atlantis,XX,,,", '"Nice\n",FR,,,', "Nice,XX,,,"
    )
    found = problems(data)
    assert [p.line for p in found] == [5, 8]


def test_a_problem_in_a_multi_line_record_names_the_line_where_it_starts() -> None:
    (found,) = problems(csv_bytes("Lyon,FR,,,", 'Atlantis,XX,"a\nb",,'))
    assert found.line == 3


def test_non_utf8_is_refused_with_the_line_of_the_first_bad_byte() -> None:
    data = csv_bytes("Lyon,FR,,,", "Paris,FR,,,").replace(b"Paris", "Périgueux".encode("latin-1"))
    assert problems(data) == [CsvProblem(3, "the file is not UTF-8 text")]


def test_non_utf8_after_a_byte_order_mark_names_the_right_line() -> None:
    data = codecs.BOM_UTF8 + csv_bytes("Lyon,FR,,,") + b"\xff,FR,,,\n"
    assert problems(data) == [CsvProblem(3, "the file is not UTF-8 text")]


@pytest.mark.parametrize("data", [b"", b"   \n\n", codecs.BOM_UTF8, b"\r\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    assert problems(data) == [CsvProblem(1, "the file is empty")]


def test_a_header_without_rows_is_refused() -> None:
    assert problems(csv_bytes()) == [CsvProblem(2, "the file has a header but no city")]


def test_the_size_limit_is_exact() -> None:
    line = "Lyon,FR,,,\n"
    padding = MAX_CSV_BYTES - len(HEADER) - len(line)
    at_limit = (HEADER + line + "\n" * padding).encode()
    assert len(at_limit) == MAX_CSV_BYTES
    assert parse_cities_csv(at_limit)[0].name == "Lyon"
    with pytest.raises(TooLarge) as refused:
        parse_cities_csv(at_limit + b"\n")
    assert refused.value.status == 413
    assert f"larger than {MAX_CSV_BYTES:,} bytes" in refused.value.message


def test_the_row_limit_is_exact() -> None:
    """24,000 rows fit in the byte limit: the number of cities is bounded too (issue 11)."""
    lines = [f"City {i},FR,,," for i in range(LIMITS.csv_rows + 1)]
    assert len(parse_cities_csv(csv_bytes(*lines[:-1]))) == LIMITS.csv_rows
    with pytest.raises(TooLarge) as refused:
        parse_cities_csv(csv_bytes(*lines))
    assert refused.value.status == 413
    assert refused.value.message == (
        f"Nothing was imported: the file has {LIMITS.csv_rows + 1:,} cities, more than the "
        f"{LIMITS.csv_rows:,} one import takes; split it into smaller files."
    )
    many = csv_bytes(*(f"C{i},FR,,," for i in range(24_000)))
    assert len(many) < MAX_CSV_BYTES
    with pytest.raises(TooLarge):
        parse_cities_csv(many)


def test_a_field_beyond_the_csv_modules_limit_is_a_refusal_not_a_crash() -> None:
    (found,) = problems(csv_bytes("Lyon,FR,,,", f"Lyon,FR,{'x' * 200_000},,"))
    assert found.line == 3
    assert "cannot be read as CSV" in found.reason


@settings(max_examples=200)
@given(st.binary(max_size=400) | st.text(max_size=300).map(str.encode))
def test_any_bytes_give_rows_or_a_refusal(data: bytes) -> None:
    rows: list[CityFields] = []
    found: list[CsvProblem] = []
    try:
        rows = parse_cities_csv(data)
    except CsvRejected as rejected:
        found = rejected.problems
    assert bool(rows) != bool(found)  # exactly one of the two, never an exception
    assert all(p.line >= 1 for p in found)
    assert len({row.key for row in rows}) == len(rows)


# the fields of one city


def test_clean_city_names_every_problem() -> None:
    with pytest.raises(Invalid) as refused:
        clean_city("", "xx", "", "", "not-an-email")
    assert refused.value.message == (
        "The city's name is empty; «XX» is not an ISO 3166 country code (such as FR, JP, BR); "
        "«not-an-email» is not an e-mail address."
    )


def test_natural_key_folds_case_spacing_and_compatibility_forms() -> None:
    assert natural_key("  Saint   Étienne ", " fr") == natural_key("SAINT ÉTIENNE", "FR")
    assert natural_key("ﬁrenze", "IT") == natural_key("Firenze", "IT")


def test_slug_is_ascii_and_names_the_country() -> None:
    assert slug_for("Clermont-Ferrand", "FR") == "clermont-ferrand-fr"
    assert slug_for("São Paulo", "BR") == "sao-paulo-br"
    assert slug_for("東京", "JP") == "city-jp"
