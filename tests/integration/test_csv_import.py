"""Importing member cities from CSV: every line checked before any is written, with every
bad line named."""

from __future__ import annotations

import pytest

from inmc_vote.config import LIMITS
from tests import factories as f
from tests.conftest import FakeClock

IMPORT = "/api/v1/cities/import"
HEADER = "name,country,region,contact name,contact email\n"
GOOD = (
    HEADER + "Lyon,FR,Auvergne-Rhône-Alpes,Anne Martin,anne@lyon.fr\n"
    "Kyoto,JP,Kansai,Ken Sato,ken@kyoto.jp\n"
    '"Salvador, Bahia",BR,Bahia,Maria Souza,maria@salvador.br\n'
)


def send(client: f.Client, key: dict[str, str], content: bytes, as_file: bool = True) -> f.Any:
    if as_file:
        files = {"file": ("cities.csv", content, "text/csv")}
        return client.post(IMPORT, files=files, headers=key)
    return client.post(IMPORT, content=content, headers={**key, "content-type": "text/csv"})


def names(client: f.Client, key: dict[str, str]) -> list[str]:
    return sorted(c["name"] for c in client.get("/api/v1/cities", headers=key).json())


@pytest.mark.parametrize("as_file", [True, False], ids=["multipart", "text-csv-body"])
def test_a_good_file_imports_every_city(client: f.Client, clock: FakeClock, as_file: bool) -> None:
    key = f.bearer(f.account(client, clock))
    done = send(client, key, GOOD.encode(), as_file)
    assert done.status_code == 201, done.text
    assert done.json() == {"added": 3, "updated": 0, "unchanged": 0}
    assert names(client, key) == ["Kyoto", "Lyon", "Salvador, Bahia"]


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_bad_rows_import_nothing_and_each_bad_line_is_named(
    client: f.Client, clock: FakeClock
) -> None:
    key = f.bearer(f.account(client, clock))
    f.member_cities(client, clock, 2)
    content = (
        (
            HEADER + "Lyon,FR,Rhône,Anne,anne@lyon.fr\n"  # line 2: good
            "Atlantis,XX,Ocean,Poseidon,p@atlantis.org\n"  # line 3: country
            "Kyoto,JP,Kansai,Ken,ken-at-kyoto\n"  # line 4: e-mail
            "\n"  # line 5: blank, skipped
            "Porto,PT,Norte\n"  # line 6: too few fields
            " LYON ,fr,Rhône,Anne,anne@lyon.fr\n"  # line 7: same city as line 2
            "Recife,BR,Pernambuco,João,joao@recife.br\n"  # line 8: good
        ).encode()
    )
    before = f.snapshot_of(client)
    detail = f.problem(send(client, key, content), 422)
    assert f.snapshot_of(client) == before
    assert detail.startswith("Nothing was imported: ")
    assert "line 3: «XX» is not an ISO 3166 country code" in detail
    assert "line 4: «ken-at-kyoto» is not an e-mail address" in detail
    assert "line 6: 3 fields where the header has 5" in detail
    assert "line 7: the same city as line 2" in detail
    for good_line in ("line 2:", "line 5:", "line 8:"):
        assert good_line not in detail


def test_a_semicolon_separated_file_with_header_aliases(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    content = (
        "\ufeffCity;Country;Region;Contact_Name;Email\n"
        "Montréal;CA;Québec;Luc Roy;luc@montreal.ca\n"
        "Kraków;pl;Małopolska;Ewa Nowak;ewa@krakow.pl\n"
    ).encode()
    done = send(client, key, content)
    assert done.status_code == 201, done.text
    assert done.json() == {"added": 2, "updated": 0, "unchanged": 0}
    listed = client.get("/api/v1/cities", headers=key).json()
    assert {(c["name"], c["country"], c["contact_email"]) for c in listed} == {
        ("Montréal", "CA", "luc@montreal.ca"),
        ("Kraków", "PL", "ewa@krakow.pl"),
    }


def test_a_header_without_a_required_column_is_refused(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    detail = f.problem(send(client, key, b"name,country\nLyon,FR\n"), 422)
    assert "line 1: the header lacks the column(s) region, contact name, contact email" in detail


def test_a_reimport_updates_instead_of_duplicating(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    assert send(client, key, GOOD.encode()).json()["added"] == 3
    ids = {c["name"]: c["id"] for c in client.get("/api/v1/cities", headers=key).json()}
    again = (
        HEADER + "LYON,fr,Auvergne-Rhône-Alpes,Anne Martin,anne.martin@lyon.fr\n"  # updated
        "Kyoto,JP,Kansai,Ken Sato,ken@kyoto.jp\n"  # unchanged
        "Recife,BR,Pernambuco,João,joao@recife.br\n"  # added
    )
    done = send(client, key, again.encode())
    assert done.status_code == 201, done.text
    assert done.json() == {"added": 1, "updated": 1, "unchanged": 1}
    listed = {c["name"]: c for c in client.get("/api/v1/cities", headers=key).json()}
    assert sorted(listed) == ["Kyoto", "LYON", "Recife", "Salvador, Bahia"]
    assert listed["LYON"]["id"] == ids["Lyon"]
    assert listed["LYON"]["contact_email"] == "anne.martin@lyon.fr"
    assert listed["Kyoto"]["id"] == ids["Kyoto"]
    assert send(client, key, again.encode()).json() == {"added": 0, "updated": 0, "unchanged": 3}


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_file_that_is_not_utf8_is_refused(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    content = (HEADER + "Lyon,FR,Rhône,Anne,anne@lyon.fr\nZürich,CH,Zürich,Urs,urs@zh.ch\n").encode(
        "latin-1"
    )
    before = f.snapshot_of(client)
    detail = f.problem(send(client, key, content), 422)
    assert "line 2: the file is not UTF-8 text" in detail  # "Rhône" is the first non-UTF-8
    assert f.snapshot_of(client) == before


def test_an_empty_file_is_refused(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    for content, expected in [
        (b"", "line 1: the file is empty"),
        (b"  \n\n", "line 1: the file is empty"),
        (HEADER.encode(), "line 2: the file has a header but no city"),
    ]:
        assert f.problem(send(client, key, content), 422) == f"Nothing was imported: {expected}."


def test_a_multipart_request_without_the_file_field_is_refused(
    client: f.Client, clock: FakeClock
) -> None:
    key = f.bearer(f.account(client, clock))
    sent = client.post(IMPORT, files={"upload": ("c.csv", GOOD.encode(), "text/csv")}, headers=key)
    assert "multipart field “file”" in f.problem(sent, 422)


@pytest.mark.both_databases  # a refusal proven by snapshot()
@pytest.mark.parametrize(
    "size",
    [LIMITS.csv_bytes + 1_000, 3 * LIMITS.csv_bytes],
    ids=["just-over-the-file-limit", "over-the-body-limit"],
)
def test_an_oversized_file_is_refused(client: f.Client, clock: FakeClock, size: int) -> None:
    key = f.bearer(f.account(client, clock))
    row = "Lyon,FR,Rhône,Anne,anne@lyon.fr\n"
    content = (HEADER + row * (size // len(row))).encode()
    before = f.snapshot_of(client)
    detail = f.problem(send(client, key, content), 413)
    assert "larger than" in detail
    assert f.snapshot_of(client) == before
