"""The Content-Disposition of every download, for any file name (RFC 6266).

A header is Latin-1: a dossier named «Dossier-京都.pdf» cannot be written raw (every
download then failed). So the name goes in `filename*=UTF-8''...` (percent-encoded,
RFC 8187), which every current browser reads, after a plain ASCII `filename="..."` for
the others: the name's ASCII letters, with `_` for anything else and no quote, backslash
or control character.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_NOT_PLAIN = re.compile(r"[^A-Za-z0-9 ._()+-]")


def attachment(filename: str) -> str:
    """`attachment; filename="..."; filename*=UTF-8''...` for `filename`."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = _NOT_PLAIN.sub("_", ascii_name).strip() or "download"
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header
