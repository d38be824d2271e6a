"""A trustee's invitation to the key ceremony: a bearer secret, shown once to the
organiser, who hands it to the trustee; the server keeps only its SHA-256.

    invitation = "<ceremony>.<index>." ‖ 43 characters of base64url (32 random bytes)

The invitation names its ceremony and the trustee's index, so that the trustee's tool
knows what to write in its certificate before it has asked the server anything; the
random part is what makes it a secret. It is sent as `Authorization: Bearer <invitation>`.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from inmc_vote.domain.protocol.encoding import b64url, sha256

_SHAPE = re.compile(r"^([1-9][0-9]{0,8})\.([1-9][0-9]{0,2})\.([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class Invitation:
    ceremony: int
    index: int
    text: str

    @property
    def hash(self) -> bytes:
        return invitation_hash(self.text)


def new_invitation(ceremony: int, index: int) -> Invitation:
    text = f"{ceremony}.{index}.{b64url(secrets.token_bytes(32))}"
    return Invitation(ceremony, index, text)


def read_invitation(text: str) -> Invitation:
    """The invitation in `text` (spaces around it ignored); ValueError when it is not one."""
    found = _SHAPE.match(text.strip())
    if found is None:
        raise ValueError(
            "This is not a trustee invitation: it looks like 1.2.Qk7… (the ceremony, "
            "your number, then 43 letters, digits, - or _)."
        )
    return Invitation(int(found.group(1)), int(found.group(2)), text.strip())


def invitation_hash(text: str) -> bytes:
    """What the server stores and looks an invitation up by."""
    return sha256(text.strip().encode())
