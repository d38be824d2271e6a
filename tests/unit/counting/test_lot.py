"""domain/counting/lot.py: the draw anyone can redo with hashlib."""

from __future__ import annotations

import hashlib

import pytest

from inmc_vote.domain.counting import LotNeeded, draw, lot_key
from inmc_vote.domain.counting.lot import settle

from .helpers import SEED


def test_a_lot_key_is_sha256_of_the_seed_then_the_id_in_utf8() -> None:
    assert lot_key(SEED, "gdańsk") == hashlib.sha256(SEED + "gdańsk".encode()).digest()
    # the same line the docs give for redoing a lot by hand
    assert lot_key(bytes.fromhex("00ff"), "lyon").hex() == (
        hashlib.sha256(bytes.fromhex("00ff") + b"lyon").hexdigest()
    )


def test_the_draw_ascends_by_key_and_ignores_the_order_given() -> None:
    tied = ["lyon", "porto", "gdansk", "turku"]
    order = draw(SEED, tied)
    assert order == sorted(tied, key=lambda c: lot_key(SEED, c))
    assert draw(SEED, reversed(tied)) == order
    assert draw(SEED, set(tied)) == order


def test_a_tie_for_first_goes_to_the_first_a_tie_for_last_eliminates_the_last() -> None:
    tied = ("lyon", "porto", "gdansk")
    order = tuple(draw(SEED, tied))
    winner = settle(SEED, 2, "winner", tied)
    assert (winner.round, winner.purpose, winner.order, winner.chosen) == (
        2,
        "winner",
        order,
        order[0],
    )
    loser = settle(SEED, 3, "eliminate", tied)
    assert loser.chosen == order[-1]
    assert loser.tied == tied
    assert loser.keys == {c: lot_key(SEED, c).hex() for c in tied}


def test_without_a_seed_the_lot_says_who_is_tied() -> None:
    with pytest.raises(LotNeeded, match=r"round 4: a tie for last place between lyon, porto") as e:
        settle(None, 4, "eliminate", ("lyon", "porto"))
    assert (e.value.round, e.value.purpose, e.value.tied) == (4, "eliminate", ("lyon", "porto"))
    with pytest.raises(LotNeeded, match="first place"):
        settle(None, 1, "winner", ("lyon", "porto"))
