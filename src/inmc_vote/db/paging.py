"""Keyset paging, the one way a large read goes a page at a time: each page is the rows
whose key comes after the last one seen, so no page costs more than the one before it
(unlike OFFSET), and nothing holds more than a page in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database

T = TypeVar("T")


def page_after(
    query: Select[T], key: InstrumentedAttribute[Any], after: Any, size: int
) -> Select[T]:
    """One page of `query`: at most `size` rows whose `key` is after `after` (None: from
    the first), in key order."""
    if after is not None:
        query = query.where(key > after)
    return query.order_by(key).limit(size)


async def pages(
    source: Database | AsyncSession,
    query: Select[T],
    key: InstrumentedAttribute[Any],
    size: int = LIMITS.read_page_rows,
) -> AsyncIterator[list[T]]:
    """Every row of `query` (which selects one entity), a page at a time in `key` order.
    Given the Database, each page is its own short read, so that a slow consumer (a
    download) holds no transaction open; given a session, the pages are read in it."""
    after: Any = None
    while True:
        async with _reading(source) as session:
            rows = list((await session.execute(page_after(query, key, after, size))).scalars())
        if rows:
            yield rows
        if len(rows) < size:
            return
        after = getattr(rows[-1], key.key)


def _reading(source: Database | AsyncSession) -> AbstractAsyncContextManager[AsyncSession]:
    return source.read() if isinstance(source, Database) else nullcontext(source)
