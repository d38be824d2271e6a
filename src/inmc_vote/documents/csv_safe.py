"""Every CSV the app writes is safe to open in a spreadsheet (CSV injection).

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return) is run as a
formula by Excel, LibreOffice and Google Sheets: a city named `=HYPERLINK(...)` would
become a live link in the organiser's `tokens.csv`. As OWASP recommends, such a cell is
written with a leading `'`, which spreadsheets read as "text" and nothing else changes.
Every text that a person typed (names, countries, e-mail addresses) goes through
`spreadsheet_safe`; the values the app makes itself (fingerprints, tokens, links, times)
are written as they are, so that they can be copied back exactly.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """`cell`, with a leading `'` when a spreadsheet would take it for a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
