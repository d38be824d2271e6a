"""Protocol v2 audit bundles made straight from the domain's code, without the service:
a key ceremony of three trustees (any two decrypt), ballots, board, seal, two shuffles,
two decryptions, the votes and the tally record; and the hooks to make one that lies in
exactly one place while signing everything else, so that a test sees exactly one check
fail.

`Model` holds the ballot as plain values; `write` derives every hash, signature, event
and head from them, as an honest server would. Change a value, then `write` again."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from inmc_vote.domain.codes import Custody
from inmc_vote.domain.counting import count
from inmc_vote.domain.counting.rules import Rules
from inmc_vote.domain.counting.votes import Verdict, classify
from inmc_vote.domain.protocol import (
    ballot,
    board,
    bundle,
    ceremony,
    credentials,
    decryption,
    keys,
    lot,
    manifest,
    mixing,
    shuffle,
    tally,
    trustee_message,
)
from inmc_vote.domain.protocol.ballot import Ballot
from inmc_vote.domain.protocol.bundle_zip import ZipStream
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, rfc3339_ms
from inmc_vote.domain.protocol.events import Event, genesis

START = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
BALLOT = "ab12cd34ef"
ORGANISER = "organiser:organiser@example.org"
CLOCK = "schedule:clock"
CITIES = {"lyon": ("Lyon", "FR"), "porto": ("Porto", "PT"), "turin": ("Turin", "IT")}
TRUSTEES = 3
THRESHOLD = 2


def at(**delta: float) -> str:
    return rfc3339_ms(START + timedelta(**delta))


@dataclass
class Voter:
    seed: bytes
    line: credentials.RollLine

    @property
    def pk(self) -> bytes:
        return self.line.pk


# --- the key ceremony ----------------------------------------------------------------------


@dataclass
class Trustees:
    """A completed ceremony: each trustee's secrets and messages, and what it concluded."""

    number: int
    threshold: int
    secrets: list[ceremony.TrusteeSecrets]
    names: list[str]
    certificates: list[dict[str, Any]]
    deals: list[dict[str, Any]]
    keys: list[dict[str, Any]]
    election: ceremony.ElectionKey
    shares: dict[int, bytes]  # x_l, each trustee's key share


def make_trustees(
    ballot_id: str, n: int = TRUSTEES, t: int = THRESHOLD, number: int = 1
) -> Trustees:
    secrets = [ceremony.new_trustee_secrets() for _ in range(n)]
    names = [f"Trustee {chr(65 + i)}" for i in range(n)]
    common = {"ballot": ballot_id, "ceremony": number}
    certificates = [
        ceremony.make_certificate(**common, trustee=i, name=names[i - 1], secrets=s)
        for i, s in enumerate(secrets, start=1)
    ]
    read_certificates = [
        ceremony.read_certificate(c, **common, trustee=i)
        for i, c in enumerate(certificates, start=1)
    ]
    deals = [
        ceremony.make_deal(
            **common,
            trustee=j,
            certificates=read_certificates,
            threshold=t,
            signing_seed=s.signing_seed,
        )
        for j, s in enumerate(secrets, start=1)
    ]
    read_deals = [
        ceremony.read_deal(d, **common, certificates=read_certificates, threshold=t) for d in deals
    ]
    made_keys = [
        ceremony.make_key(
            **common,
            trustee=who,
            deals=read_deals,
            encryption_key=s.encryption_key,
            signing_seed=s.signing_seed,
        )
        for who, s in enumerate(secrets, start=1)
    ]
    read_keys = [
        ceremony.read_key(k, **common, certificates=read_certificates, deals=read_deals)
        for k in made_keys
    ]
    election = ceremony.conclude(read_certificates, read_deals, read_keys, t)
    shares = {
        who: ceremony.secret_share(
            **common, trustee=who, deals=read_deals, encryption_key=s.encryption_key
        )
        for who, s in enumerate(secrets, start=1)
    }
    return Trustees(number, t, secrets, names, certificates, deals, made_keys, election, shares)


# --- a round -----------------------------------------------------------------------------


Vote = dict[str, Any] | bytes  # a vote record, or a raw 28-byte payload (to make odd votes)


@dataclass
class RoundModel:
    number: int
    candidates: list[str]
    rules: dict[str, Any]
    opens_at: str
    closes_at: str
    manifest: dict[str, Any] = field(default_factory=dict)
    entries: list[board.Entry] = field(default_factory=list)
    closed_at: str | None = None  # sealed when set
    result: dict[str, Any] | None = None  # published when set
    tallied_at: str = ""
    record_patch: Callable[[dict[str, Any]], None] | None = None
    manifest_patch: Callable[[dict[str, Any]], None] | None = None
    cast_log: list[tuple[bytes, Vote, str]] = field(default_factory=list)
    # The mix: who shuffles, in order, and who decrypts (trustee indices).
    shufflers: list[int] = field(default_factory=lambda: [1, 2])
    decrypters: list[int] = field(default_factory=lambda: [1, 2])
    # Hooks that change a message before its trustee signs it: (index or trustee, message).
    shuffle_patch: Callable[[int, dict[str, Any]], None] | None = None
    decryption_patch: Callable[[int, dict[str, Any]], None] | None = None
    # A change to the mix's input before the first shuffle (a server that drops or adds one).
    input_patch: Callable[[list[shuffle.Ciphertext]], list[shuffle.Ciphertext]] | None = None
    # What the tally made (by `Model.tally`): messages' exact bytes, the vote lines, the seed.
    shuffles: list[bytes] = field(default_factory=list)
    decryptions: dict[int, bytes] = field(default_factory=dict)
    votes: list[bytes] = field(default_factory=list)
    seed: bytes | None = None
    mix_input: list[shuffle.Ciphertext] = field(default_factory=list)
    mix_output: list[shuffle.Ciphertext] = field(default_factory=list)

    @property
    def manifest_bytes(self) -> bytes:
        return manifest.manifest_bytes(self.manifest)

    @property
    def manifest_hash(self) -> bytes:
        return manifest.manifest_hash(self.manifest_bytes)

    @property
    def head(self) -> bytes:
        return self.entries[-1].hash if self.entries else self.manifest_hash

    def record(self, ballot_id: str) -> bytes:
        assert self.closed_at is not None
        assert self.result is not None
        value = tally.build_record(
            ballot_id=ballot_id,
            round_number=self.number,
            manifest_hash=self.manifest_hash,
            board_count=len(self.entries),
            board_head=self.head,
            input_count=len(self.mix_input),
            input_hash=shuffle.list_hash(self.mix_input),
            shuffles=[
                tally.ShuffleRef(k, mixing.read_shuffle(data).trustee, tally.message_hash(data))
                for k, data in enumerate(self.shuffles, start=1)
            ],
            output_hash=shuffle.list_hash(self.mix_output),
            decryptions=[
                tally.DecryptionRef(who, tally.message_hash(data))
                for who, data in sorted(self.decryptions.items())
            ],
            seed=self.seed,
            votes_count=len(self.votes),
            votes_hash=hashlib.sha256(b"".join(self.votes)).digest(),
            result=self.result,
            tallied_at=self.tallied_at,
        )
        if self.record_patch:
            self.record_patch(value)
        return canonical_json(value)


# --- the ballot ----------------------------------------------------------------------------


@dataclass
class Model:
    ballot: str
    method: str
    authority: bytes
    registrar: bytes
    voters: list[Voter]
    rounds: list[RoundModel]
    trustees: Trustees
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
    # The cities published at freeze (None: one made-up city per voter), who made the
    # tokens, and the issuances cancelled before the roll of record (their event data).
    electorate: list[dict[str, str]] | None = None
    custody: manifest.Registrar = field(
        default_factory=lambda: manifest.Registrar(Custody.SERVER, "")
    )
    cancelled: list[dict[str, Any]] = field(default_factory=list)

    def electorate_list(self) -> list[dict[str, str]]:
        if self.electorate is not None:
            return self.electorate
        return [
            {"slug": f"city-{i:03d}", "name": f"City {i}", "country": "FR"}
            for i in range(1, len(self.voters) + 1)
        ]

    def electorate_details(self) -> dict[str, Any]:
        """What the freeze event records of the electorate and the registrar's custody."""
        cities = self.electorate_list()
        slugs = [c["slug"] for c in cities]
        return {
            "electorate_size": len(cities),
            "electorate_sha256": b64url(hashlib.sha256(canonical_json(slugs)).digest()),
            "electorate": cities,
            "credential_authority": self.custody.to_json(),
        }

    def signer(self, what: str) -> bytes:
        return self.signers.get(what, self.authority)

    @property
    def election_key(self) -> bytes:
        return self.trustees.election.election_key

    def fix_manifest(self, r: RoundModel, previous: RoundModel | None = None) -> None:
        lines = self.roll_lines()
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
            eligible=len(lines),
            opens_at=r.opens_at,
            closes_at=r.closes_at,
            authority_pk=keys.ed25519_public(self.authority),
            registrar_pk=keys.ed25519_public(self.registrar),
            registrar=self.custody,
            trustees=self.trustees.election,
            roll_size=len(lines),
            roll_hash=credentials.roll_hash(lines),
            previous_manifest=previous.manifest_hash if previous else None,
            previous_result=tally.record_hash(previous.record(self.ballot)) if previous else None,
        )
        if r.manifest_patch:
            r.manifest_patch(r.manifest)

    def roll_lines(self) -> list[credentials.RollLine]:
        return [v.line for v in self.voters]

    def cast(self, r: RoundModel, voter: Voter, choice: Vote, when: str) -> board.Entry:
        return self.cast_seed(r, voter.seed, choice, when)

    def make_ballot(self, r: RoundModel, seed: bytes, choice: Vote) -> Ballot:
        if isinstance(choice, bytes):
            return ballot.build(r.manifest_hash, self.election_key, seed, choice)
        return ballot.make_ballot(choice, seed, r.candidates, r.manifest_hash, self.election_key)

    def cast_seed(self, r: RoundModel, seed: bytes, choice: Vote, when: str) -> board.Entry:
        made = self.make_ballot(r, seed, choice)
        r.cast_log.append((seed, choice, when))
        return self.append(r, made.canonical(), when)

    def append(self, r: RoundModel, ballot_bytes: bytes, when: str) -> board.Entry:
        seq = len(r.entries) + 1
        prev = r.head
        tracker = board.tracker_of(ballot_bytes)
        entry = board.Entry(
            seq, when, ballot_bytes, tracker, prev, board.entry_hash(prev, seq, when, tracker)
        )
        r.entries.append(entry)
        return entry

    def rechain(self, r: RoundModel) -> None:
        """Recompute every entry's prev and hash (after a test changed an entry; the
        tracker is kept as the entry has it)."""
        old = list(r.entries)
        r.entries = []
        for e in old:
            seq, prev = len(r.entries) + 1, r.head
            r.entries.append(
                board.Entry(
                    seq,
                    e.received_at,
                    e.ballot,
                    e.tracker,
                    prev,
                    board.entry_hash(prev, seq, e.received_at, e.tracker),
                )
            )

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

    def receipt_file(self, r: RoundModel, seq: int) -> board.ReceiptFile:
        """What the voter of entry `seq` keeps: the authority's receipt and its ballot."""
        entry = r.entries[seq - 1]
        receipt = board.Receipt.issue(
            self.signer("receipt"), r.manifest_hash, self.ballot, r.number, entry
        )
        return board.ReceiptFile(receipt, entry.ballot_json())

    # --- the tally -------------------------------------------------------------------------

    def revoked_before(self, when: str) -> set[bytes]:
        return {self.voters[i].pk for i, _, at_ in self.replacements if at_ < when}

    def tally(self, r: RoundModel, when: str) -> None:
        """Mix, decrypt and count, as the server and its trustees do; publish."""
        self.mix(r)
        self.decrypt(r, when)

    def mix(self, r: RoundModel) -> None:
        """The trustees' shuffles of the sealed board (in the bundle once sealed)."""
        mh, y = r.manifest_hash, self.election_key
        revoked = self.revoked_before(r.closes_at)
        r.mix_input = [
            ballot.Ballot.parse(e.ballot_json()).ciphertext
            for e in r.entries
            if ballot.Ballot.parse(e.ballot_json()).credential not in revoked
        ]
        if r.input_patch:  # the server's claim: the record names the list it mixed
            r.mix_input = r.input_patch(list(r.mix_input))
        current = list(r.mix_input)
        r.shuffles = []
        for index, who in enumerate(r.shufflers if current else [], start=1):
            output, secret = shuffle.shuffle(current, y)
            proof = shuffle.prove(mh, y, current, output, secret)
            value = {
                "format": mixing.SHUFFLE_FORMAT,
                "ballot": self.ballot,
                "round": r.number,
                "trustee": who,
                "index": index,
                "input": b64url(shuffle.list_hash(current)),
                "output": [mixing.ciphertext_json(ct) for ct in output],
                "proof": proof.to_json(),
            }
            if r.shuffle_patch:
                r.shuffle_patch(index, value)
            data = canonical_json(trustee_message.sign(value, self.trustee_seed(who)))
            r.shuffles.append(data)
            current = list(mixing.read_shuffle(data).output)
        r.mix_output = current

    def decrypt(self, r: RoundModel, when: str) -> None:
        """The trustees' decryptions of the mix's output, the votes, the lot; publish."""
        mh, current = r.manifest_hash, r.mix_output
        r.decryptions, factors, reveals = {}, {}, {}
        for who in r.decrypters if current else []:  # an empty round needs no trustee
            secrets = self.trustees.secrets[who - 1]
            value = decryption.make_decryption(
                ballot=self.ballot,
                round=r.number,
                trustee=who,
                manifest_hash=mh,
                share=self.trustees.shares[who],
                verification_key=self.trustees.election.member(who).verification_key,
                ciphertexts=current,
                lot_reveal=lot.reveal(secrets.lot, r.number),
                signing_seed=secrets.signing_seed,
            )
            if r.decryption_patch:
                r.decryption_patch(who, value)
                value = trustee_message.sign(value, secrets.signing_seed)
            r.decryptions[who] = canonical_json(value)
            try:  # as the server takes it: a decryption that fails is not in
                read = decryption.read_decryption(
                    value,
                    ballot=self.ballot,
                    round=r.number,
                    manifest_hash=mh,
                    trustee_public=self.trustees.election.member(who),
                    ciphertexts=current,
                )
            except ValueError:
                continue
            factors[who] = read.factors
            reveals[who] = read.lot_reveal
        rules = Rules.from_json(r.rules)
        points = decryption.combine(current, factors, self.trustees.threshold) if current else []
        r.votes = [
            tally.vote_line(
                i,
                tally.judge(point, method=self.method, candidates=r.candidates, rules=rules),
            )
            for i, point in enumerate(points, start=1)
        ]
        head = self.seal(r).head if r.closed_at else r.head
        r.seed = lot.seed(head, reveals) if reveals else None
        r.tallied_at = when
        r.result = self.recount(r)

    def trustee_seed(self, who: str | int) -> bytes:
        return self.signers.get(f"trustee-{who}", self.trustees.secrets[int(who) - 1].signing_seed)

    def recount(self, r: RoundModel) -> dict[str, Any]:
        """The result from the vote lines as they now are, with the round's lot seed."""
        import json

        rules = Rules.from_json(r.rules)
        verdicts = []
        for line in r.votes:
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

    def ceremony_events(self) -> list[tuple[str, str, str, dict[str, Any]]]:
        t = self.trustees
        specs: list[tuple[str, str, str, dict[str, Any]]] = [
            (
                at(days=1),
                ORGANISER,
                "trustees-named",
                {
                    "ceremony": t.number,
                    "threshold": t.threshold,
                    "trustees": [{"index": i, "name": n} for i, n in enumerate(t.names, 1)],
                },
            )
        ]
        for step, (action, messages) in enumerate(
            (
                ("trustee-certificate", t.certificates),
                ("trustee-deal", t.deals),
                ("trustee-key", t.keys),
            ),
            start=1,
        ):
            for i, message in enumerate(messages, start=1):
                specs.append((at(days=1, hours=step, minutes=i), f"trustee:{i}", action, message))
        specs.append(
            (
                at(days=1, hours=4),
                "trustee:3",
                "ceremony-complete",
                {"ceremony": t.number, "election_key": b64url(t.election.election_key)},
            )
        )
        return specs

    def events(self) -> list[Event]:
        specs: list[tuple[str, str, str, dict[str, Any]]] = []
        first = self.rounds[0]
        specs.append((at(), ORGANISER, "create", {"title": "Host city 2029"}))
        specs.append(
            (at(minutes=1), ORGANISER, "open-candidacies", _move("draft", "candidacies", 1))
        )
        specs += self.ceremony_events()
        specs.append(
            (
                at(days=2),
                ORGANISER,
                "freeze",
                _move("candidacies", "frozen", 1)
                | {
                    "keys": {
                        "authority": first.manifest["keys"]["authority"],
                        "registrar": first.manifest["keys"]["registrar"],
                        "election": first.manifest["keys"]["election"],
                    },
                    "trustees": {
                        "ceremony": self.trustees.number,
                        "threshold": self.trustees.threshold,
                    },
                }
                | self.electorate_details(),
            )
        )
        for k, cancelled in enumerate(self.cancelled, start=1):
            specs.append((at(days=2, seconds=k), ORGANISER, "tokens-issued", cancelled))
            specs.append(
                (
                    at(days=2, seconds=k, milliseconds=500),
                    ORGANISER,
                    "tokens-cancelled",
                    cancelled | {"reason": "the download was interrupted"},
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
            old = self.voters[index]
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
            for k, data in enumerate(r.shuffles if r.closed_at else [], start=1):
                who = mixing.read_shuffle(data).trustee
                specs.append(
                    (
                        later(r.closed_at or "", minutes=k),
                        f"trustee:{who}",
                        "shuffle-added",
                        {
                            "round": r.number,
                            "index": k,
                            "trustee": who,
                            "hash": b64url(tally.message_hash(data)),
                        },
                    )
                )
            if r.result is not None:
                for who, data in sorted(r.decryptions.items()):
                    specs.append(
                        (
                            later(r.tallied_at, minutes=-10 + who),
                            f"trustee:{who}",
                            "decryption-added",
                            {
                                "round": r.number,
                                "trustee": who,
                                "hash": b64url(tally.message_hash(data)),
                            },
                        )
                    )
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
        heads = tuple(
            bundle.RoundHead(
                r.number,
                r.manifest_hash,
                len(r.entries),
                r.head,
                r.closed_at is not None,
                r.result is not None,
            )
            for r in self.rounds
        )
        out[bundle.AUDITORS] = self.auditors_text
        texts = {bundle.AUDITORS: hashlib.sha256(self.auditors_text).digest()}
        for r in self.rounds:
            if r.result is not None:
                name = bundle.round_member(r.number, "result.txt")
                texts[name] = hashlib.sha256(self.result_text).digest()
        head = bundle.Head(
            ballot=self.ballot,
            exported_at=self.exported_at or later(events[-1].at, seconds=5),
            state=self.state,
            events_count=len(events),
            events_head=prev,
            rounds=heads,
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
            out[name("board.jsonl")] = b"".join(e.line() for e in r.entries)
            if r.closed_at is not None:
                out[name("seal.json")] = self.seal(r).to_bytes()
            for k, data in enumerate(r.shuffles if r.closed_at else [], start=1):
                out[name(f"shuffle-{k}.json")] = data
            if r.result is not None:
                for who, data in sorted(r.decryptions.items()):
                    out[name(f"decryption-{who}.json")] = data
                record = r.record(self.ballot)
                out[name("tally.json")] = record
                out[name("tally.sig")] = bundle.signature_text(
                    keys.sign(self.signer("tally"), tally.signed_message(tally.record_hash(record)))
                )
                out[name("votes.jsonl")] = b"".join(r.votes)
                out[name("result.txt")] = self.result_text
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


def new_voter(ballot_id: str, registrar: bytes) -> Voter:
    seed, line = credentials.issue(ballot_id, registrar)
    return Voter(seed, line)


@cache
def _trustees(ballot_id: str) -> Trustees:
    """One ceremony per ballot id, shared by the tests (its HPKE and proofs take time)."""
    return make_trustees(ballot_id)


def payload_of(kind: int, *body: int) -> bytes:
    """A raw vote payload (format 2): to cast what the voting page would not write."""
    data = bytes([2, kind, *body])
    return data + bytes(28 - len(data))


UNKNOWN = payload_of(1, 9)  # a choice of candidate 9, which the round does not have
MALFORMED = payload_of(1, 1, 5)  # a choice with bytes after it


def honest(
    votes: list[Vote | None] | None = None,
    *,
    voters: int | None = None,
    method: str = "plurality",
    candidates: tuple[str, ...] = ("lyon", "porto", "turin"),
    rules: dict[str, Any] | None = None,
    sealed: bool = True,
    published: bool = True,
    ballot_id: str = BALLOT,
) -> Model:
    """A ballot whose round 1 received `votes` (None: the voter does not vote), one voter
    each unless `voters` says more, from 3 days after the start, one a second."""
    votes = (
        [{"v": 1, "choice": "lyon"}, {"v": 1, "choice": "lyon"}, {"v": 1, "blank": True}]
        if votes is None
        else votes
    )
    registrar = keys.new_ed25519()[0]
    people = [new_voter(ballot_id, registrar) for _ in range(voters or len(votes))]
    people.sort(key=lambda v: v.pk)
    r = RoundModel(
        1,
        list(candidates),
        rules if rules is not None else {"quorum": None, "blank_allowed": True},
        at(days=3),
        at(days=10),
    )
    model = Model(
        ballot_id, method, keys.new_ed25519()[0], registrar, people, [r], _trustees(ballot_id)
    )
    model.fix_manifest(r)
    for i, (voter, choice) in enumerate(zip(people, votes, strict=False)):
        if choice is not None:
            model.cast(r, voter, choice, at(days=3, seconds=i + 1))
    if sealed:
        r.closed_at = r.closes_at
        if published:
            model.tally(r, at(days=10, hours=1))
    return model


def next_round(model: Model, votes: list[Vote | None]) -> RoundModel:
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
