"""What the logs never hold: a credential, a tracker, a token or a portal secret.

A portal link is a bearer secret, and an access-log line that pairs an address with a
credential or a tracker would tie a city to its ballot. The clients send these in
request bodies where they can; what still travels in a path or a query string (a
portal link, the board's `?tracker=` and `?receipt=` look-ups) is replaced with "…"
in every record of the access log (uvicorn's) and of the application's loggers
(Litestar's, ours) before any handler sees it. docs/security.md, "What the logs hold".
"""

from __future__ import annotations

import logging
import re

HIDDEN = "…"
# The path segment after these names is a secret or names a ballot or a credential;
# our own fixed words after them (e.g. /board/receipt) are kept.
_SEGMENT = re.compile(
    r"(/(?:portal|roll|board|credentials)/)(?!(?:line|find|receipt)(?:[/?#\s\"']|$))"
    r"[^/?#\s\"']+"
)
_QUERY = re.compile(r"([?&;](?:tracker|receipt|token|t|credential|invitation)=)[^&;#\s\"']*")
_FRAGMENT = re.compile(r"#[^\s\"']*")  # never sent by a browser; hidden if a client does
LOGGERS = ("uvicorn.access", "uvicorn.error", "litestar", "inmc_vote")


def redact(text: str) -> str:
    """`text` with every secret path segment, query value and fragment replaced."""
    text = _SEGMENT.sub(rf"\g<1>{HIDDEN}", text)
    text = _QUERY.sub(rf"\g<1>{HIDDEN}", text)
    return _FRAGMENT.sub(f"#{HIDDEN}", text) if "/vote/" in text else text


class RedactSecrets(logging.Filter):
    """Rewrites a record in place; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            # uvicorn's AccessFormatter unpacks these five: keep the shape, redact the path.
            record.args = (args[0], args[1], redact(str(args[2])), args[3], args[4])
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: let logging report it
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactSecrets()


def install() -> None:
    """Put the filter on the server's loggers (once; a logger's filters outlive the
    dictConfig that uvicorn and Litestar run, which replaces only handlers)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
