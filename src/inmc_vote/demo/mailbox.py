"""A local SMTP server that keeps what it is sent: `inmc-vote demo` starts one (and writes
each message as an .eml file that the person trying the demo opens), and so do the tests,
which read the messages back. It is aiosmtpd, a real SMTP server, on 127.0.0.1 and a free
port, so that the app sends through exactly the code it uses with a real mail server.

`refuse` names addresses it answers "550" to, so that a test can see one city's message
fail while the others go through."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterable
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from inmc_vote.config import SmtpSettings


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class Keeper:
    """aiosmtpd's handler: refuse some recipients, keep every message."""

    def __init__(self, folder: Path | None, refuse: Iterable[str]) -> None:
        self.folder = folder
        self.refuse = {address.lower() for address in refuse}
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # each message's bytes as received
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
            self.raw.append(raw)
            number = len(self.messages)
        if self.folder is not None:
            (self.folder / f"{number:04d}.eml").write_bytes(raw)
        return "250 Message accepted for delivery"


class Mailbox:
    """Start with `start()` (or as a context manager), stop with `stop()`."""

    def __init__(self, folder: Path | None = None, refuse: Iterable[str] = ()) -> None:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self.keeper = Keeper(folder, refuse)
        self.host = "127.0.0.1"
        self.port = free_port(self.host)
        self._controller = Controller(self.keeper, hostname=self.host, port=self.port)
        self._running = False

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.keeper.messages)

    def refuse(self, *addresses: str) -> None:
        self.keeper.refuse = {address.lower() for address in addresses}

    def raw_messages(self) -> list[bytes]:
        return list(self.keeper.raw)

    def clear(self) -> None:
        self.keeper.messages.clear()
        self.keeper.raw.clear()

    def settings(self, sender: str = "INMC vote <vote@inmc.example>") -> SmtpSettings:
        """The app's mail settings to send here (no TLS, no login: it is local)."""
        return SmtpSettings(self.host, self.port, False, "", "", sender, timeout_s=10.0)

    def env(self, sender: str = "INMC vote <vote@inmc.example>") -> dict[str, str]:
        return {
            "INMC_SMTP_HOST": self.host,
            "INMC_SMTP_PORT": str(self.port),
            "INMC_SMTP_STARTTLS": "off",
            "INMC_MAIL_FROM": sender,
        }

    def start(self) -> Mailbox:
        self._controller.start()
        self._running = True
        return self

    def stop(self) -> None:
        """Stop serving (a test may stop it early, to see the server down)."""
        if self._running:
            self._controller.stop()
            self._running = False

    def __enter__(self) -> Mailbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
