"""The order in which pages list cities: by name, as a reader looks a city up.

Stored lists come sorted by country code, which no reader expects ("AT Graz" before
"BE Brugge" before "AT Linz" would be worse still). Names are compared without their
accents and case, so that "Évora" sits with the E's and "Łódź" with the L's, whatever
the language of the page (a locale-aware order without a system locale)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# Letters that decomposition does not take apart into a base letter and an accent.
_BASE = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"})


def name_key(name: str) -> tuple[str, str]:
    """The sort key of a name: its letters without accents, case-folded; then the name
    itself, so that "Lodz" and "Łódź" keep a fixed order."""
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_BASE))
    return "".join(c for c in folded if not unicodedata.combining(c)), name


def by_name(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """The items sorted by the name `name` gives each."""
    return sorted(items, key=lambda item: name_key(name(item)))
