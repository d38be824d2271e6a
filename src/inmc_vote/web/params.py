"""What addresses carry, checked once for every route (API and pages).

An id, a round, an index or a board position fits the databases' INTEGER columns (32
bits on PostgreSQL): a larger number is refused with a 400 before any query is made,
instead of overflowing the database driver (a 500). No path or query value may hold a
control character.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.exceptions import ClientException
from litestar.params import PathParameter, QueryParameter

from inmc_vote.web.i18n import _

MAX_INT = 2**31 - 1  # PostgreSQL's INTEGER; SQLite's is wider

PathId = Annotated[int, PathParameter(ge=0, le=MAX_INT)]
"""An integer in the path: a city, a candidacy, a trustee's or a shuffle's index."""
Round = Annotated[int | None, QueryParameter(ge=1, le=MAX_INT)]
"""`?round=n`: a ballot's round (its current one when absent)."""
After = Annotated[int, QueryParameter(ge=0, le=MAX_INT)]
"""`?after=seq`: a board position."""
Count = Annotated[int | None, QueryParameter(ge=0, le=MAX_INT)]
"""A count echoed back in a page's address (what an import added, for example)."""


def refuse_control_characters(request: Request[Any, Any, Any]) -> None:
    """No id or tracker holds a control character, and no query value one besides line
    breaks and tabs (a receipt pasted into the board's check is several lines): ids are
    letters, digits and a few marks, and a NUL cannot even reach PostgreSQL. Refused (400)
    for every route, before any handler or query runs."""
    paths = [v for v in request.path_params.values() if isinstance(v, str)]
    queries = [v for v in request.query_params.values() if isinstance(v, str)]
    if any(_is_control(ch) for v in paths for ch in v) or any(
        _is_control(ch) and ch not in _TEXT_SPACING for v in queries for ch in v
    ):
        raise ClientException(_("The address holds a control character: check the link."))


_TEXT_SPACING = frozenset("\n\r\t")


def _is_control(ch: str) -> bool:
    return ch < " " or "\x7f" <= ch < "\xa0"
