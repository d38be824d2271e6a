"""After the tokens are issued (and a lost one replaced, and some cities have voted), the
database holds no token and nothing that ties a city to its credential.

Every row of every table is read, every column, bytes and text, and searched for each
token's seed in every form it could take (raw, hex, base64, base64url, the readable
Crockford text, the token as printed) and for any row that names a city beside a
credential.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from inmc_vote.db.models import Base
from inmc_vote.db.urls import is_sqlite, sync_url
from inmc_vote.domain.protocol import credentials, readable
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.services import queries
from tests import factories as f
from tests.conftest import FakeClock
from tests.databases import table_names
from tests.voting_helpers import ballot_body, manifest_of, open_ballot, tokens_from_zip

# storage-specific: what the tables hold
pytestmark = pytest.mark.both_databases

N_CITIES = 12


def every_row(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the models know, as {column: value}."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            return {
                table.name: [dict(row._mapping) for row in connection.execute(select(table))]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def seed_forms(token: str, seed: bytes) -> tuple[list[bytes], list[str]]:
    """(byte strings, case-folded texts) under which a seed could have been stored."""
    raw = [seed, seed[:16], seed[16:]]
    texts = [
        token,
        token.split(".", 1)[1],
        readable.normalise(token.split(".", 1)[1]),
        readable.encode(seed),
        seed.hex(),
        seed[:16].hex(),
        seed[16:].hex(),
        b64url(seed),
        base64.b64encode(seed).decode(),
        base64.b32encode(seed).decode(),
    ]
    return raw, [t.casefold() for t in texts]


def as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def issued_and_used(client: f.Client, clock: FakeClock) -> tuple[str, list[dict[str, str]]]:
    """An open ballot of N_CITIES cities: a lost token replaced and half the cities voted."""
    ballot_id, key, rows = open_ballot(client, clock, n_cities=N_CITIES)
    lost = rows[-1]
    replaced = client.post(
        f"/api/v1/ballots/{ballot_id}/credentials/{lost['credential_fingerprint']}/revoke",
        headers=key,
    )
    assert replaced.status_code == 201, replaced.text
    replacement = tokens_from_zip(replaced.content)
    manifest, _ = manifest_of(client, ballot_id)
    for row in [*rows[: N_CITIES // 2], *replacement]:
        choice = {"choice": manifest["candidates"][0]["id"]}
        body = ballot_body(client, ballot_id, row["token"], choice)
        assert client.post(f"/api/v1/ballots/{ballot_id}/cast", json=body).status_code == 201
    return ballot_id, [*rows, *replacement]


def test_no_table_holds_a_token_in_any_form(client, clock, settings) -> None:
    ballot_id, letters = issued_and_used(client, clock)
    assert len(letters) == N_CITIES + 1
    tables = every_row(settings.database_url)
    # The models cover every table of the database: nothing is left unread.
    assert set(tables) == table_names(settings.database_url) - {"alembic_version"}
    assert all(tables[name] for name in ("roll", "board", "ballot_keys", "ballot_events"))

    assert leaks(tables, ballot_id, letters) == []

    # The search finds a token when there is one: each form, planted in a copy of the rows.
    letter = letters[3]
    _, seed = credentials.parse_token(letter["token"], ballot_id)
    plants = [seed, b"x" + seed.hex().upper().encode(), b64url(seed), readable.encode(seed)]
    plants += [letter["token"].lower(), base64.b64encode(seed).decode(), seed[16:]]
    for plant in plants:
        column = "signature" if isinstance(plant, bytes) else "received_at"
        planted = tables | {"board": [tables["board"][0] | {column: plant}]}
        assert leaks(planted, ballot_id, letters) == [f"board.{column}: {letter['city']}"], plant


def leaks(
    tables: dict[str, list[dict[str, Any]]], ballot_id: str, letters: list[dict[str, str]]
) -> list[str]:
    """Where a token's seed is found, in any form: ["table.column: city", ...]."""
    found = []
    for letter in letters:
        token = letter["token"]
        _, seed = credentials.parse_token(token, ballot_id)
        raw, texts = seed_forms(token, seed)
        for table, rows in tables.items():
            for row in rows:
                for column, value in row.items():
                    if value is None or isinstance(value, bool | int):
                        continue
                    in_bytes = isinstance(value, bytes | bytearray | memoryview) and any(
                        r in bytes(value) for r in raw
                    )
                    folded = as_text(value).casefold()
                    if in_bytes or any(t in folded for t in texts):
                        found.append(f"{table}.{column}: {letter['city']}")
    return found


@pytest.mark.fresh_database  # a file no earlier test wrote to
def test_the_sqlite_file_holds_no_token_seed_anywhere(client, clock, settings) -> None:
    """Below the tables: the database file and its write-ahead log, byte by byte."""
    if not is_sqlite(settings.database_url):
        return  # PostgreSQL's files are not ours to read; the tables are checked above
    ballot_id, letters = issued_and_used(client, clock)
    path = Path(settings.database_url.split("///", 1)[1])
    content = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert len(content) > 10_000
    for letter in letters:
        _, seed = credentials.parse_token(letter["token"], ballot_id)
        raw, texts = seed_forms(letter["token"], seed)
        assert not any(r in content for r in raw)
        folded = content.decode("latin-1").casefold()
        assert not any(t in folded for t in texts)


def test_nothing_ties_a_city_to_its_credential(client, clock, settings) -> None:
    ballot_id, letters = issued_and_used(client, clock)
    tables = every_row(settings.database_url)
    towns = f.call(client, queries.cities.list_cities, f.db(client))
    assert len(towns) == N_CITIES
    roll = tables["roll"]
    assert len(roll) == N_CITIES + 1  # the initial roll and one replacement
    assert links(tables, towns) == []

    # The search finds a link when there is one, planted in a copy of the rows.
    event = tables["ballot_events"][-1]
    for plant in (
        json.dumps({"city": towns[2].slug, "pk": b64url(bytes(roll[4]["pk"]))}),
        f"{towns[0].name} has {roll[1]['fingerprint']}",
    ):
        planted = tables | {"ballot_events": [event | {"data": plant}]}
        assert len(links(planted, towns)) == 1, plant
    planted = tables | {"roll": [roll[0] | {"city_id": towns[0].id}]}
    assert len(links(planted, towns)) == 1

    # The letters come in the cities' order; the roll is stored in the keys' order.
    in_city_order = [x["credential_fingerprint"] for x in letters[:N_CITIES]]
    assert [x["city"] for x in letters[:N_CITIES]] == sorted(t.name for t in towns)
    # (The revoked row is left out: an UPDATE moves a row on PostgreSQL; its revocation
    # is public anyway.)
    revoked = {r["fingerprint"] for r in roll if r["revoked_at"] is not None}
    assert len(revoked) == 1
    stored = stored_roll_order(settings.database_url, ballot_id)
    initial = [fp for fp, is_initial in stored if is_initial and fp not in revoked]
    kept = [fp for fp in in_city_order if fp not in revoked]
    assert sorted(initial) == sorted(kept)
    pk_of = {r["fingerprint"]: bytes(r["pk"]) for r in roll}
    assert initial == sorted(initial, key=pk_of.__getitem__)  # stored in key order ...
    assert initial != kept  # ... not in the cities' (11! orders: never by chance)

    # The event log names credentials only in the lost-token events, and no city there.
    events = [e for e in tables["ballot_events"] if e["ballot_id"] == ballot_id]
    named = [r["fingerprint"] for r in roll] + [b64url(bytes(r["pk"])) for r in roll]
    naming = [e for e in events if any(form in e["data"] for form in named)]
    assert [e["action"] for e in naming] == ["credential-revoked", "credential-added"]
    issued = next(e for e in events if e["action"] == "tokens-issued")
    assert set(json.loads(issued["data"])) == {"roll_size", "roll_hash", "manifest_hash"}


def links(tables: dict[str, list[dict[str, Any]]], towns: list[Any]) -> list[str]:
    """The rows that name a credential (its key or fingerprint, in any form) beside a city
    (a column about a city, or a city's slug or name)."""
    city_words = [w.casefold() for t in towns for w in (t.slug, t.name)]
    pks = [bytes(r["pk"]) for r in tables["roll"]]
    credential_forms = [
        form.casefold()
        for pk, fp in zip(pks, [r["fingerprint"] for r in tables["roll"]], strict=True)
        for form in (b64url(pk), pk.hex(), fp, readable.normalise(fp))
    ]
    found = []
    for table, rows in tables.items():
        for row in rows:
            texts = [as_text(v).casefold() for v in row.values() if v is not None]
            blobs = [bytes(v) for v in row.values() if isinstance(v, bytes | memoryview)]
            has_credential = any(pk in blob for pk in pks for blob in blobs) or any(
                form in t for form in credential_forms for t in texts
            )
            has_city = any("city" in column for column in row) or any(
                word in t for word in city_words for t in texts
            )
            if has_credential and has_city:
                found.append(f"{table}: {row}")
    return found


def stored_roll_order(url: str, ballot_id: str) -> list[tuple[str, bool]]:
    """The roll's rows in the order the database stores them (rowid / ctid)."""
    physical = "rowid" if is_sqlite(url) else "ctid"
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    f"SELECT fingerprint, initial FROM roll WHERE ballot_id = :b "  # noqa: S608
                    f"ORDER BY {physical}"
                ),
                {"b": ballot_id},
            )
            return [(fp, bool(initial)) for fp, initial in rows]
    finally:
        engine.dispose()
