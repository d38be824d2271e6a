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

from inmc_vote.domain.errors import N_, Invalid

# Characters that reorder or hide text: refused in names.
HIDDEN = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + [chr(c) for c in range(0x200B, 0x2010)]
    + ["\ufeff"]
)
_LINE_BREAKS = frozenset("\t\n\r")


# The fields `check_text` names, as a sentence starts: marked so that a refusal's `label`
# is translated with its sentence.
LABELS = {
    "the title": N_("The title"),
    "the question": N_("The question"),
    "the description": N_("The description"),
    "the summary": N_("The summary"),
    "the proposed dates": N_("The proposed dates"),
    "the venue": N_("The venue"),
    "a trustee's name": N_("A trustee's name"),
    "the title in French": N_("The title in French"),
    "the title in English": N_("The title in English"),
    "the question in French": N_("The question in French"),
    "the question in English": N_("The question in English"),
    "the summary in French": N_("The summary in French"),
    "the summary in English": N_("The summary in English"),
}


def _bad_character(value: str, *, name: bool, lines: bool) -> tuple[bool, str] | None:
    """The first character `value` may not hold: (whether it hides text, its code)."""
    allowed = _LINE_BREAKS if lines else frozenset()
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in allowed:
            return False, f"{ord(ch):04X}"
        if name and ch in HIDDEN:
            return True, f"{ord(ch):04X}"
    return None


def text_problem(label: str, value: str, *, name: bool = False, lines: bool = False) -> str | None:
    """Why `value` cannot be the field `label` (such as "the city's name"), or None.

    `name`: also refuse the characters that reorder or hide text. `lines`: the field
    may hold line breaks and tabs (a description, a summary)."""
    found = _bad_character(value, name=name, lines=lines)
    if found is None:
        return None
    hidden, code = found
    if hidden:
        return (
            f"{label} contains an invisible character that reorders or hides text "
            f"(U+{code}); type the name again without it"
        )
    return f"{label} contains a control character (U+{code})"


def check_text(label: str, value: str, *, name: bool = False, lines: bool = False) -> None:
    """Invalid (422) when `value` holds a character the field `label` may not hold."""
    found = _bad_character(value, name=name, lines=lines)
    if found is None:
        return
    hidden, code = found
    subject = LABELS.get(label) or label[:1].upper() + label[1:]
    if hidden:
        raise Invalid(
            "{label} contains an invisible character that reorders or hides text (U+{code}); "
            "type the name again without it.",
            label=subject,
            code=code,
        )
    raise Invalid("{label} contains a control character (U+{code}).", label=subject, code=code)
