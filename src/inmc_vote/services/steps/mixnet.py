"""Where a round's mix stands, read inside the caller's transaction: its input (the sealed
board's ciphertexts), its shuffles and decryptions, and the trustees the manifest names.

The mixing and decrypting actions, the tally and the mix's queries all read it here, so
that they agree on what "the last output" and "who may act next" are
(docs/protocol.md, "Mixing" to "Lot seed", domain/protocol/mixing.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import (
    Ballot,
    BoardEntry,
    Ceremony,
    Decryption,
    Manifest,
    Seal,
    Shuffle,
    Tally,
    Trustee,
)
from inmc_vote.domain.codes import CeremonyState
from inmc_vote.domain.errors import Conflict, Forbidden, NotFound
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol import invitations, mixing, shuffle
from inmc_vote.domain.protocol.ceremony import ElectionKey as Trustees
from inmc_vote.domain.protocol.manifest import Manifest as StatedManifest
from inmc_vote.domain.protocol.shuffle import Ciphertext
from inmc_vote.services.steps import event_log
from inmc_vote.services.steps.schedule import catch_up


@dataclass(frozen=True)
class RoundMix:
    """A round's mix as stored: the sealed board's ciphertexts are its input."""

    ballot_id: str
    round: int
    state: str  # the ballot's lifecycle state
    current: bool  # the ballot's current round
    manifest_hash: bytes
    manifest: StatedManifest
    seal: Seal | None
    input_count: int
    input_hash: bytes
    shuffles: tuple[Shuffle, ...]  # by index
    decryptions: tuple[Decryption, ...]  # by trustee
    tallied: bool

    @property
    def election_key(self) -> bytes:
        return self.manifest.keys.election

    @property
    def trustees(self) -> Trustees:
        return self.manifest.trustees

    @property
    def threshold(self) -> int:
        return self.manifest.trustees.threshold

    @property
    def last_output_hash(self) -> bytes:
        """What the next shuffle takes and what the trustees decrypt."""
        return self.shuffles[-1].output_hash if self.shuffles else self.input_hash

    @property
    def empty(self) -> bool:
        """Nothing to mix or decrypt: the tally needs no trustee."""
        return self.input_count == 0

    @property
    def open_for_mixing(self) -> bool:
        """Sealed, not tallied, the ballot's current round, and closed."""
        return (
            self.seal is not None
            and not self.tallied
            and self.current
            and self.state == State.CLOSED.value
        )

    def who(self, index: int) -> str:
        """How a refusal names trustee `index`: "trustee 2 (Name)"."""
        return f"trustee {index} ({self.name(index)})"

    def name(self, index: int) -> str:
        try:
            return self.trustees.member(index).name
        except KeyError:
            return f"trustee {index}"

    def may_shuffle(self, *, any_state: bool = False) -> list[int]:
        """The trustees who may send a shuffle now (`any_state`: were the round open)."""
        if not (any_state or self.open_for_mixing) or self.empty or self.decryptions:
            return []
        done = {s.trustee for s in self.shuffles}
        return [m.index for m in self.trustees.members if m.index not in done]

    def may_decrypt(self, *, any_state: bool = False) -> list[int]:
        """The trustees who may send a decryption now (once t shuffles are in)."""
        if (
            not (any_state or self.open_for_mixing)
            or self.empty
            or len(self.shuffles) < self.threshold
        ):
            return []
        done = {d.trustee for d in self.decryptions}
        return [m.index for m in self.trustees.members if m.index not in done]

    def ready(self) -> bool:
        """Enough shuffles and decryptions for the tally."""
        return self.empty or (
            len(self.shuffles) >= self.threshold and len(self.decryptions) >= self.threshold
        )

    def missing(self) -> str | None:
        """Why the tally cannot run yet, naming who could still act; None when it can."""
        if self.ready():
            return None
        t = self.threshold
        if len(self.shuffles) < t:
            lacking, what = t - len(self.shuffles), "shuffle"
            who = self.may_shuffle(any_state=True)
        else:
            lacking, what = t - len(self.decryptions), "decryption"
            who = self.may_decrypt(any_state=True)
        names = ", ".join(self.name(i) for i in who)
        trustees = "trustee" if lacking == 1 else "trustees"
        return f"Waiting for a {what} from {lacking} more {trustees}: any of {names}."


async def locked_mix(
    session: AsyncSession, ballot_id: str, now: datetime, at_rest_key: bytes
) -> RoundMix:
    """The current round's mix again, under the ballot's lock and with its schedule caught
    up: a trustee's message is checked outside the transaction (its proofs take long),
    then checked again against this before it is stored."""
    ballot = await event_log.lock_ballot(session, ballot_id)
    await catch_up(session, ballot, now, at_rest_key)
    return await round_mix(session, ballot_id)


async def round_mix(session: AsyncSession, ballot_id: str, number: int | None = None) -> RoundMix:
    """The mix of round `number` (the ballot's current round when None)."""
    ballot = await session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound("There is no ballot «{ballot_id}».", ballot_id=ballot_id)
    number = ballot.round if number is None else number
    fixed = await session.get(Manifest, (ballot_id, number))
    if fixed is None:
        raise NotFound("This ballot has no round {number} yet.", number=number)
    stated = StatedManifest.parse(fixed.data)
    seal = await session.get(Seal, (ballot_id, number))
    cts = await input_ciphertexts(session, ballot_id, number) if seal is not None else []
    shuffles = (
        await session.execute(
            select(Shuffle)
            .where(Shuffle.ballot_id == ballot_id, Shuffle.round == number)
            .order_by(Shuffle.index)
        )
    ).scalars()
    decryptions = (
        await session.execute(
            select(Decryption)
            .where(Decryption.ballot_id == ballot_id, Decryption.round == number)
            .order_by(Decryption.trustee)
        )
    ).scalars()
    tallied = await session.get(Tally, (ballot_id, number)) is not None
    return RoundMix(
        ballot_id=ballot_id,
        round=number,
        state=ballot.state,
        current=number == ballot.round,
        manifest_hash=fixed.hash,
        manifest=stated,
        seal=seal,
        input_count=len(cts),
        input_hash=shuffle.list_hash(cts),
        shuffles=tuple(shuffles),
        decryptions=tuple(decryptions),
        tallied=tallied,
    )


async def input_ciphertexts(session: AsyncSession, ballot_id: str, number: int) -> list[Ciphertext]:
    """The mix's input: every entry of the round's board, in seq order (each counts: one
    per credential, and a revoked credential has none in the round; see domain/protocol/
    mixing.py)."""
    rows = await session.execute(
        select(BoardEntry.alpha, BoardEntry.beta)
        .where(BoardEntry.ballot_id == ballot_id, BoardEntry.round == number)
        .order_by(BoardEntry.seq)
    )
    return [(row.alpha, row.beta) for row in rows]


async def last_output(session: AsyncSession, mix: RoundMix) -> list[Ciphertext]:
    """The list the next shuffle takes and the trustees decrypt."""
    if not mix.shuffles:
        return await input_ciphertexts(session, mix.ballot_id, mix.round)
    return await shuffle_output(session, mix.ballot_id, mix.round, mix.shuffles[-1].index)


async def shuffle_output(
    session: AsyncSession, ballot_id: str, number: int, index: int
) -> list[Ciphertext]:
    data = await shuffle_bytes(session, ballot_id, number, index)
    return [mixing.read_ciphertext(ct) for ct in json.loads(data)["output"]]


async def shuffle_bytes(session: AsyncSession, ballot_id: str, number: int, index: int) -> bytes:
    # a column read, not the row: the session may hold the row already, without its data
    data = (
        await session.execute(
            select(Shuffle.data).where(
                Shuffle.ballot_id == ballot_id, Shuffle.round == number, Shuffle.index == index
            )
        )
    ).scalar_one_or_none()
    if data is None:
        raise NotFound("Round {number} has no shuffle {index}.", number=number, index=index)
    return bytes(data)


async def decryption_bytes(
    session: AsyncSession, ballot_id: str, number: int, trustee: int
) -> bytes:
    data = (
        await session.execute(
            select(Decryption.data).where(
                Decryption.ballot_id == ballot_id,
                Decryption.round == number,
                Decryption.trustee == trustee,
            )
        )
    ).scalar_one_or_none()
    if data is None:
        raise NotFound(
            "Trustee {trustee} has sent no decryption for round {number}.",
            trustee=trustee,
            number=number,
        )
    return bytes(data)


async def trustee_by_invitation(session: AsyncSession, ballot_id: str, invitation: str) -> int:
    """The index of the trustee whose invitation this is, in the ballot's completed key
    ceremony (the one whose election key the manifest names); 403 otherwise."""
    row = (
        await session.execute(
            select(Trustee.index)
            .join(
                Ceremony,
                (Ceremony.ballot_id == Trustee.ballot_id) & (Ceremony.ceremony == Trustee.ceremony),
            )
            .where(
                Trustee.ballot_id == ballot_id,
                Trustee.invitation_hash == invitations.invitation_hash(invitation),
                Ceremony.state == CeremonyState.COMPLETE.value,
            )
        )
    ).first()
    if row is None:
        raise Forbidden(
            "This is not the invitation of a trustee of this ballot's completed key "
            "ceremony: send `Authorization: Bearer <invitation>` as your invitation gave it."
        )
    return int(row[0])


def require_open(mix: RoundMix, what: str) -> None:
    """409 unless the round is closed, sealed and not tallied."""
    if mix.tallied:
        raise Conflict(
            "Round {round} is already tallied: no {what} is taken.", round=mix.round, what=what
        )
    if not mix.current or mix.seal is None or mix.state != State.CLOSED.value:
        raise Conflict(
            "Round {round} is not closed (the ballot is {state}): the mix starts "
            "once voting closes and the board is sealed, so no {what} is taken now.",
            round=mix.round,
            state=mix.state,
            what=what,
        )
