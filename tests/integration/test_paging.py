"""db/paging.py: keyset pages give every row once, in key order, whether the
pages are short reads of their own or read in the caller's session."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from inmc_vote.db import paging
from inmc_vote.db.models import RollEntry
from inmc_vote.domain.lifecycle import Action
from tests import factories as f

# Keyset reads are storage-specific: how each database orders byte keys.
pytestmark = pytest.mark.both_databases


async def collect(source: Any, ballot_id: str, size: int) -> list[list[bytes]]:
    query = select(RollEntry).where(RollEntry.ballot_id == ballot_id)
    return [
        [row.pk for row in page] async for page in paging.pages(source, query, RollEntry.pk, size)
    ]


async def in_one_session(db: Any, ballot_id: str, size: int) -> list[list[bytes]]:
    async with db.read() as session:
        return await collect(session, ballot_id, size)


def test_pages_give_every_row_once_in_key_order(client, clock) -> None:
    made, _ = f.ready_to_freeze(client, clock, n_cities=5)
    f.act(client, clock, made.id, Action.FREEZE)
    f.issue_tokens(client, clock, made.id)
    db = f.db(client)

    by_two = f.call(client, collect, db, made.id, 2)
    assert [len(page) for page in by_two] == [2, 2, 1]
    keys = [pk for page in by_two for pk in page]
    assert keys == sorted(keys)
    assert len(set(keys)) == 5
    assert f.call(client, in_one_session, db, made.id, 2) == by_two
    assert [len(page) for page in f.call(client, collect, db, made.id, 5)] == [5]
    assert f.call(client, collect, db, "no-such-ballot", 2) == []
