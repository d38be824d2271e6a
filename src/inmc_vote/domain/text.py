"""What any text a person types may hold: the rules every text field shares.

No control character anywhere (a NUL cannot even be stored on PostgreSQL); line breaks
and tabs only where the field is several lines long. A name (a city's, a trustee's, a
ballot's title) is shown in lists, letters and spreadsheets, so it may also hold no
character that reorders or hides text: the bidirectional overrides and isolates
(U+202A-U+202E, U+2066-U+2069), the zero-width characters and marks (U+200B-U+200F) and
the byte order mark (U+FEFF), which can make «Lyon» read as another city's name.
"""

from __future__ import annotations

import unicodedata

from inmc_vote.domain.errors import Invalid

# Characters that reorder or hide text: refused in names.
HIDDEN = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + [chr(c) for c in range(0x200B, 0x2010)]
    + ["\ufeff"]
)
_LINE_BREAKS = frozenset("\t\n\r")


def text_problem(label: str, value: str, *, name: bool = False, lines: bool = False) -> str | None:
    """Why `value` cannot be the field `label` (such as "the city's name"), or None.

    `name`: also refuse the characters that reorder or hide text. `lines`: the field
    may hold line breaks and tabs (a description, a summary)."""
    allowed = _LINE_BREAKS if lines else frozenset()
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in allowed:
            return f"{label} contains a control character (U+{ord(ch):04X})"
        if name and ch in HIDDEN:
            return (
                f"{label} contains an invisible character that reorders or hides text "
                f"(U+{ord(ch):04X}); type the name again without it"
            )
    return None


def check_text(label: str, value: str, *, name: bool = False, lines: bool = False) -> None:
    """Invalid (422) when `text_problem` finds something, with the reason as its message."""
    problem = text_problem(label, value, name=name, lines=lines)
    if problem:
        raise Invalid(problem[0].upper() + problem[1:] + ".")
