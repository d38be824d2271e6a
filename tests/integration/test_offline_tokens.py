"""Tokens issued offline: `inmc-vote tokens issue` writes the letters and a signed roll; the
organiser uploads the roll (POST /api/v1/ballots/{id}/roll); the server keeps no
registrar key and never sees a token, and the offline letters vote."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from inmc_vote.db.models import BallotKeys, RollEntry
from inmc_vote.domain.cities import CityFields
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import board, credentials, keys, manifest, roll_file
from inmc_vote.domain.protocol.encoding import b64url, from_b64url, sha256
from inmc_vote.services import actions
from inmc_vote.tools.offline_tokens import OfflineError, read_cities
from tests import factories as f
from tests.integration.test_cli import clean_env, inmc
from tests.voting_helpers import make_ballot

# --- helpers -------------------------------------------------------------------------


# storage-specific: the offline roll
pytestmark = pytest.mark.both_databases

OFFLINE: dict[str, Any] = {"credential_authority": "offline", "registrar_party": "Porto"}


def write_cities(path: Path, towns: list[Any]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "country", "region"])
        for town in towns:
            writer.writerow([town.name, town.country, "Region"])
    return path


def issue_offline(tmp_path: Path, ballot_id: str, towns: list[Any], *extra: str):
    return tokens_issue(tmp_path, ballot_id, write_cities(tmp_path / "cities.csv", towns), *extra)


def tokens_issue(tmp_path: Path, ballot_id: str, cities: Path, *extra: str):
    return inmc(
        "tokens",
        "issue",
        "--ballot",
        ballot_id,
        "--cities",
        str(cities),
        "--base-url",
        "http://testserver.local",
        "--out",
        str(tmp_path / "out"),
        *extra,
        env=clean_env(tmp_path),
        cwd=tmp_path,
    )


def make_roll(
    ballot_id: str, n: int, registrar_seed: bytes | None = None
) -> tuple[list[bytes], roll_file.RollFile, bytes]:
    """(token seeds, the roll file, the registrar seed), made in-process."""
    seed = registrar_seed or keys.new_ed25519()[0]
    made = [credentials.issue(ballot_id, seed) for _ in range(n)]
    return [s for s, _ in made], roll_file.make(ballot_id, seed, [line for _, line in made]), seed


def upload(client: f.Client, key: dict[str, str], ballot_id: str, body: Any) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"/api/v1/ballots/{ballot_id}/roll",
        content=content,
        headers={**key, "content-type": "application/json"},
    )


def stored_keys(client: f.Client, ballot_id: str) -> BallotKeys:
    async def read() -> BallotKeys:
        async with f.db(client).read() as session:
            return await session.get(BallotKeys, ballot_id)

    return f.call(client, read)


def roll_count(client: f.Client, ballot_id: str) -> int:
    async def read() -> int:
        async with f.db(client).read() as session:
            rows = await session.execute(select(RollEntry).where(RollEntry.ballot_id == ballot_id))
            return len(rows.scalars().all())

    return f.call(client, read)


@pytest.fixture
def frozen(client, clock) -> tuple[str, dict[str, str], list[Any]]:
    """A frozen ballot with 5 eligible cities whose tokens Porto makes offline, its tokens
    not issued; organiser headers."""
    key = f.bearer(f.account(client, clock))
    made, towns = f.ready_to_freeze(client, clock, n_cities=5, n_candidates=2, **OFFLINE)
    f.act(client, clock, made.id, Action.FREEZE)
    return made.id, key, towns


# --- the whole offline flow ------------------------------------------------------------


def test_offline_tokens_vote_and_the_server_never_holds_the_registrar(
    tmp_path, client, clock, frozen
):
    ballot_id, key, towns = frozen
    server_registrar = stored_keys(client, ballot_id).registrar_pk
    assert stored_keys(client, ballot_id).registrar_sealed is None  # none since freeze
    issued = issue_offline(
        tmp_path, ballot_id, towns, "--title", "Host city 2029", "--closes", "31 January"
    )
    assert issued.returncode == 0, issued.stderr
    assert "5 tokens issued offline" in issued.stdout
    assert f"/api/v1/ballots/{ballot_id}/roll" in issued.stdout
    out = tmp_path / "out"
    for private in ("registrar.key", "tokens.zip"):
        assert stat.S_IMODE((out / private).stat().st_mode) == 0o600
    roll = json.loads((out / "roll.json").read_text())
    registrar = json.loads((out / "registrar.key").read_text())
    assert roll["format"] == "inmc-vote/roll/v1"
    assert roll["ballot"] == ballot_id
    assert roll["registrar"] == registrar["public"] != b64url(server_registrar)
    pks = [from_b64url(line["pk"]) for line in roll["lines"]]
    assert pks == sorted(pks)
    assert len(pks) == 5

    with zipfile.ZipFile(out / "tokens.zip") as archive:
        text = archive.read("tokens.csv").decode("utf-8-sig")  # with its BOM
        rows = list(csv.DictReader(io.StringIO(text)))
        letters = archive.read("letters.html").decode()
    assert sorted(r["city"] for r in rows) == sorted(t.name for t in towns)
    assert "shown on the voting page" in letters
    assert "Voting closes 31 January" in letters
    assert "roll.json" not in letters
    assert registrar["private"] not in letters

    uploaded = upload(client, key, ballot_id, (out / "roll.json").read_bytes())
    assert uploaded.status_code == 201, uploaded.text
    answer = uploaded.json()
    assert answer["roll_size"] == 5
    assert answer["registrar"] == roll["registrar"]

    shown = client.get(f"/api/v1/ballots/{ballot_id}").json()
    assert shown["fingerprint"] == answer["fingerprint"]
    assert shown["manifest_hash"] == answer["manifest_hash"]
    got = client.get(f"/api/v1/ballots/{ballot_id}/manifest")
    fixed = json.loads(got.content)
    digest = manifest.manifest_hash(got.content)
    assert b64url(digest) == answer["manifest_hash"]
    assert fixed["keys"]["registrar"] == roll["registrar"]
    assert fixed["eligible"] == 5
    assert fixed["roll"]["size"] == 5
    published_roll = client.get(f"/api/v1/ballots/{ballot_id}/roll").content
    assert b64url(sha256(published_roll)) == fixed["roll"]["hash"] == answer["roll_hash"]

    row = stored_keys(client, ballot_id)
    assert row.registrar_sealed is None  # the server can sign no credential
    assert b64url(row.registrar_pk) == roll["registrar"]
    events = client.get(f"/api/v1/ballots/{ballot_id}/events").json()
    assert events[-1]["action"] == "roll-uploaded"

    # Issued once: the server cannot issue (or replace) tokens of this ballot.
    again = client.post(f"/api/v1/ballots/{ballot_id}/tokens", headers=key)
    assert "issued" in f.problem(again, 409)
    lost = client.post(
        f"/api/v1/ballots/{ballot_id}/credentials/{rows[0]['credential_fingerprint']}/revoke",
        headers=key,
    )
    assert "offline" in f.problem(lost, 409)

    clock.advance(days=3)  # past opens_at
    assert client.get(f"/api/v1/ballots/{ballot_id}").json()["state"] == "open"
    body = make_ballot(fixed, digest, rows[0]["token"], {"choice": fixed["candidates"][0]["id"]})
    cast = client.post(f"/api/v1/ballots/{ballot_id}/cast", json=body.to_json())
    assert cast.status_code == 201, cast.text
    receipt = board.Receipt.parse(cast.json())
    assert receipt.seq == 1
    authority = from_b64url(fixed["keys"]["authority"])
    assert receipt.problem(body.tracker, manifest_hash=digest, authority=authority) is None


# --- refusals: each a clear 4xx, and nothing stored -----------------------------------


def refused(client, key, ballot_id, body, status: int, words: str) -> None:
    before = f.snapshot_of(client)
    detail = f.problem(upload(client, key, ballot_id, body), status)
    assert words in detail, detail
    assert f.snapshot_of(client) == before


def test_a_roll_for_another_ballot(client, frozen):
    ballot_id, key, _ = frozen
    _, other, _ = make_roll("otherballot", 5)
    refused(client, key, ballot_id, other.to_json(), 422, "for ballot «otherballot»")


def test_a_roll_changed_after_signing(client, frozen):
    ballot_id, key, _ = frozen
    _, made, _ = make_roll(ballot_id, 5)
    body = made.to_json()
    _, extra, _ = make_roll(ballot_id, 1)
    body["lines"][-1] = extra.lines[0].to_json() | {"pk": body["lines"][-1]["pk"]}
    refused(client, key, ballot_id, body, 422, "signature does not match")

    forged = made.to_json() | {"signature": b64url(bytes(64))}
    refused(client, key, ballot_id, forged, 422, "signature does not match")


def test_a_line_not_signed_by_the_roll_registrar(client, frozen):
    ballot_id, key, _ = frozen
    _, made, _ = make_roll(ballot_id, 5)
    other_seed = keys.new_ed25519()[0]
    relabelled = roll_file.make(ballot_id, other_seed, made.lines)  # file signed by another key
    refused(client, key, ballot_id, relabelled.to_json(), 422, "is not signed by the roll")


def test_a_roll_of_the_wrong_size(client, frozen):
    ballot_id, key, _ = frozen
    for n in (4, 6):
        _, made, _ = make_roll(ballot_id, n)
        refused(client, key, ballot_id, made.to_json(), 422, "electorate has 5 cities")


def test_a_second_roll(client, frozen):
    ballot_id, key, _ = frozen
    _, first, _ = make_roll(ballot_id, 5)
    assert upload(client, key, ballot_id, first.to_json()).status_code == 201
    _, second, _ = make_roll(ballot_id, 5)
    refused(client, key, ballot_id, second.to_json(), 409, "issued once")
    refused(client, key, ballot_id, first.to_json(), 409, "issued once")


def test_a_roll_after_the_server_issued_the_tokens(client, clock):
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock)  # the server's custody
    f.act(client, clock, made.id, Action.FREEZE)
    _, early, _ = make_roll(made.id, 5)
    refused(client, key, made.id, early.to_json(), 409, "made by the server")
    f.issue_tokens(client, clock, made.id)
    _, late, _ = make_roll(made.id, 5)
    refused(client, key, made.id, late.to_json(), 409, "issued once")


def test_a_roll_for_a_ballot_not_frozen(client, clock):
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock, **OFFLINE)
    _, roll, _ = make_roll(made.id, 5)
    refused(client, key, made.id, roll.to_json(), 409, "once it is frozen")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "not JSON"),
        ([1, 2], "JSON object"),
        ({"format": "inmc-vote/roll/v0"}, "not a roll file"),
        ({"format": "inmc-vote/roll/v1"}, "lacks"),
    ],
)
def test_a_file_that_is_not_a_roll(client, frozen, body, words):
    ballot_id, key, _ = frozen
    refused(client, key, ballot_id, body, 422, words)


def test_lines_out_of_order_or_repeated(client, frozen):
    ballot_id, key, _ = frozen
    _, made, _ = make_roll(ballot_id, 5)
    body = made.to_json()
    body["lines"] = body["lines"][::-1]
    refused(client, key, ballot_id, body, 422, "out of order")
    body = made.to_json()
    body["lines"][1] = body["lines"][0]
    refused(client, key, ballot_id, body, 422, "out of order or repeats")


def test_only_organisers_upload_a_roll(client, clock, frozen):
    ballot_id, _, _ = frozen
    _, made, _ = make_roll(ballot_id, 5)
    before = f.snapshot_of(client)
    assert upload(client, {}, ballot_id, made.to_json()).status_code == 401
    gone = f.account(client, clock, "gone@example.org")
    by = actions.accounts.COMMAND_LINE
    f.call(client, actions.accounts.revoke_api_keys, f.db(client), gone.email, by, clock())
    assert upload(client, f.bearer(gone), ballot_id, made.to_json()).status_code == 401
    after = f.snapshot_of(client)
    assert roll_count(client, ballot_id) == 0
    made_here = ("accounts", "api_keys", "account_events")  # the account made for the test
    assert {k: v for k, v in after.items() if k not in made_here} == {
        k: v for k, v in before.items() if k not in made_here
    }


# --- the command line's own refusals ---------------------------------------------------


def test_tokens_issue_refuses_in_words_and_writes_nothing(tmp_path):
    def run(*args: str):
        return inmc("tokens", "issue", *args, env=clean_env(tmp_path), cwd=tmp_path)

    good = tmp_path / "cities.csv"
    good.write_text("name,country\nLyon,FR\nKyoto,JP\n")
    common = ["--base-url", "https://vote.example.org", "--out", str(tmp_path / "out")]

    missing = run("--ballot", "abc", "--cities", str(tmp_path / "none.csv"), *common)
    assert missing.returncode == 1
    assert "Cannot read" in missing.stderr
    bad_id = run("--ballot", "Not.An.Id", "--cities", str(good), *common)
    assert bad_id.returncode == 1
    assert "is not a ballot id" in bad_id.stderr
    bad_url = run("--ballot", "abc", "--cities", str(good), "--base-url", "vote", "--out", "o")
    assert bad_url.returncode == 1
    assert "public address" in bad_url.stderr
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "o").exists()

    ok = run("--ballot", "abc", "--cities", str(good), *common)
    assert ok.returncode == 0, ok.stderr
    again = run("--ballot", "abc", "--cities", str(good), *common)
    assert again.returncode == 1
    assert "nothing is overwritten" in again.stderr
    for result in (missing, bad_id, bad_url, again):
        assert "Traceback" not in result.stderr

    shown = inmc("tokens", "issue", "--help", env=clean_env(tmp_path), cwd=tmp_path)
    assert shown.returncode == 0
    assert "roll.json" in shown.stdout
    assert "registrar.key" in shown.stdout


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "line 1: the file is empty"),
        (b"city;region\nLyon;ARA\n", "line 1: the header lacks the column(s) country"),
        (b"name,country\nLyon,FR\nlyon,fr\n", "line 3: the same city as line 2"),
        (b"name,country\nLyon,\n", "line 2: the country is empty"),
        (b"name,country\n", "line 2: the file has a header but no city"),
        (b"\xff\xfe", "line 1: the file is not UTF-8 text"),
    ],
)
def test_the_cities_file_is_checked(content, words):
    with pytest.raises(
        OfflineError,
        match="^" + re.escape(f"cities.csv has problems; nothing was written: {words}."),
    ):
        read_cities(content, "cities.csv")


def test_the_cities_file_takes_the_member_city_export():
    export = (
        "\ufeffName;Country;Region;Contact name\nClermont-Ferrand;fr;ARA;X\nKyōto;JP;Kansai;Y\n"
    )
    listed = read_cities(export.encode())
    assert listed == [
        CityFields("Clermont-Ferrand", "FR", "ARA", "X", ""),
        CityFields("Kyōto", "JP", "Kansai", "Y", ""),
    ]


# Files the server's CSV import refuses, and which the offline command once accepted.
REFUSED_BY_THE_SERVER = {
    "unknown-country": (
        "Atlantis,XX,Ocean,,\n",
        "line 2: «XX» is not an ISO 3166 country code (such as FR, JP, BR)",
    ),
    "duplicate-name": ("Le Mans,FR,,,\nLe  Mans,fr,,,\n", "line 3: the same city as line 2"),
    "control-character": (
        "Ly\x07on,FR,,,\n",
        "line 2: the city's name contains a control character (U+0007)",
    ),
    "extra-field": ("Lyon,FR,,,,extra\n", "line 2: 6 fields where the header has 5"),
}


@pytest.mark.parametrize(
    ("rows", "problem"), REFUSED_BY_THE_SERVER.values(), ids=list(REFUSED_BY_THE_SERVER)
)
def test_tokens_issue_refuses_what_the_server_import_refuses(
    client, clock, tmp_path, rows, problem
):
    """The offline letters are for an electorate the server accepts: the same file gets
    the same refusal, line by line, from the server's import and from the command."""
    content = ("name,country,region,contact name,contact email\n" + rows).encode()
    key = f.bearer(f.account(client, clock))
    before = f.snapshot_of(client)
    detail = f.problem(
        client.post(
            "/api/v1/cities/import", content=content, headers={**key, "content-type": "text/csv"}
        ),
        422,
    )
    assert detail == f"Nothing was imported: {problem}."
    assert f.snapshot_of(client) == before

    cities = tmp_path / "cities.csv"
    cities.write_bytes(content)
    refused = tokens_issue(tmp_path, "abc", cities)
    assert refused.returncode == 1
    assert f"{cities} has problems; nothing was written: {problem}." in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (tmp_path / "out").exists()
