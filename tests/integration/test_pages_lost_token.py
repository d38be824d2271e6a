"""The lost-token page: the organiser finds the city in the letters file it kept (the
ZIP or its tokens.csv), confirms, and gets a replacement letter that names the city;
a wrong file, a city not in the file, or a token already replaced is a 4xx that
changes nothing; typing the fingerprint still works."""

from __future__ import annotations

import csv
import html
import io
import zipfile

from inmc_vote.domain.lifecycle import Action
from tests import factories as f


def signed_in(client, clock) -> str:
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    return client.cookies["csrftoken"]


def rows_of(content: bytes) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        text = archive.read("tokens.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def issued(client, clock) -> tuple[str, str, bytes]:
    made, _ = f.ready_to_freeze(client, clock)
    f.act(client, clock, made.id, Action.FREEZE)
    token = signed_in(client, clock)
    letters = client.post(f"/organiser/ballots/{made.id}/tokens", data={"_csrf_token": token})
    assert letters.status_code == 200, letters.text
    return made.id, token, letters.content


def events(client, ballot_id: str) -> list[dict]:
    return client.get(f"/api/v1/ballots/{ballot_id}/events").json()


def upload(client, ballot_id, token, name, content, city=""):
    return client.post(
        f"/organiser/ballots/{ballot_id}/lost-token/letters",
        files={"letters": (name, content, "application/octet-stream")},
        data={"_csrf_token": token, "city": city},
    )


def test_the_city_is_picked_from_the_letters_zip_and_named_on_its_letter(client, clock):
    ballot_id, token, letters = issued(client, clock)
    rows = rows_of(letters)
    lost = rows[1]
    assert "find it in your letters file" in client.get(f"/organiser/ballots/{ballot_id}").text
    assert client.get(f"/organiser/ballots/{ballot_id}/lost-token/find").status_code == 200

    listed = upload(client, ballot_id, token, f"tokens-{ballot_id}.zip", letters)
    assert listed.status_code == 200, listed.text
    page = html.unescape(listed.text)
    for row in rows:
        assert row["city"] in page
        assert row["credential_fingerprint"] in page
        assert row["token"] not in page  # the tokens are never shown back
    before = len(events(client, ballot_id))

    confirm = client.post(
        f"/organiser/ballots/{ballot_id}/lost-token/confirm",
        data={
            "_csrf_token": token,
            "fingerprint": lost["credential_fingerprint"],
            "city": lost["city"],
            "country": lost["country"],
        },
    )
    assert confirm.status_code == 200
    assert f"Replace the token of {lost['city']}?" in html.unescape(confirm.text)
    assert len(events(client, ballot_id)) == before  # nothing happens before confirming

    replaced = client.post(
        f"/organiser/ballots/{ballot_id}/lost-token",
        data={
            "_csrf_token": token,
            "fingerprint": lost["credential_fingerprint"],
            "city": lost["city"],
            "country": lost["country"],
        },
    )
    assert replaced.status_code == 200, replaced.text
    [letter] = rows_of(replaced.content)
    assert (letter["city"], letter["country"]) == (lost["city"], lost["country"])
    assert letter["credential_fingerprint"] != lost["credential_fingerprint"]
    with zipfile.ZipFile(io.BytesIO(replaced.content)) as archive:
        assert f"<h1>{lost['city']} ({lost['country']})</h1>" in html.unescape(
            archive.read("letters.html").decode()
        )
    log = events(client, ballot_id)
    assert [e["action"] for e in log[before:]] == ["credential-revoked", "credential-added"]
    assert lost["city"] not in str(log[before:])  # the public log never names the city

    # the same file again: the city is marked as replaced, and cannot be chosen again
    again = html.unescape(upload(client, ballot_id, token, "tokens.csv", letters).text)
    assert "Already replaced" in again
    by_name = upload(client, ballot_id, token, "tokens.zip", letters, city=lost["city"])
    assert by_name.status_code == 409
    assert "was already replaced" in html.unescape(by_name.text)
    forced = client.post(
        f"/organiser/ballots/{ballot_id}/lost-token/confirm",
        data={"_csrf_token": token, "fingerprint": lost["credential_fingerprint"], "city": "X"},
    )
    assert forced.status_code == 409
    assert len(events(client, ballot_id)) == before + 2


def test_the_csv_alone_and_a_city_typed_without_accents(client, clock):
    ballot_id, token, letters = issued(client, clock)
    with zipfile.ZipFile(io.BytesIO(letters)) as archive:
        csv_bytes = archive.read("tokens.csv")
    lost = rows_of(letters)[0]
    typed = lost["city"].upper()
    found = upload(client, ballot_id, token, "tokens.csv", csv_bytes, city=typed)
    assert found.status_code == 200, found.text
    page = html.unescape(found.text)
    assert f"Replace the token of {lost['city']}?" in page
    assert f'value="{lost["credential_fingerprint"]}"' in page


def test_a_wrong_file_or_a_city_not_in_it_changes_nothing(client, clock):
    ballot_id, token, letters = issued(client, clock)
    before = len(events(client, ballot_id))
    for name, content in [
        ("notes.txt", b"just some notes\n"),
        ("photo.zip", _zip({"a.txt": b"hello"})),
        ("cities.csv", b"name,country\nLyon,FR\n"),
        ("binary.csv", b"\xff\xfe\x00garbage"),
    ]:
        refused = upload(client, ballot_id, token, name, content)
        assert refused.status_code == 422, name
        assert "This is not a letters file" in html.unescape(refused.text), name

    other = b"city,country,credential_fingerprint,token,link\r\nLyon,FR,ABCD-EFGH-JKMN-PQRS,x,y\r\n"
    foreign = upload(client, ballot_id, token, "tokens.csv", other)
    assert foreign.status_code == 422
    assert "is on this ballot's roll" in html.unescape(foreign.text)

    missing = upload(client, ballot_id, token, "tokens.zip", letters, city="Atlantis")
    assert missing.status_code == 422
    assert "No city called «Atlantis» is in this letters file" in html.unescape(missing.text)

    unnamed = client.post(
        f"/organiser/ballots/{ballot_id}/lost-token",
        data={"_csrf_token": token, "fingerprint": rows_of(letters)[0]["credential_fingerprint"]},
    )
    assert unnamed.status_code == 422
    assert "Name the city that lost its token" in html.unescape(unnamed.text)
    assert len(events(client, ballot_id)) == before


def test_typing_the_fingerprint_still_works(client, clock):
    ballot_id, token, letters = issued(client, clock)
    lost = rows_of(letters)[2]
    confirm = client.post(
        f"/organiser/ballots/{ballot_id}/lost-token/confirm",
        data={
            "_csrf_token": token,
            "fingerprint": lost["credential_fingerprint"].replace("-", "").lower(),
            "city": "Sherbrooke",
        },
    )
    assert confirm.status_code == 200
    assert lost["credential_fingerprint"] in confirm.text
    unknown = client.post(
        f"/organiser/ballots/{ballot_id}/lost-token/confirm",
        data={"_csrf_token": token, "fingerprint": "0000-0000-0000-0000", "city": "Lyon"},
    )
    assert unknown.status_code == 422
    assert "No credential of this ballot has the fingerprint" in unknown.text


def test_before_the_tokens_are_issued_the_page_says_so(client, clock):
    made, _ = f.ready_to_freeze(client, clock)
    signed_in(client, clock)
    page = client.get(f"/organiser/ballots/{made.id}/lost-token/find")
    assert page.status_code == 409
    assert "a lost token is replaced after the tokens are issued" in html.unescape(page.text)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()
