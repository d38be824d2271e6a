"""Benchmark: the tally of N ballots against the bare HPKE decryptions it cannot avoid.

Builds a real ballot in a fresh SQLite file through the services (cities imported by CSV,
freeze, tokens, open), puts N real encrypted and signed ballots on its board (chained
with the protocol code, written in bulk: casting speed is not what is measured here),
closes it, then times the tally action. The ceiling is measured in the same run: N bare
`vote.decrypt` calls on the same ciphertexts. The ratio says what the tally costs on
top of decryption (judging, counting, storing the outcomes, signing the record).

    .venv/bin/python bench/tally_bench.py [--ballots N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from inmc_vote.db.engine import Database
from inmc_vote.db.migrate import upgrade
from inmc_vote.db.models import BoardEntry, Manifest
from inmc_vote.demo.sample_pdf import sample_pdf
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import board, credentials, vote
from inmc_vote.domain.protocol.encoding import from_b64url, rfc3339_ms
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import Actor

SECRET = b"benchmark-secret-key-0123456789abcdef-0123"
ORGANISER = Actor("organiser", "bench@example.org")


async def prepare(db: Database, n: int, now: datetime) -> tuple[str, list[dict], bytes]:
    rows = "\n".join(f"City {i},FR,Europe,Contact,c{i}@example.org" for i in range(n))
    await actions.cities.import_csv(
        db, f"name,country,region,contact_name,contact_email\n{rows}\n".encode(), now
    )
    made = await actions.ballots.create_ballot(
        db,
        ORGANISER,
        BallotForm(
            title="Bench",
            question="Which city?",
            method="irv",
            candidacy_deadline=now + timedelta(hours=1),
            closes_at=now + timedelta(days=2),
        ),
        now,
    )
    await actions.lifecycle.perform(
        db, ORGANISER, made.id, Action.OPEN_CANDIDACIES, ActionRequest(now)
    )
    towns = (await queries.cities.list_cities(db))[:4]
    for town in towns:
        submitted = await actions.candidacies.submit(
            db,
            Actor("city", town.slug),
            made.id,
            town.id,
            CandidacyForm("Summary", "May", "Centre"),
            Upload("d.pdf", sample_pdf(town.name, ["bench"])),
            now,
        )
        await actions.candidacies.decide(db, ORGANISER, made.id, submitted.id, True, "", now)
    later = now + timedelta(hours=2)
    await actions.lifecycle.perform(db, ORGANISER, made.id, Action.FREEZE, ActionRequest(later))
    issued = await actions.tokens.issue_tokens(db, ORGANISER, made.id, later)
    await actions.lifecycle.perform(db, ORGANISER, made.id, Action.OPEN, ActionRequest(later))
    async with db.read() as session:
        current = await session.get(Manifest, (made.id, 1))
        assert current is not None
        manifest, digest = json.loads(current.data), current.hash
    ids = [c["id"] for c in manifest["candidates"]]
    sent = []
    for i, letter in enumerate(issued.letters):
        _, seed = credentials.parse_token(letter.token, made.id)
        ranking = ids[i % 4 :] + ids[: i % 4]
        sent.append(
            vote.make_ballot({"v": 1, "ranking": ranking[: 1 + i % 4]}, seed, manifest, digest)
        )
    entries, prev = [], digest
    for seq, ballot in enumerate(sent, start=1):
        at = rfc3339_ms(later + timedelta(milliseconds=seq))
        tracker = board.entry_hash(
            prev, seq, at, ballot.credential, ballot.ciphertext, ballot.signature
        )
        entries.append(
            {
                "ballot_id": made.id,
                "round": 1,
                "seq": seq,
                "received_at": at,
                "credential": ballot.credential,
                "ciphertext": ballot.ciphertext,
                "signature": ballot.signature,
                "prev": prev,
                "hash": tracker,
            }
        )
        prev = tracker
    async with db.write() as session:
        await session.execute(insert(BoardEntry), entries)
    await actions.lifecycle.perform(
        db, ORGANISER, made.id, Action.CLOSE, ActionRequest(later + timedelta(hours=1), "benchmark")
    )
    return made.id, entries, digest


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        db = Database(url, at_rest_key=SECRET)
        now = datetime.now(UTC) - timedelta(days=1)
        ballot_id, entries, digest = await prepare(db, n, now)
        started = time.perf_counter()
        await actions.lifecycle.perform(
            db, ORGANISER, ballot_id, Action.TALLY, ActionRequest(now + timedelta(hours=4))
        )
        tally_s = time.perf_counter() - started
        (found,) = await queries.results.tallied_rounds(db, ballot_id, include_unpublished=True)
        assert found.result.valid == n, found.result
        tally_key = from_b64url(found.record["tally_key"])
        started = time.perf_counter()
        for entry in entries:
            vote.decrypt(entry["ciphertext"], tally_key, digest, entry["credential"])
        bare_s = time.perf_counter() - started
        await db.dispose()
    print(
        f"tally of {n} ballots: {tally_s:.2f} s ({1000 * tally_s / n:.3f} ms/ballot); "
        f"ceiling, {n} bare HPKE decryptions: {bare_s:.2f} s; "
        f"ratio tally/decryptions = {tally_s / bare_s:.1f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=3000)
    asyncio.run(main(parser.parse_args().ballots))
