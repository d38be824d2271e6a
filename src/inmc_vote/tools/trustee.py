"""A trustee's side of the key ceremony, on the trustee's own machine: the key file and
what to send at each step, over the domain's ceremony code (domain/protocol/ceremony.py).

The key file (`inmc-vote/trustee/v2`, JSON, mode 600) holds everything the trustee needs
until the last tally: the server and ballot, the ceremony and its index, the invitation,
its three secrets (Ed25519 signing seed, X25519 encryption key, lot secret rho), the
polynomial of its deal (kept so that a retried deal is the same deal) and, once its
shares are checked, its key share x_l. Losing it loses the trustee's part of the key;
the ballot can still be counted while `threshold` other trustees keep theirs.

Nothing here talks to the network: `trustee_client.py` does (for `inmc-vote trustee`),
and `run_ceremony` drives n simulated trustees through any pair of async callables (the
demo and the tests give it the services, or an HTTP client on the app).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from inmc_vote.domain.protocol import ceremony as protocol
from inmc_vote.domain.protocol import group
from inmc_vote.domain.protocol import threshold as vss
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url
from inmc_vote.domain.protocol.invitations import read_invitation
from inmc_vote.domain.protocol.key_files import KeyFileError
from inmc_vote.tools.keyfiles import rewrite_private, write_private

FORMAT = "inmc-vote/trustee/v2"
FIELDS = frozenset(
    {
        "format",
        "server",
        "ballot",
        "ceremony",
        "trustee",
        "invitation",
        "signing_seed",
        "encryption_private",
        "lot_rho",
        "polynomial",
        "share",
    }
)


class TrusteeError(Exception):
    """Something the trustee must do or know before going on, in words."""


@dataclass(frozen=True)
class TrusteeFile:
    """A trustee's key file, read. `polynomial` once it dealt, `share` (x_l) once its
    shares were checked and its key sent."""

    server: str
    ballot: str
    ceremony: int
    trustee: int
    invitation: str
    signing_seed: bytes
    encryption_private: bytes
    lot_rho: bytes
    polynomial: tuple[bytes, ...] | None = None
    share: bytes | None = None

    @property
    def secrets(self) -> protocol.TrusteeSecrets:
        return protocol.TrusteeSecrets(self.signing_seed, self.encryption_private, self.lot_rho)

    @property
    def verification_key(self) -> bytes | None:
        """X_l = x_l·G, once the share is known."""
        return None if self.share is None else group.base_mul(self.share)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "server": self.server,
            "ballot": self.ballot,
            "ceremony": self.ceremony,
            "trustee": self.trustee,
            "invitation": self.invitation,
            "signing_seed": b64url(self.signing_seed),
            "encryption_private": b64url(self.encryption_private),
            "lot_rho": b64url(self.lot_rho),
            "polynomial": None if self.polynomial is None else [b64url(a) for a in self.polynomial],
            "share": None if self.share is None else b64url(self.share),
        }

    @classmethod
    def from_json(cls, value: object, where: str = "the key file") -> TrusteeFile:
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            raise KeyFileError(f"{where} is not an {FORMAT} file.")
        if set(value) != FIELDS:
            raise KeyFileError(f"{where} does not have the fields of an {FORMAT} file.")
        try:
            polynomial = value["polynomial"]
            return cls(
                server=_text(value["server"]),
                ballot=_text(value["ballot"]),
                ceremony=_number(value["ceremony"]),
                trustee=_number(value["trustee"]),
                invitation=read_invitation(_text(value["invitation"])).text,
                signing_seed=_bytes32(value["signing_seed"]),
                encryption_private=_bytes32(value["encryption_private"]),
                lot_rho=_bytes32(value["lot_rho"]),
                polynomial=None
                if polynomial is None
                else tuple(group.scalar(_bytes32(a)) for a in polynomial),
                share=None if value["share"] is None else group.scalar(_bytes32(value["share"])),
            )
        except (TypeError, ValueError) as error:
            raise KeyFileError(f"{where} is damaged ({error}).") from None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("a text is not a text")
    return value


def _number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TypeError("a number is not a whole number from 1")
    return value


def _bytes32(value: object) -> bytes:
    data = from_b64url(value)
    if len(data) != 32:
        raise ValueError("a key is not 32 bytes")
    return data


def _dump(file: TrusteeFile) -> bytes:
    return json.dumps(file.to_json(), indent=2, sort_keys=True).encode() + b"\n"


# --- the key file on disk ---------------------------------------------------------------------


def new_trustee_file(server: str, ballot: str, invitation: str) -> TrusteeFile:
    """Fresh secrets for the trustee this invitation names (not yet written)."""
    try:
        read = read_invitation(invitation)
    except ValueError as error:
        raise TrusteeError(str(error)) from None
    made = protocol.new_trustee_secrets()
    return TrusteeFile(
        server=server.rstrip("/"),
        ballot=ballot,
        ceremony=read.ceremony,
        trustee=read.index,
        invitation=read.text,
        signing_seed=made.signing_seed,
        encryption_private=made.encryption_key,
        lot_rho=made.lot,
    )


def create_key_file(path: Path, file: TrusteeFile) -> None:
    """Write a new key file (mode 600); an existing file is never replaced."""
    write_private(path, _dump(file))


def read_key_file(path: Path) -> TrusteeFile:
    try:
        value = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise KeyFileError(f"{path} does not exist.") from None
    except (OSError, ValueError) as error:
        raise KeyFileError(f"{path} cannot be read as a key file ({error}).") from None
    return TrusteeFile.from_json(value, str(path))


def update_key_file(path: Path, file: TrusteeFile) -> None:
    """Add what the trustee learnt (its polynomial, its share) to ITS OWN key file: the
    file on disk must be the same trustee's, with the same secrets, and nothing it holds
    is dropped or changed (a different polynomial or share is refused)."""
    before = read_key_file(path)
    same = replace(file, polynomial=before.polynomial, share=before.share)
    if same != before:
        raise KeyFileError(f"{path} holds another trustee's key: it is not overwritten.")
    for name in ("polynomial", "share"):
        old, new = getattr(before, name), getattr(file, name)
        if old is not None and old != new:
            raise KeyFileError(f"{path} already holds a different {name}: it is not overwritten.")
    if before != file:
        rewrite_private(path, _dump(file))


# --- what to send, from the ceremony's public state (GET /api/v1/ballots/{id}/ceremony) ------


def _check_state(file: TrusteeFile, state: Mapping[str, Any]) -> None:
    if state.get("ballot") != file.ballot:
        raise TrusteeError(
            f"The server answered for ballot {state.get('ballot')}, not {file.ballot}."
        )
    if state.get("ceremony") != file.ceremony:
        raise TrusteeError(
            f"This key file is for ceremony {file.ceremony}, but the ballot's ceremony is now "
            f"number {state.get('ceremony')}: the organiser named the trustees again. Ask for "
            "your new invitation and join again with a new key file."
        )


def _member(state: Mapping[str, Any], index: int) -> Mapping[str, Any]:
    for member in state["trustees"]:
        if member["index"] == index:
            return member
    raise TrusteeError(f"The ceremony has no trustee {index}.")


def _context(file: TrusteeFile) -> dict[str, Any]:
    return {"ballot": file.ballot, "ceremony": file.ceremony}


def _every(
    state: Mapping[str, Any], kind: str, done: str, then: str
) -> Iterator[Mapping[str, Any]]:
    """Each trustee of the state in turn, as long as it has sent its `kind`; TrusteeError
    at the first that has not (it "has not `done` yet": `then` once every trustee has)."""
    for member in state["trustees"]:
        if member[kind] is None:
            raise TrusteeError(
                f"Trustee {member['index']} ({member['name']}) has not {done} yet: {then} "
                f"once every trustee has {done}."
            )
        yield member


def certificates(file: TrusteeFile, state: Mapping[str, Any]) -> list[protocol.Certificate]:
    """Every trustee's certificate, checked; TrusteeError when one is still missing."""
    _check_state(file, state)
    return [
        protocol.read_certificate(
            member["certificate"], trustee=member["index"], name=member["name"], **_context(file)
        )
        for member in _every(state, "certificate", "joined", "deals are made")
    ]


def deals(
    file: TrusteeFile, state: Mapping[str, Any], certs: Sequence[protocol.Certificate]
) -> list[protocol.Deal]:
    return [
        protocol.read_deal(
            member["deal"],
            certificates=certs,
            threshold=state["threshold"],
            trustee=member["index"],
            **_context(file),
        )
        for member in _every(state, "deal", "dealt", "shares are checked")
    ]


def certificate_message(file: TrusteeFile, state: Mapping[str, Any]) -> dict[str, Any]:
    """Step 1: the certificate, under the name the organiser gave this trustee."""
    _check_state(file, state)
    name = _member(state, file.trustee)["name"]
    return protocol.make_certificate(
        trustee=file.trustee, name=name, secrets=file.secrets, **_context(file)
    )


def deal_message(file: TrusteeFile, state: Mapping[str, Any]) -> tuple[dict[str, Any], TrusteeFile]:
    """Step 2: the deal, and the key file with its polynomial (drawn once, then kept: a
    retried deal commits to the same polynomial; its shares are sealed afresh, so before
    sending again a tool looks whether the server has it already: `already_sent`)."""
    certs = certificates(file, state)
    threshold = state["threshold"]
    polynomial = file.polynomial
    if polynomial is None:
        polynomial = tuple(vss.random_polynomial(threshold))
    elif len(polynomial) != threshold:
        raise TrusteeError("The key file's polynomial is for another threshold.")
    message = protocol.make_deal(
        trustee=file.trustee,
        certificates=certs,
        threshold=threshold,
        signing_seed=file.signing_seed,
        coefficients=polynomial,
        **_context(file),
    )
    return message, replace(file, polynomial=polynomial)


@dataclass(frozen=True)
class Checked:
    """Step 3's outcome: the message to send (a key or a complaint) and the key file with
    its share when every share was good."""

    kind: str  # "key" or "complaint"
    message: dict[str, Any]
    file: TrusteeFile
    about: int | None = None
    reason: str = ""


def check_message(file: TrusteeFile, state: Mapping[str, Any]) -> Checked:
    """Step 3: open and check this trustee's n shares; the key (X_l with its proof) when
    all are good, else a complaint about the first dealer whose share fails."""
    certs = certificates(file, state)
    dealt = deals(file, state, certs)
    message = protocol.make_key(
        trustee=file.trustee,
        deals=dealt,
        encryption_key=file.encryption_private,
        signing_seed=file.signing_seed,
        **_context(file),
    )
    if message["format"] == protocol.COMPLAINT:
        return Checked("complaint", message, file, message["about"], message["reason"])
    share = protocol.secret_share(
        trustee=file.trustee,
        deals=dealt,
        encryption_key=file.encryption_private,
        **_context(file),
    )
    return Checked("key", message, replace(file, share=share))


def already_sent(file: TrusteeFile, state: Mapping[str, Any], kind: str) -> bool:
    """Whether the server holds this trustee's message of this kind already, as this key
    file would make it (a retry after a lost answer); TrusteeError when it holds a
    different one (another key file joined with the same invitation)."""
    _check_state(file, state)
    held = _member(state, file.trustee)[kind]
    if held is None:
        return False
    if kind == "certificate":
        same = held == certificate_message(file, state)
    elif kind == "deal":
        polynomial = file.polynomial or ()
        same = held["commitments"] == [b64url(c) for c in vss.commitments(polynomial)]
    elif kind == "key":
        x = file.verification_key
        same = x is not None and held["verification_key"] == b64url(x)
    else:
        same = True
    if not same:
        raise TrusteeError(
            f"The server holds a different {kind} for trustee {file.trustee}: it was sent "
            "with another key file. Use that key file, or ask the organiser to start over."
        )
    return True


def message_bytes(message: Mapping[str, Any]) -> bytes:
    """What is sent: the message's canonical JSON (the bytes the server keeps)."""
    return canonical_json(dict(message))


def next_step(state: Mapping[str, Any], index: int) -> str:
    """In plain words, what this trustee (or the ceremony) waits for now."""
    phase = state["phase"]
    me = _member(state, index)
    waiting = [m for m in state["trustees"] if m["index"] in state["waiting_for"]]
    others = ", ".join(f"{m['index']} ({m['name']})" for m in waiting if m["index"] != index)
    if phase == "complete":
        return (
            "The ceremony is complete: the election key is fixed and the organiser can "
            "freeze the ballot. Keep your key file safe and offline until the tally."
        )
    if phase == "failed":
        return (
            "The ceremony failed (a trustee complained about a deal): the organiser names "
            "the trustees again and sends new invitations. This key file is then of no use."
        )
    step = {
        "certificates": ("certificate", "join"),
        "deals": ("deal", "deal"),
        "keys": ("key", "check"),
    }[phase]
    column, command = step
    if me[column] is None and (phase != "keys" or me["complaint"] is None):
        return f"Your turn: run `inmc-vote trustee {command} --key-file FILE`."
    return f"Waiting for trustee(s) {others} to {command}. Run `status` later to see."


# --- n simulated trustees, for the demo and the tests -----------------------------------------

State = Callable[[], Awaitable[Mapping[str, Any]]]
"""Gives the ceremony's public state, as GET /api/v1/ballots/{id}/ceremony serves it."""
Send = Callable[[str, str, bytes], Awaitable[object]]
"""Sends one message: (invitation, kind: certificate|deal|key|complaint, canonical bytes)."""


async def run_ceremony(
    server: str, ballot: str, invitations: Sequence[str], state: State, send: Send
) -> list[TrusteeFile]:
    """Play every trustee of a ceremony in turn (certificates, deals, keys) through `state`
    and `send`; return each trustee's key file, share included, in index order. For the
    demo and the tests: real trustees each run `inmc-vote trustee` on their own machine."""
    files = [new_trustee_file(server, ballot, invitation) for invitation in invitations]
    files.sort(key=lambda f: f.trustee)
    for file in files:
        await send(
            file.invitation, "certificate", message_bytes(certificate_message(file, await state()))
        )
    for i, file in enumerate(files):
        message, files[i] = deal_message(file, await state())
        await send(file.invitation, "deal", message_bytes(message))
    for i, file in enumerate(files):
        checked = check_message(file, await state())
        await send(file.invitation, checked.kind, message_bytes(checked.message))
        if checked.kind != "key":
            raise TrusteeError(f"Trustee {file.trustee} complained: {checked.reason}")
        files[i] = checked.file
    return files
