"""The rules for naming a ballot's trustees: how many, how many are needed, their names.

A ballot's votes are encrypted to a key that `threshold` of its `n` trustees hold
together (docs/protocol.md, "Trustees"): fewer than `threshold` can read nothing, and
if fewer than `threshold` keep their key files the votes can never be counted.
"""

from __future__ import annotations

from collections.abc import Sequence

from inmc_vote.domain.errors import Invalid
from inmc_vote.domain.text import check_text

MIN_TRUSTEES = 1
MAX_TRUSTEES = 20
DEFAULT_TRUSTEES = 3
DEFAULT_THRESHOLD = 2
NAME_CHARS = 120  # the width of `trustees.name`

WARNING = (
    "Decryption needs {t} of these {n} trustees; if fewer than {t} keep their files, "
    "the votes can never be counted."
)


def warning(threshold: int, size: int) -> str:
    """What the organiser reads before naming the trustees and before freezing."""
    return WARNING.format(t=threshold, n=size)


def check_trustees(names: Sequence[str], threshold: int) -> list[str]:
    """The names, stripped, if they and the threshold can make a ceremony; Invalid
    saying what is wrong otherwise."""
    cleaned = [" ".join(name.split()) for name in names]
    if not MIN_TRUSTEES <= len(cleaned) <= MAX_TRUSTEES:
        raise Invalid(
            "Name between {minimum} and {maximum} trustees; {count} were given.",
            minimum=MIN_TRUSTEES,
            maximum=MAX_TRUSTEES,
            count=len(cleaned),
        )
    if any(not name for name in cleaned):
        raise Invalid("Every trustee needs a name (a person or an office people recognise).")
    for name in cleaned:
        check_text("a trustee's name", name, name=True)
    long = [name for name in cleaned if len(name) > NAME_CHARS]
    if long:
        raise Invalid(
            "A trustee's name is at most {name_chars} characters: «{long}…».",
            name_chars=NAME_CHARS,
            long=long[0][:40],
        )
    folded = [name.casefold() for name in cleaned]
    twice = sorted(
        {name for name, key in zip(cleaned, folded, strict=True) if folded.count(key) > 1}
    )
    if twice:
        raise Invalid("Each trustee is named once: «{twice}» is named twice.", twice=twice[0])
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise Invalid("The threshold is a whole number.")
    if not 1 <= threshold <= len(cleaned):
        raise Invalid(
            "The threshold (how many trustees are needed to decrypt) is between 1 and the "
            "number of trustees ({count}); {threshold} was given.",
            count=len(cleaned),
            threshold=threshold,
        )
    return cleaned
