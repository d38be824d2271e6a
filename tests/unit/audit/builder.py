"""Audit bundles made straight from protocol code, without the service: an honest ballot
of any size, and the hooks to make one that lies in exactly one place while signing
everything else, so that a test can see exactly one check fail.

`Model` holds the ballot as plain values; `write` derives every hash, signature, event
and head from them, as an honest server would. Change a value, then `write` again."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from inmc_vote.domain.counting import count
from inmc_vote.domain.counting.rules import Rules
from inmc_vote.domain.protocol import board, bundle, credentials, keys, manifest, tally, vote
from inmc_vote.domain.protocol.bundle_zip import ZipStream
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, rfc3339_ms
from inmc_vote.domain.protocol.events import Event, genesis

START = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
BALLOT = "ab12cd34ef"
ORGANISER = "organiser:organiser@example.org"
CLOCK = "schedule:clock"
CITIES = {"lyon": ("Lyon", "FR"), "porto": ("Porto", "PT"), "turin": ("Turin", "IT")}


def at(**delta: float) -> str:
    return rfc3339_ms(START + timedelta(**delta))


@dataclass
class Voter:
    seed: bytes
    line: credentials.RollLine

    @property
    def pk(self) -> bytes:
        return self.line.pk


@dataclass
class RoundModel:
    number: int
    candidates: list[str]
    rules: dict[str, Any]
    tally_sk: bytes
    seed: bytes
    opens_at: str
    closes_at: str
    manifest: dict[str, Any] = field(default_factory=dict)
    entries: list[board.Entry] = field(default_factory=list)
    closed_at: str | None = None  # sealed when set
    outcomes: list[bytes] = field(default_factory=list)  # outcome lines
    result: dict[str, Any] | None = None  # published when set
    tallied_at: str = ""
    record_patch: Callable[[dict[str, Any]], None] | None = None
    manifest_patch: Callable[[dict[str, Any]], None] | None = None
    cast_log: list[tuple[bytes, dict[str, Any], str]] = field(default_factory=list)

    @property
    def manifest_bytes(self) -> bytes:
        return manifest.manifest_bytes(self.manifest)

    @property
    def manifest_hash(self) -> bytes:
        return manifest.manifest_hash(self.manifest_bytes)

    def record(self, ballot: str) -> bytes:
        assert self.closed_at is not None
        assert self.result is not None
        value = tally.build_record(
            ballot_id=ballot,
            round_number=self.number,
            manifest_hash=self.manifest_hash,
            board_count=len(self.entries),
            board_head=self.head,
            tally_private=self.tally_sk,
            seed=self.seed,
            outcomes_count=len(self.outcomes),
            outcomes_hash=hashlib.sha256(b"".join(self.outcomes)).digest(),
            result=self.result,
            tallied_at=self.tallied_at,
        )
        if self.record_patch:
            self.record_patch(value)
        return canonical_json(value)

    @property
    def head(self) -> bytes:
        return self.entries[-1].hash if self.entries else self.manifest_hash


@dataclass
class Model:
    ballot: str
    method: str
    authority: bytes
    registrar: bytes
    voters: list[Voter]
    rounds: list[RoundModel]
    replacements: list[tuple[int, Voter, str]] = field(default_factory=list)  # (voter, new, at)
    exported_at: str = ""
    # Keys that sign what the authority signs, when a test wants a forged signature.
    signers: dict[str, bytes] = field(default_factory=dict)
    extra_events: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    event_patch: Callable[[list[Event]], None] | None = None
    extra_members: dict[str, bytes] = field(default_factory=dict)
    auditors_text: bytes = b"How to check this bundle.\n"
    result_text: bytes = b"The result in words.\n"
    # How the event log writes a hash: base64url, or hex as logs written before it did.
    hash_text: Callable[[bytes], str] = b64url

    def signer(self, what: str) -> bytes:
        return self.signers.get(what, self.authority)

    # --- building the ballot ---------------------------------------------------------------

    def fix_manifest(self, r: RoundModel, previous: RoundModel | None = None) -> None:
        keys_ = self.roll_lines()
        r.manifest = manifest.build(
            ballot_id=self.ballot,
            round_number=r.number,
            title="Host city 2029",
            question="Which city should host the 2029 meetings?",
            method=self.method,
            rules=r.rules,
            candidates=[
                manifest.Candidate(c, *CITIES.get(c, (c.title(), "FR"))) for c in r.candidates
            ],
            eligible=len(keys_),
            opens_at=r.opens_at,
            closes_at=r.closes_at,
            authority_pk=keys.ed25519_public(self.authority),
            registrar_pk=keys.ed25519_public(self.registrar),
            tally_pk=keys.x25519_public(r.tally_sk),
            tally_custody="server",
            roll_size=len(keys_),
            roll_hash=credentials.roll_hash(keys_),
            tiebreak_commitment=manifest.tiebreak_commitment(r.seed),
            vote_size=vote.vote_size_for(r.candidates),
            previous_manifest=previous.manifest_hash if previous else None,
            previous_result=tally.record_hash(previous.record(self.ballot)) if previous else None,
        )
        if r.manifest_patch:
            r.manifest_patch(r.manifest)

    def roll_lines(self) -> list[credentials.RollLine]:
        return [v.line for v in self.voters]

    def cast(self, r: RoundModel, voter: Voter, choice: dict[str, Any], when: str) -> None:
        self.cast_seed(r, voter.seed, choice, when)

    def cast_seed(self, r: RoundModel, seed: bytes, choice: dict[str, Any], when: str) -> None:
        made = vote.make_ballot(choice, seed, r.manifest, r.manifest_hash)
        self.append(r, made.credential, made.ciphertext, made.signature, when)
        r.cast_log.append((seed, choice, when))

    def refix(self) -> None:
        """Derive everything again from the inputs (roll, rules, patches, votes), as an
        honest server would have: manifests, ballots, tallies."""
        previous: RoundModel | None = None
        for r in self.rounds:
            self.fix_manifest(r, previous)
            log, r.entries, r.cast_log = r.cast_log, [], []
            for seed, choice, when in log:
                self.cast_seed(r, seed, choice, when)
            if r.result is not None:
                self.tally(r, r.tallied_at)
            previous = r

    def append(
        self, r: RoundModel, credential: bytes, ciphertext: bytes, signature: bytes, when: str
    ) -> None:
        seq = len(r.entries) + 1
        prev = r.head
        digest = board.entry_hash(prev, seq, when, credential, ciphertext, signature)
        r.entries.append(board.Entry(seq, when, credential, ciphertext, signature, prev, digest))

    def rechain(self, r: RoundModel) -> None:
        """Recompute every entry's prev and hash (after a test changed an entry)."""
        old = list(r.entries)
        r.entries = []
        for e in old:
            self.append(r, e.credential, e.ciphertext, e.signature, e.received_at)

    def tally(self, r: RoundModel, when: str) -> None:
        """Open every entry with the round's key, as the server's tally does; publish."""
        rules = Rules.from_json(r.rules)
        verdicts = []
        r.outcomes = []
        for e in r.entries:
            opened = tally.open_entry(
                e.ciphertext,
                e.credential,
                tally_private=r.tally_sk,
                manifest_hash=r.manifest_hash,
                method=self.method,
                candidates=r.candidates,
                rules=rules,
            )
            verdicts.append(opened.verdict)
            r.outcomes.append(tally.outcome_line(e.seq, opened))
        r.tallied_at = when
        r.result = self.recount(r, verdicts)

    def recount(self, r: RoundModel, verdicts: list[Any] | None = None) -> dict[str, Any]:
        """The result from the outcome lines as they now are."""
        import json

        from inmc_vote.domain.counting.votes import Verdict, classify

        rules = Rules.from_json(r.rules)
        if verdicts is None:
            verdicts = []
            for line in r.outcomes:
                value = json.loads(line)
                if value["vote"] is None:
                    verdicts.append(Verdict("invalid", value["reason"]))
                else:
                    verdicts.append(classify(value["vote"], self.method, r.candidates, rules))
        eligible = r.manifest["eligible"]
        return count(
            self.method, r.candidates, rules, verdicts, eligible=eligible, seed=r.seed
        ).to_json()

    # --- the event log -----------------------------------------------------------------

    def events(self) -> list[Event]:
        specs: list[tuple[str, str, str, dict[str, Any]]] = []
        first = self.rounds[0]
        specs.append((at(), ORGANISER, "create", {"title": "Host city 2029"}))
        specs.append(
            (at(minutes=1), ORGANISER, "open-candidacies", _move("draft", "candidacies", 1))
        )
        specs.append(
            (
                at(days=2),
                ORGANISER,
                "freeze",
                _move("candidacies", "frozen", 1)
                | {
                    "tally_custody": "server",
                    "keys": {
                        "authority": first.manifest["keys"]["authority"],
                        "registrar": first.manifest["keys"]["registrar"],
                        "tally": first.manifest["keys"]["tally"],
                    },
                    "tiebreak_commitment": first.manifest["tiebreak_commitment"],
                },
            )
        )
        specs.append(
            (
                at(days=2, minutes=1),
                ORGANISER,
                "tokens-issued",
                {
                    "roll_size": len(self.voters),
                    "roll_hash": self.hash_text(credentials.roll_hash(self.roll_lines())),
                    "manifest_hash": self.hash_text(first.manifest_hash),
                },
            )
        )
        for index, new, when in self.replacements:
            old = self.voter_for_revocation(index)
            specs.append(
                (
                    when,
                    ORGANISER,
                    "credential-revoked",
                    {
                        "pk": b64url(old.pk),
                        "fingerprint": credentials.fingerprint(old.pk),
                        "registrar_sig": b64url(
                            keys.sign(
                                self.signers.get("registrar", self.registrar),
                                credentials.revocation_message(self.ballot, old.pk),
                            )
                        ),
                    },
                )
            )
            specs.append(
                (
                    when,
                    ORGANISER,
                    "credential-added",
                    {
                        "pk": b64url(new.pk),
                        "sig": b64url(new.line.sig),
                        "fingerprint": credentials.fingerprint(new.pk),
                        "replaces": credentials.fingerprint(old.pk),
                    },
                )
            )
        previous: RoundModel | None = None
        for r in self.rounds:
            if previous is not None:
                assert previous.result is not None
                plan = previous.result["next_round"]
                specs.append(
                    (
                        later(previous.tallied_at, seconds=2),
                        ORGANISER,
                        "next-round",
                        _move("tallied", "frozen", r.number)
                        | {
                            "kind": plan["kind"],
                            "candidates": plan["candidates"],
                            "manifest_hash": self.hash_text(r.manifest_hash),
                            "opens_at": r.opens_at,
                            "closes_at": r.closes_at,
                            "tally_custody": "server",
                            "tally_key": r.manifest["keys"]["tally"],
                            "tiebreak_commitment": r.manifest["tiebreak_commitment"],
                        },
                    )
                )
            specs.append(
                (
                    r.opens_at,
                    CLOCK,
                    "open",
                    _move("frozen", "open", r.number) | {"due_at": r.opens_at},
                )
            )
            if r.closed_at is not None:
                seal = self.seal(r)
                specs.append(
                    (
                        r.closed_at,
                        CLOCK,
                        "close",
                        _move("open", "closed", r.number)
                        | {
                            "due_at": r.closed_at,
                            "seal": {
                                "count": seal.count,
                                "head": b64url(seal.head),
                                "closed_at": seal.closed_at,
                                "signature": b64url(seal.signature),
                            },
                        },
                    )
                )
            if r.result is not None:
                digest = b64url(tally.record_hash(r.record(self.ballot)))
                specs.append(
                    (
                        r.tallied_at,
                        ORGANISER,
                        "tally",
                        _move("closed", "tallied", r.number)
                        | {
                            "tally": digest,
                            "outcome": r.result["outcome"],
                            "winner": r.result["winner"],
                            "counted": r.result["valid"],
                            "blank": r.result["blank"],
                            "invalid": r.result["invalid"],
                        },
                    )
                )
                specs.append(
                    (
                        later(r.tallied_at, seconds=1),
                        ORGANISER,
                        "publish",
                        _move("tallied", "tallied", r.number) | {"tally": digest},
                    )
                )
            previous = r
        specs += self.extra_events
        specs.sort(key=lambda s: s[0])
        events = [Event(i, *spec) for i, spec in enumerate(specs, start=1)]
        if self.event_patch:
            self.event_patch(events)
        return events

    def voter_for_revocation(self, index: int) -> Voter:
        return self.voters[index]

    @property
    def state(self) -> str:
        last = self.rounds[-1]
        if last.result is not None:
            return "tallied"
        if last.closed_at is not None:
            return "closed"
        return "open"

    def seal(self, r: RoundModel) -> bundle.SealFile:
        assert r.closed_at is not None
        message = board.seal_message(r.manifest_hash, len(r.entries), r.head, r.closed_at)
        return bundle.SealFile(
            len(r.entries), r.head, r.closed_at, keys.sign(self.signer("seal"), message)
        )

    # --- writing the bundle ------------------------------------------------------------

    def members(self) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        events = self.events()
        lines, prev = [], genesis(self.ballot)
        for event in events:
            digest = event.chain_hash(prev)
            lines.append(bundle.event_line(event, prev, digest))
            prev = digest
        heads = []
        for r in self.rounds:
            heads.append(
                bundle.RoundHead(
                    r.number,
                    r.manifest_hash,
                    len(r.entries),
                    r.head,
                    r.closed_at is not None,
                    r.result is not None,
                )
            )
        out[bundle.AUDITORS] = self.auditors_text
        for r in self.rounds:
            if r.result is not None:
                out[bundle.round_member(r.number, "result.txt")] = self.result_text
        texts = {n: hashlib.sha256(out[n]).digest() for n in bundle.text_members(tuple(heads))}
        head = bundle.Head(
            ballot=self.ballot,
            exported_at=self.exported_at or later(events[-1].at, seconds=5),
            state=self.state,
            events_count=len(events),
            events_head=prev,
            rounds=tuple(heads),
            authority=keys.ed25519_public(self.authority),
            texts=texts,
        ).to_bytes()
        out[bundle.HEAD] = head
        out[bundle.HEAD_SIG] = bundle.signature_text(
            keys.sign(self.signer("bundle"), bundle.signed_message(head))
        )
        out[bundle.EVENTS] = b"".join(lines)
        out[bundle.ROLL] = credentials.roll_bytes(self.roll_lines())
        for r in self.rounds:
            name = lambda f, n=r.number: bundle.round_member(n, f)  # noqa: E731
            out[name("manifest.json")] = r.manifest_bytes
            out[name("manifest.sig")] = bundle.signature_text(
                keys.sign(self.signer("manifest"), manifest.signed_message(r.manifest_hash))
            )
            out[name("board.jsonl")] = b"".join(bundle.board_line(e) for e in r.entries)
            if r.closed_at is not None:
                out[name("seal.json")] = self.seal(r).to_bytes()
            if r.result is not None:
                record = r.record(self.ballot)
                out[name("tally.json")] = record
                out[name("tally.sig")] = bundle.signature_text(
                    keys.sign(self.signer("tally"), tally.signed_message(tally.record_hash(record)))
                )
                out[name("outcomes.jsonl")] = b"".join(r.outcomes)
                out[name("result.txt")] = out.pop(name("result.txt"))  # in its place
        out.update(self.extra_members)
        return out

    def write(self, path: Path, members: dict[str, bytes] | None = None) -> Path:
        members = members if members is not None else self.members()
        try:
            exported_at = bundle.Head.from_bytes(members[bundle.HEAD]).exported_at
            path.write_bytes(zip_bytes(members, exported_at))
        except (KeyError, ValueError):  # a test broke bundle.json itself
            path.write_bytes(zip_bytes(members))
        return path


def zip_bytes(members: dict[str, bytes], exported_at: str = "2027-01-20T09:00:00.000Z") -> bytes:
    sink = io.BytesIO()
    stream = ZipStream(sink, exported_at)
    for name, data in members.items():
        stream.add(name, data)
    stream.close()
    return sink.getvalue()


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _move(before: str, after: str, number: int) -> dict[str, Any]:
    return {"from": before, "to": after, "round": number}


def later(when: str, **delta: float) -> str:
    moment = datetime.fromisoformat(when.replace("Z", "+00:00")) + timedelta(**delta)
    return rfc3339_ms(moment)


def new_voter(ballot: str, registrar: bytes) -> Voter:
    seed, line = credentials.issue(ballot, registrar)
    return Voter(seed, line)


def honest(
    votes: list[dict[str, Any] | None] | None = None,
    *,
    voters: int | None = None,
    method: str = "plurality",
    candidates: tuple[str, ...] = ("lyon", "porto", "turin"),
    rules: dict[str, Any] | None = None,
    sealed: bool = True,
    published: bool = True,
    ballot: str = BALLOT,
) -> Model:
    """A ballot whose round 1 received `votes` (None: the voter does not vote), one voter
    each unless `voters` says more, from 3 days after the start, one a second."""
    votes = (
        [{"v": 1, "choice": "lyon"}, {"v": 1, "choice": "lyon"}, {"v": 1, "blank": True}]
        if votes is None
        else votes
    )
    registrar = keys.new_ed25519()[0]
    people = [new_voter(ballot, registrar) for _ in range(voters or len(votes))]
    people.sort(key=lambda v: v.pk)
    r = RoundModel(
        1,
        list(candidates),
        rules if rules is not None else {"quorum": None, "blank_allowed": True},
        keys.new_x25519()[0],
        b"\x01" * 16 + keys.new_ed25519()[0][:16],
        at(days=3),
        at(days=10),
    )
    model = Model(ballot, method, keys.new_ed25519()[0], registrar, people, [r])
    model.fix_manifest(r)
    for i, (voter, choice) in enumerate(zip(people, votes, strict=False)):
        if choice is not None:
            model.cast(r, voter, choice, at(days=3, seconds=i + 1))
    if sealed:
        r.closed_at = r.closes_at
        if published:
            model.tally(r, at(days=10, hours=1))
    return model


def next_round(model: Model, votes: list[dict[str, Any] | None]) -> RoundModel:
    """Round n+1 of an exhaustive ballot, as its last result calls for, with `votes`."""
    last = model.rounds[-1]
    assert last.result is not None
    assert last.result["next_round"] is not None
    plan = last.result["next_round"]
    rules = {k: v for k, v in last.rules.items() if k not in ("round_kind", "continuing")}
    if plan["kind"] != "regular":
        rules |= {"round_kind": plan["kind"], "continuing": plan["continuing"]}
    start = later(last.tallied_at, days=1)
    r = RoundModel(
        last.number + 1,
        [c for c in last.candidates if c in plan["candidates"]],
        rules,
        keys.new_x25519()[0],
        keys.new_ed25519()[0],
        start,
        later(start, days=2),
    )
    model.rounds.append(r)
    model.fix_manifest(r, last)
    when = datetime.fromisoformat(start.replace("Z", "+00:00"))
    for i, (voter, choice) in enumerate(zip(model.voters, votes, strict=False)):
        if choice is not None:
            model.cast(r, voter, choice, rfc3339_ms(when + timedelta(seconds=i + 1)))
    r.closed_at = r.closes_at
    model.tally(r, later(r.closes_at, hours=1))
    return r
