"""The tally of a closed round, its publication, and an exhaustive ballot's next round.

The tally decrypts every entry on the round's sealed board with the round's tally key
(the server's, or the trustee's brought as a key file), judges each one, counts with
the shared counting code, and stores the record signed by the authority. The record
reveals the key and the tie-break seed, so that anyone can redo all of it."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from inmc_vote.db import paging
from inmc_vote.db.models import (
    Ballot,
    BoardEntry,
    Manifest,
    RollEntry,
    RoundKeys,
    Seal,
    Tally,
    TallyOutcome,
)
from inmc_vote.domain.codes import Custody, RoundKind
from inmc_vote.domain.counting import count
from inmc_vote.domain.counting.result import Result
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.protocol import credentials, keys, manifest, tally
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, rfc3339_ms
from inmc_vote.domain.timefmt import show_time
from inmc_vote.services.steps import keyring
from inmc_vote.services.steps.manifests import NextRoundPlan, fix_manifest


async def tally_round(
    session: AsyncSession,
    ballot: Ballot,
    now: datetime,
    trustee_key: bytes | None,
    at_rest_key: bytes,
) -> dict[str, Any]:
    """Tally the ballot's current round (the caller holds the lock); returns what the
    event log records. Sets whether the result calls for another round."""
    number = ballot.round
    current = await session.get(Manifest, (ballot.id, number))
    seal = await session.get(Seal, (ballot.id, number))
    round_keys = await session.get(RoundKeys, (ballot.id, number))
    assert current is not None
    assert seal is not None
    assert round_keys is not None
    secrets = await keyring.round_secrets(session, at_rest_key, ballot.id, number)
    tally_private = _tally_key(round_keys, secrets.tally_private, trustee_key, number)
    stated = manifest.Manifest.parse(current.data)
    candidates = stated.candidate_ids
    rules = stated.rules

    verdicts = []
    outcomes = hashlib.sha256()
    board = select(BoardEntry).where(BoardEntry.ballot_id == ballot.id, BoardEntry.round == number)
    async for page in paging.pages(session, board, BoardEntry.seq):
        rows = []
        for entry in page:
            opened = tally.open_entry(
                entry.ciphertext,
                entry.credential,
                tally_private=tally_private,
                manifest_hash=current.hash,
                method=stated.method,
                candidates=candidates,
                rules=rules,
            )
            verdicts.append(opened.verdict)
            outcomes.update(tally.outcome_line(entry.seq, opened))
            rows.append(
                {
                    "ballot_id": ballot.id,
                    "round": number,
                    "seq": entry.seq,
                    "outcome": opened.verdict.kind,
                    "reason": opened.verdict.reason,
                    "vote": None if opened.vote is None else canonical_json(opened.vote).decode(),
                }
            )
        await session.execute(insert(TallyOutcome), rows)

    result = count(
        stated.method,
        candidates,
        rules,
        verdicts,
        eligible=stated.eligible,
        seed=secrets.seed,
    )
    record = canonical_json(
        tally.build_record(
            ballot_id=ballot.id,
            round_number=number,
            manifest_hash=current.hash,
            board_count=seal.count,
            board_head=seal.head,
            tally_private=tally_private,
            seed=secrets.seed,
            outcomes_count=len(verdicts),
            outcomes_hash=outcomes.digest(),
            result=result.to_json(),
            tallied_at=rfc3339_ms(now),
        )
    )
    digest = tally.record_hash(record)
    authority = await keyring.authority_seed(session, at_rest_key, ballot.id)
    session.add(
        Tally(
            ballot_id=ballot.id,
            round=number,
            data=record,
            hash=digest,
            signature=keys.sign(authority, tally.signed_message(digest)),
            outcome=result.outcome,
            winner=result.winner,
            created_at=now,
        )
    )
    ballot.needs_another_round = result.next_round is not None
    # Only the record's hash: the event log is public, the result is not until published.
    return {"tally": b64url(digest)}


def _tally_key(
    round_keys: RoundKeys, held: bytes | None, brought: bytes | None, number: int
) -> bytes:
    """The round's tally private key: the server's, or the one the trustee brings."""
    key = held if held is not None else brought
    if key is None:
        raise Invalid(
            f"Round {number}'s tally key is in a trustee's custody: upload the key file "
            "that `inmc-vote trustee keygen` wrote."
        )
    if keys.x25519_public(key) != round_keys.tally_pk:
        raise Invalid(
            f"This key file is not round {number}'s tally key: its public key is "
            f"{b64url(keys.x25519_public(key))}, the manifest's is {b64url(round_keys.tally_pk)}."
        )
    return key


async def round_tally(session: AsyncSession, ballot_id: str, number: int) -> Tally:
    found = await session.get(Tally, (ballot_id, number), options=[undefer(Tally.data)])
    if found is None:
        raise Conflict(f"Round {number} has not been tallied.")
    return found


async def publish_round(session: AsyncSession, ballot: Ballot, now: datetime) -> dict[str, Any]:
    row = await round_tally(session, ballot.id, ballot.round)
    row.published_at = now
    return {"tally": b64url(row.hash), "outcome": row.outcome, "winner": row.winner}


async def open_next_round(
    session: AsyncSession,
    ballot: Ballot,
    now: datetime,
    opens_at: datetime | None,
    closes_at: datetime | None,
    trustee_tally_pk: bytes | None,
    at_rest_key: bytes,
) -> dict[str, Any]:
    """Fix round n+1 (the caller has already moved the ballot to it): the candidates the
    last result names, fresh tally key and seed, the same roll, a manifest naming the
    previous round's manifest and result. The same tokens vote again."""
    number = ballot.round
    previous = await round_tally(session, ballot.id, number - 1)
    if previous.published_at is None:
        raise Conflict(
            f"Publish round {number - 1}'s results first: the cities vote again knowing them."
        )
    plan = Result.from_json(json.loads(previous.data)["result"]).next_round
    assert plan is not None  # the lifecycle allows next-round only when the result asks
    _check_times(ballot, now, opens_at, closes_at)
    ballot.opens_at, ballot.closes_at = opens_at, closes_at
    earlier = await session.get(RoundKeys, (ballot.id, number - 1))
    assert earlier is not None
    if trustee_tally_pk is None and earlier.tally_custody == Custody.TRUSTEE:
        raise Invalid(
            "This ballot's tally key is in a trustee's custody: give the new round's tally "
            "public key, made with `inmc-vote trustee keygen` (a new one for each round)."
        )
    made = await keyring.make_round_keys(
        session, at_rest_key, ballot.id, number, trustee_tally_pk, now
    )
    await session.flush()
    ring = await keyring.load(session, at_rest_key, ballot.id, number)
    previous_manifest = await session.get(Manifest, (ballot.id, number - 1))
    assert previous_manifest is not None
    rules: dict[str, Any] = {}
    if plan.kind != RoundKind.REGULAR:
        rules = {"round_kind": plan.kind, "continuing": list(plan.continuing)}
    fixed = await fix_manifest(
        session,
        ballot,
        ring,
        await _initial_roll(session, ballot.id),
        now,
        NextRoundPlan(plan.candidates, rules, previous_manifest.hash, previous.hash),
    )
    return {
        "kind": plan.kind,
        "candidates": list(plan.candidates),
        "manifest_hash": b64url(fixed.hash),
        "opens_at": rfc3339_ms(opens_at) if opens_at else None,
        "closes_at": rfc3339_ms(closes_at) if closes_at else None,
        "tally_custody": made.tally_custody,
        "tally_key": b64url(made.tally_pk),
        "tiebreak_commitment": b64url(made.seed_commitment),
    }


def _check_times(
    ballot: Ballot, now: datetime, opens_at: datetime | None, closes_at: datetime | None
) -> None:
    if closes_at is None:
        raise Invalid("The next round needs a closing time.")
    if closes_at <= now:
        raise Invalid(
            f"The next round's closing time ({show_time(closes_at, ballot.timezone)}) "
            "has already passed."
        )
    if opens_at is not None and not now < opens_at < closes_at:
        raise Invalid(
            "The next round's opening time must be in the future and before its closing time."
        )


async def _initial_roll(session: AsyncSession, ballot_id: str) -> list[credentials.RollLine]:
    """Every round's manifest names the roll fixed when the tokens were issued; lost tokens
    replaced since are in the event log, which the verifier replays."""
    result = await session.execute(
        select(RollEntry)
        .where(RollEntry.ballot_id == ballot_id, RollEntry.initial.is_(True))
        .order_by(RollEntry.pk)
    )
    return [credentials.RollLine(e.pk, e.sig) for e in result.scalars()]
