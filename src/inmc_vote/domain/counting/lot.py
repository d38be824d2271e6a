"""The lot that settles a tie the rules leave open: tied candidates ordered by
SHA256(seed ‖ candidate id), with the seed committed in the manifest and revealed at the
tally, so anyone can redo the draw by hand."""

from __future__ import annotations

from collections.abc import Iterable

from inmc_vote.domain.codes import LotPurpose
from inmc_vote.domain.counting.result import Lot
from inmc_vote.domain.protocol.encoding import sha256


class LotNeeded(Exception):
    """A tie needs the lot and no seed was given (a dry run without the ballot's seed)."""

    def __init__(self, round_number: int, purpose: LotPurpose, tied: tuple[str, ...]) -> None:
        what = "first place" if purpose == LotPurpose.WINNER else "last place"
        super().__init__(
            f"round {round_number}: a tie for {what} between {', '.join(tied)} "
            "is settled by lot, and the lot needs the ballot's tie-break seed"
        )
        self.round = round_number
        self.purpose = purpose
        self.tied = tied


def lot_key(seed: bytes, candidate_id: str) -> bytes:
    """SHA256(seed ‖ candidate id in UTF-8)."""
    return sha256(seed, candidate_id.encode())


def draw(seed: bytes, tied: Iterable[str]) -> list[str]:
    """The tied candidates in ascending order of their lot keys: the first is favoured.

    A tie for first place goes to the first; a tie for last place eliminates the last.
    Equal keys would need equal ids (SHA-256 collisions aside), so the id breaks them.
    """
    return sorted(set(tied), key=lambda c: (lot_key(seed, c), c))


def settle(
    seed: bytes | None, round_number: int, purpose: LotPurpose, tied: tuple[str, ...]
) -> Lot:
    """Draw a lot among `tied` (given in candidate order): the first in the lot order wins a
    tie for first place (`LotPurpose.WINNER`), the last loses a tie for last (`ELIMINATE`)."""
    if seed is None:
        raise LotNeeded(round_number, purpose, tied)
    order = tuple(draw(seed, tied))
    return Lot(
        round=round_number,
        purpose=purpose,
        tied=tied,
        keys={c: lot_key(seed, c).hex() for c in tied},
        order=order,
        chosen=order[0] if purpose == LotPurpose.WINNER else order[-1],
    )
