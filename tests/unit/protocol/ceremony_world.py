"""An in-memory key ceremony for the protocol tests (ceremony.py, decryption.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.protocol import ceremony, group

BALLOT = "host-2031"
CEREMONY = 1


@dataclass
class World:
    n: int
    t: int
    secrets: dict[int, ceremony.TrusteeSecrets]
    certificate_messages: dict[int, dict[str, Any]]
    certificates: list[ceremony.Certificate]
    deal_messages: dict[int, dict[str, Any]]
    deals: list[ceremony.Deal]
    key_messages: dict[int, dict[str, Any]]
    keys: list[ceremony.TrusteeKey]
    election: ceremony.ElectionKey
    shares: dict[int, bytes]

    @property
    def y(self) -> bytes:
        return self.election.election_key


def certify(n: int) -> tuple[dict[int, ceremony.TrusteeSecrets], dict[int, dict[str, Any]]]:
    secrets = {i: ceremony.new_trustee_secrets() for i in range(1, n + 1)}
    messages = {
        i: ceremony.make_certificate(
            ballot=BALLOT, ceremony=CEREMONY, trustee=i, name=f"Trustee {i}", secrets=s
        )
        for i, s in secrets.items()
    }
    return secrets, messages


def read_certificates(messages: dict[int, dict[str, Any]]) -> list[ceremony.Certificate]:
    return [
        ceremony.read_certificate(m, ballot=BALLOT, ceremony=CEREMONY, trustee=i)
        for i, m in sorted(messages.items())
    ]


def run(n: int, t: int) -> World:
    secrets, certificate_messages = certify(n)
    certificates = read_certificates(certificate_messages)
    deal_messages = {
        i: ceremony.make_deal(
            ballot=BALLOT,
            ceremony=CEREMONY,
            trustee=i,
            certificates=certificates,
            threshold=t,
            signing_seed=s.signing_seed,
        )
        for i, s in secrets.items()
    }
    deals = [
        ceremony.read_deal(
            deal_messages[i],
            ballot=BALLOT,
            ceremony=CEREMONY,
            certificates=certificates,
            threshold=t,
            trustee=i,
        )
        for i in range(1, n + 1)
    ]
    key_messages = {
        i: ceremony.make_key(
            ballot=BALLOT,
            ceremony=CEREMONY,
            trustee=i,
            deals=deals,
            encryption_key=s.encryption_key,
            signing_seed=s.signing_seed,
        )
        for i, s in secrets.items()
    }
    keys = [
        ceremony.read_key(
            key_messages[i],
            ballot=BALLOT,
            ceremony=CEREMONY,
            certificates=certificates,
            deals=deals,
            trustee=i,
        )
        for i in range(1, n + 1)
    ]
    election = ceremony.conclude(certificates, deals, keys, t)
    shares = {
        i: ceremony.secret_share(
            ballot=BALLOT,
            ceremony=CEREMONY,
            trustee=i,
            deals=deals,
            encryption_key=s.encryption_key,
        )
        for i, s in secrets.items()
    }
    return World(
        n,
        t,
        secrets,
        certificate_messages,
        certificates,
        deal_messages,
        deals,
        key_messages,
        keys,
        election,
        shares,
    )


def encrypt(y: bytes, m: bytes, r: bytes | None = None) -> tuple[bytes, bytes]:
    """ElGamal: alpha = r·G, beta = M + r·Y."""
    r = group.random_scalar() if r is None else r
    return group.base_mul(r), group.add(m, group.mul(r, y))


def random_point() -> bytes:
    return group.base_mul(group.random_scalar())
