"""The security headers of every answer, error pages included.

Scripts come from this site only, and for one exception: the vote page's inline import
map, which resolves the vendored @noble modules' bare imports (Chromium loads no import
map from a file). It is allowed by its SHA-256, computed here from the template itself, so
the policy and the page cannot drift apart; the map pins each vendored module by its
own hash (tests/unit/test_vendored_js.py)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

_VOTE_TEMPLATE = Path(__file__).parent / "templates" / "vote.html"
_IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)


def _import_map_source() -> str:
    text = _IMPORT_MAP.search(_VOTE_TEMPLATE.read_text(encoding="utf-8"))
    if text is None:
        raise RuntimeError(f"{_VOTE_TEMPLATE} has no import map")
    digest = hashlib.sha256(text.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        f"script-src 'self' {_import_map_source()}; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
