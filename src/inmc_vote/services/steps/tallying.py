"""The tally of a closed round, its publication, and an exhaustive ballot's next round.

Protocol v2 (docs/protocol.md, "Mixing" to "Lot seed"): the server holds no key that reads a
vote. Once at least t trustees have shuffled the round's ciphertexts and at least t have
sent their decryption factors of the last shuffle's output, the tally combines the
factors of the t lowest indices, reads each plaintext point's payload, judges and counts
the votes with the shared counting code, draws any lot from the seed the seal's head and
the trustees' reveals give, and stores the votes in the mixed order (attached to no
ballot) with the record the authority signs. A round whose board is empty needs no
trustee: no shuffle, no decryption, and no lot (its seed is null)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from inmc_vote.db.models import Ballot, Manifest, RollEntry, Tally, TallyVote
from inmc_vote.domain.codes import RoundKind
from inmc_vote.domain.counting import count
from inmc_vote.domain.counting.result import Result
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.protocol import credentials, decryption, keys, lot, manifest, tally
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url, rfc3339_ms
from inmc_vote.domain.protocol.shuffle import Ciphertext
from inmc_vote.domain.timefmt import Zoned
from inmc_vote.services.steps import keyring, mixnet
from inmc_vote.services.steps.manifests import NextRoundPlan, fix_manifest

_ROWS_PER_INSERT = 2_000


async def tally_round(
    session: AsyncSession, ballot: Ballot, now: datetime, at_rest_key: bytes
) -> dict[str, Any]:
    """Tally the ballot's current round (the caller holds the lock); returns what the
    event log records. Sets whether the result calls for another round."""
    number = ballot.round
    mix = await mixnet.round_mix(session, ballot.id, number)
    if mix.seal is None:
        raise Conflict("Round {number} is not sealed yet.", number=number)
    waiting = mix.missing()
    if waiting is not None:
        raise Conflict(
            "Round {number} cannot be tallied yet. {waiting}", number=number, waiting=waiting
        )
    stated = mix.manifest
    seal = mix.seal
    cts = await mixnet.last_output(session, mix)
    factors: dict[int, tuple[bytes, ...]] = {}
    reveals: dict[int, bytes] = {}
    for row in mix.decryptions:
        message = json.loads(await mixnet.decryption_bytes(session, ballot.id, number, row.trustee))
        # checked when it was received (actions/decrypting.py); read again, not re-proved
        factors[row.trustee] = tuple(from_b64url(f["factor"]) for f in message["factors"])
        reveals[row.trustee] = from_b64url(message["lot_reveal"])
    opened = await asyncio.to_thread(_open_all, cts, factors, mix.threshold, stated)
    lines = hashlib.sha256()
    rows = []
    for position, one in enumerate(opened, start=1):
        lines.update(tally.vote_line(position, one))
        rows.append(
            {
                "ballot_id": ballot.id,
                "round": number,
                "position": position,
                "outcome": one.verdict.kind,
                "reason": one.verdict.reason,
                "vote": None if one.vote is None else canonical_json(one.vote).decode(),
            }
        )
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        await session.execute(insert(TallyVote), rows[start : start + _ROWS_PER_INSERT])
    seed = lot.seed(seal.head, reveals) if reveals else None
    result = count(
        stated.method,
        stated.candidate_ids,
        stated.rules,
        [one.verdict for one in opened],
        eligible=stated.eligible,
        seed=seed,
    )
    record = canonical_json(
        tally.build_record(
            ballot_id=ballot.id,
            round_number=number,
            manifest_hash=mix.manifest_hash,
            board_count=seal.count,
            board_head=seal.head,
            input_count=mix.input_count,
            input_hash=mix.input_hash,
            shuffles=[tally.ShuffleRef(s.index, s.trustee, s.hash) for s in mix.shuffles],
            output_hash=mix.last_output_hash,
            decryptions=[tally.DecryptionRef(d.trustee, d.hash) for d in mix.decryptions],
            seed=seed,
            votes_count=len(opened),
            votes_hash=lines.digest(),
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


def _open_all(
    cts: Sequence[Ciphertext],
    factors: dict[int, tuple[bytes, ...]],
    threshold: int,
    stated: manifest.Manifest,
) -> list[tally.Opened]:
    """Combine the factors (t lowest indices), read and judge every plaintext, in order."""
    if not cts:
        return []
    points = decryption.combine(cts, factors, threshold)
    return [
        tally.judge(
            point, method=stated.method, candidates=stated.candidate_ids, rules=stated.rules
        )
        for point in points
    ]


async def round_tally(session: AsyncSession, ballot_id: str, number: int) -> Tally:
    found = await session.get(Tally, (ballot_id, number), options=[undefer(Tally.data)])
    if found is None:
        raise Conflict("Round {number} has not been tallied.", number=number)
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
    at_rest_key: bytes,
) -> dict[str, Any]:
    """Fix round n+1 (the caller has already moved the ballot to it): the candidates the
    last result names, the same roll, the same election key and trustees (one key serves
    every round; each round's lot reveal is a fresh link of each trustee's chain), a
    manifest naming the previous round's manifest and result. The same tokens vote again."""
    number = ballot.round
    previous = await round_tally(session, ballot.id, number - 1)
    if previous.published_at is None:
        raise Conflict(
            "Publish round {number}'s results first: the cities vote again knowing them.",
            number=number - 1,
        )
    plan = Result.from_json(json.loads(previous.data)["result"]).next_round
    assert plan is not None  # the lifecycle allows next-round only when the result asks
    _check_times(ballot, now, opens_at, closes_at)
    ballot.opens_at, ballot.closes_at = opens_at, closes_at
    ring = await keyring.load(session, at_rest_key, ballot.id)
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
    }


def _check_times(
    ballot: Ballot, now: datetime, opens_at: datetime | None, closes_at: datetime | None
) -> None:
    if closes_at is None:
        raise Invalid("The next round needs a closing time.")
    if closes_at <= now:
        raise Invalid(
            "The next round's closing time ({time}) has already passed.",
            time=Zoned(closes_at, ballot.timezone),
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
