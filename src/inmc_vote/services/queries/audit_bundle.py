"""The audit bundle, exported from the database as a ZIP stream (format: docs/audit.md).

First one consistent read fixes how far the bundle goes (the event log's and each
board's count and head, the seals, the published tallies) and the authority signs that
head; then each member is written in order, the large ones page by page. Everything is
append-only, so later reads bounded by the head give the same bytes as the snapshot."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, undefer

from inmc_vote.config import LIMITS
from inmc_vote.db import paging
from inmc_vote.db.engine import Database
from inmc_vote.db.models import (
    Ballot,
    BallotEvent,
    BallotKeys,
    BoardEntry,
    Decryption,
    Manifest,
    RollEntry,
    Seal,
    Shuffle,
    Tally,
)
from inmc_vote.db.urls import is_sqlite
from inmc_vote.documents.auditors_txt import auditors_text
from inmc_vote.domain.codes import logged_action
from inmc_vote.domain.counting.explain import explain
from inmc_vote.domain.counting.result import Result
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.protocol import board, bundle, keys, manifest
from inmc_vote.domain.protocol.bundle_zip import ZipStream
from inmc_vote.domain.protocol.credentials import RollLine
from inmc_vote.domain.protocol.encoding import rfc3339_ms
from inmc_vote.domain.protocol.events import Event
from inmc_vote.services.queries import results
from inmc_vote.services.steps import keyring, mixnet


def filename(ballot_id: str) -> str:
    return f"inmc-vote-{ballot_id}-audit.zip"


@dataclass(frozen=True)
class RoundSnapshot:
    head: bundle.RoundHead
    manifest: bytes
    manifest_signature: bytes
    seal: Seal | None
    tally: Tally | None  # only once published
    shuffles: tuple[int, ...] = ()  # the shuffles' indices (once sealed)
    decryptions: tuple[int, ...] = ()  # the trustees whose decryption is in (once published)


@dataclass(frozen=True)
class Snapshot:
    """How far the bundle goes, read in one transaction, and its signed head."""

    head: bundle.Head
    head_bytes: bytes
    signature: bytes
    rounds: tuple[RoundSnapshot, ...]
    texts: dict[str, bytes]  # AUDITORS.txt and each result.txt


async def snapshot(db: Database, ballot_id: str, now: datetime, base_url: str = "") -> Snapshot:
    """What the bundle holds, fixed by one consistent read. The caller first applies what
    the clock made due (`actions.schedule.current`), as the web's two callers do;
    `base_url` (the server's) goes into AUDITORS.txt's download commands."""
    async with db.read() as session:
        if not is_sqlite(db.url):  # SQLite's read transaction is a snapshot already
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        ballot = await session.get(Ballot, ballot_id)
        if ballot is None:
            raise NotFound("There is no ballot «{ballot_id}».", ballot_id=ballot_id)
        manifests = list(
            (
                await session.execute(
                    select(Manifest).where(Manifest.ballot_id == ballot_id).order_by(Manifest.round)
                )
            ).scalars()
        )
        if not manifests:
            raise NotFound(
                "This ballot has no audit bundle yet: it exists once the tokens are issued "
                "and the manifest is fixed."
            )
        last_event = (
            await session.execute(
                select(BallotEvent)
                .where(BallotEvent.ballot_id == ballot_id)
                .order_by(BallotEvent.seq.desc())
                .limit(1)
            )
        ).scalar_one()
        rounds = [await _round(session, ballot_id, m) for m in manifests]
        row_keys = await session.get(BallotKeys, ballot_id)
        assert row_keys is not None  # a manifest is fixed after the keys are made
        authority = await keyring.authority_seed(session, db.at_rest_key, ballot_id)
    texts = _texts(ballot_id, rounds, base_url)
    head = bundle.Head(
        ballot=ballot_id,
        exported_at=rfc3339_ms(now),
        state=ballot.state,
        events_count=last_event.seq,
        events_head=last_event.hash,
        rounds=tuple(r.head for r in rounds),
        authority=row_keys.authority_pk,
        texts={name: hashlib.sha256(text).digest() for name, text in texts.items()},
    )
    head_bytes = head.to_bytes()
    signature = keys.sign(authority, bundle.signed_message(head_bytes))
    return Snapshot(head, head_bytes, signature, tuple(rounds), texts)


def _texts(ballot_id: str, rounds: list[RoundSnapshot], base_url: str) -> dict[str, bytes]:
    """The files written for people; the signed head lists their hashes. AUDITORS.txt
    names the verifier this server serves and runs on its bundles (version, SHA-256)."""
    fingerprints = {r.head.round: manifest.short_fingerprint(r.head.manifest) for r in rounds}
    texts = {bundle.AUDITORS: auditors_text(ballot_id, fingerprints, base_url=base_url).encode()}
    for r in rounds:
        if r.tally is not None:
            texts[bundle.round_member(r.head.round, "result.txt")] = _result_text(r).encode()
    return texts


async def _round(session: AsyncSession, ballot_id: str, fixed: Manifest) -> RoundSnapshot:
    number = fixed.round
    last = (
        await session.execute(
            select(BoardEntry.seq, BoardEntry.hash)
            .where(BoardEntry.ballot_id == ballot_id, BoardEntry.round == number)
            .order_by(BoardEntry.seq.desc())
            .limit(1)
        )
    ).first()
    seal = await session.get(Seal, (ballot_id, number))
    found = await session.get(Tally, (ballot_id, number), options=[undefer(Tally.data)])
    published = found if found is not None and found.published_at is not None else None
    count, head = (0, fixed.hash) if last is None else (last.seq, last.hash)
    shuffles: tuple[int, ...] = ()
    decryptions: tuple[int, ...] = ()
    if seal is not None:
        shuffles = await _numbers(session, Shuffle, Shuffle.index, ballot_id, number)
    if published is not None:  # any t decryptions reveal the votes: only once published
        decryptions = await _numbers(session, Decryption, Decryption.trustee, ballot_id, number)
    return RoundSnapshot(
        bundle.RoundHead(number, fixed.hash, count, head, seal is not None, published is not None),
        fixed.data,
        fixed.signature,
        seal,
        published,
        shuffles,
        decryptions,
    )


async def _numbers(
    session: AsyncSession,
    model: type[Shuffle] | type[Decryption],
    column: InstrumentedAttribute[int],
    ballot_id: str,
    number: int,
) -> tuple[int, ...]:
    """A round's shuffle indices or decryption trustees (`column` of `model`), in order."""
    rows = await session.execute(
        select(column).where(model.ballot_id == ballot_id, model.round == number).order_by(column)
    )
    return tuple(rows.scalars())


class Chunks:
    """A sink that keeps what was written until it is drained (for a streamed answer)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes, /) -> None:
        self._parts.append(data)
        self.size += len(data)

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


async def export_chunks(
    db: Database, ballot_id: str, now: datetime, base_url: str = ""
) -> AsyncIterator[bytes]:
    """The bundle as pieces of a ZIP file, for a streamed answer. Raises NotFound before
    the first piece when the ballot has no bundle yet."""
    taken = await snapshot(db, ballot_id, now, base_url)
    return _pieces(db, taken)


async def _pieces(db: Database, taken: Snapshot) -> AsyncIterator[bytes]:
    sink = Chunks()
    stream = ZipStream(sink, taken.head.exported_at)
    async for _ in _write(db, taken, stream):
        if sink.size >= LIMITS.bundle_flush_bytes:
            yield sink.drain()
    stream.close()
    yield sink.drain()


async def write_file(db: Database, taken: Snapshot, path: Path) -> None:
    """Write the bundle of a snapshot to `path` (the audit page verifies it from there)."""
    with path.open("wb") as out:
        stream = ZipStream(out, taken.head.exported_at)
        async for _ in _write(db, taken, stream):
            pass
        stream.close()


async def _write(db: Database, taken: Snapshot, out: ZipStream) -> AsyncIterator[None]:
    """Write every member in order; yields between pages so the caller can send them."""
    head = taken.head
    ballot_id = head.ballot
    out.add(bundle.AUDITORS, taken.texts[bundle.AUDITORS])
    out.add(bundle.HEAD, taken.head_bytes)
    out.add(bundle.HEAD_SIG, bundle.signature_text(taken.signature))
    out.begin(bundle.EVENTS)
    async for lines in _events(db, ballot_id, head.events_count):
        out.write(lines)
        yield
    out.end()
    out.begin(bundle.ROLL)
    async for lines in _roll(db, ballot_id):
        out.write(lines)
        yield
    out.end()
    for r in taken.rounds:
        number = r.head.round

        def name(file: str, n: int = number) -> str:
            return bundle.round_member(n, file)

        out.add(name("manifest.json"), r.manifest)
        out.add(name("manifest.sig"), bundle.signature_text(r.manifest_signature))
        out.begin(name("board.jsonl"))
        async for lines in _board(db, ballot_id, number, r.head.board_count):
            out.write(lines)
            yield
        out.end()
        if r.seal is not None:
            seal = bundle.SealFile(r.seal.count, r.seal.head, r.seal.closed_at, r.seal.signature)
            out.add(name("seal.json"), seal.to_bytes())
        for index in r.shuffles:  # one at a time: a shuffle of a large board is tens of MB
            out.add(
                bundle.shuffle_member(number, index), await _shuffle(db, ballot_id, number, index)
            )
            yield
        for trustee in r.decryptions:
            out.add(
                bundle.decryption_member(number, trustee),
                await _decryption(db, ballot_id, number, trustee),
            )
            yield
        if r.tally is not None:
            out.add(name("tally.json"), r.tally.data)
            out.add(name("tally.sig"), bundle.signature_text(r.tally.signature))
            out.begin(name("votes.jsonl"))
            async for lines in results.vote_lines(db, ballot_id, number):
                out.write(lines)
                yield
            out.end()
            out.add(name("result.txt"), taken.texts[name("result.txt")])
        yield


async def _events(db: Database, ballot_id: str, upto: int) -> AsyncIterator[bytes]:
    query = select(BallotEvent).where(BallotEvent.ballot_id == ballot_id, BallotEvent.seq <= upto)
    async for rows in paging.pages(db, query, BallotEvent.seq):
        yield b"".join(
            bundle.event_line(
                Event(row.seq, row.at, row.actor, logged_action(row.action), json.loads(row.data)),
                row.prev,
                row.hash,
            )
            for row in rows
        )


async def _roll(db: Database, ballot_id: str) -> AsyncIterator[bytes]:
    """The roll fixed at token issuance, sorted by raw public key (both databases compare
    binary columns byte by byte)."""
    query = select(RollEntry).where(RollEntry.ballot_id == ballot_id, RollEntry.initial.is_(True))
    async for rows in paging.pages(db, query, RollEntry.pk):
        yield b"".join(RollLine(row.pk, row.sig).line_bytes() for row in rows)


async def _board(db: Database, ballot_id: str, number: int, upto: int) -> AsyncIterator[bytes]:
    query = select(BoardEntry).where(
        BoardEntry.ballot_id == ballot_id, BoardEntry.round == number, BoardEntry.seq <= upto
    )
    async for rows in paging.pages(db, query, BoardEntry.seq):
        yield b"".join(bundle.board_line(_entry(row)) for row in rows)


def _entry(row: BoardEntry) -> board.Entry:
    return board.Entry(row.seq, row.received_at, row.ballot, row.tracker, row.prev, row.hash)


async def _shuffle(db: Database, ballot_id: str, number: int, index: int) -> bytes:
    async with db.read() as session:
        return await mixnet.shuffle_bytes(session, ballot_id, number, index)


async def _decryption(db: Database, ballot_id: str, number: int, trustee: int) -> bytes:
    async with db.read() as session:
        return await mixnet.decryption_bytes(session, ballot_id, number, trustee)


def _result_text(r: RoundSnapshot) -> str:
    assert r.tally is not None
    record = json.loads(r.tally.data)
    lines = explain(
        Result.from_json(record["result"]),
        manifest.Manifest.parse(r.manifest).names,
        title=f"Round {r.head.round}: the result as the tally record states it",
        notes=["This text is for people; the proof is tally.json, which inmc-vote verify checks."],
    )
    return "\n".join(lines) + "\n"
