"""steps/mailer.py against a real SMTP server (aiosmtpd): the login, a wrong password
tried once (not once per city), STARTTLS that checks the server's certificate, and a
server that is not there. Each failure fails the messages, never the caller."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inmc_vote.config import SmtpSettings
from inmc_vote.demo.mailbox import Keeper, free_port
from inmc_vote.documents.emails import Outgoing
from inmc_vote.services.steps import mailer

HOST = "127.0.0.1"


def outgoing(n: int) -> list[Outgoing]:
    made = []
    for i in range(n):
        message = EmailMessage()
        message["From"] = "vote@inmc.example"
        message["To"] = f"city{i}@example.org"
        message["Subject"] = f"Message {i}"
        message.set_content("hello")
        made.append(Outgoing(i, f"City {i}", message))
    return made


class Logins:
    """aiosmtpd's authenticator: one account, every attempt counted."""

    def __init__(self) -> None:
        self.attempts = 0

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any):
        self.attempts += 1
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"vote",
            b"s3cret",
        )
        return AuthResult(success=ok)


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[tuple[Controller, Keeper, Logins]]:
    keeper, logins = Keeper(None, ()), Logins()
    options: dict[str, Any] = getattr(request, "param", {})
    controller = Controller(
        keeper,
        hostname=HOST,
        port=free_port(),
        authenticator=logins,
        auth_require_tls=False,
        **options,
    )
    controller.start()
    yield controller, keeper, logins
    controller.stop()


def settings(port: int, **changes: Any) -> SmtpSettings:
    values: dict[str, Any] = {
        "host": HOST,
        "port": port,
        "starttls": False,
        "user": "vote",
        "password": "s3cret",
        "sender": "vote@inmc.example",
        "timeout_s": 5.0,
    }
    return SmtpSettings(**(values | changes))


def test_the_login_then_every_message(server) -> None:
    controller, keeper, logins = server
    done = asyncio.run(mailer.deliver(settings(controller.port), outgoing(3)))
    assert [d.outcome for d in done] == ["sent"] * 3
    assert [str(m["To"]) for m in keeper.messages] == [f"city{i}@example.org" for i in range(3)]
    assert logins.attempts == 1  # one connection for the batch


def test_a_wrong_password_is_tried_once_and_fails_every_message(server) -> None:
    controller, keeper, logins = server
    done = asyncio.run(mailer.deliver(settings(controller.port, password="wrong"), outgoing(5)))
    # smtplib tries its mechanisms in turn; aiosmtpd answers 535, then hangs up
    (failure,) = {(d.outcome, d.code) for d in done}
    assert len(done) == 5
    assert failure in {("refused", 535), ("unreachable", None)}
    assert logins.attempts == 1
    assert keeper.messages == []


def self_signed(folder: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), False
        )
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def test_starttls_refuses_a_certificate_no_one_vouches_for(tmp_path) -> None:
    keeper, logins = Keeper(None, ()), Logins()
    controller = Controller(
        keeper,
        hostname=HOST,
        port=free_port(),
        authenticator=logins,
        tls_context=self_signed(tmp_path),
        require_starttls=True,
    )
    controller.start()
    try:
        done = asyncio.run(mailer.deliver(settings(controller.port, starttls=True), outgoing(2)))
    finally:
        controller.stop()
    assert [d.outcome for d in done] == ["unreachable"] * 2
    assert keeper.messages == []
    assert logins.attempts == 0  # the password never crossed an unchecked connection


def test_a_server_that_is_not_there_fails_every_message() -> None:
    done = asyncio.run(mailer.deliver(settings(free_port()), outgoing(3)))
    assert [d.outcome for d in done] == ["unreachable"] * 3
