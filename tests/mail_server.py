"""The local SMTP server of the tests that run the service as a real process (the browser
journey): `inmc_vote.demo.mailbox.Mailbox` (aiosmtpd on 127.0.0.1 and a free port), with
the delivered messages as the bytes received. In-process tests use the `mailbox` and
`mail_client` fixtures of conftest.py, built on the same Mailbox."""

from __future__ import annotations

from collections.abc import Iterable

from inmc_vote.demo.mailbox import Mailbox


class MailServer:
    """`with MailServer() as mail:` then INMC_SMTP_HOST=mail.host, INMC_SMTP_PORT=mail.port;
    `mail.messages()` are the messages delivered so far (raw bytes, oldest first)."""

    def __init__(self, refuse: Iterable[str] = ()) -> None:
        self._box = Mailbox(refuse=refuse)

    @property
    def host(self) -> str:
        return self._box.host

    @property
    def port(self) -> int:
        return self._box.port

    def messages(self) -> list[bytes]:
        return self._box.raw_messages()

    def __enter__(self) -> MailServer:
        self._box.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._box.stop()
