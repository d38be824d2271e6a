"""The tables. Rules live in `domain/`; these classes only hold rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship

from inmc_vote.db.types import UTCDateTime

# Stable constraint names, so that migrations can name what they alter on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class City(Base):
    """A member city of the network. Suspended cities keep their history but cannot vote."""

    __tablename__ = "cities"
    __table_args__ = (UniqueConstraint("country", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120))  # folded name, for re-imports
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(60), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Account(Base):
    """An organiser who signs in (`role` is always "organiser")."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiKey(Base):
    """An API key: its public id and the SHA-256 of its secret half (never the secret)."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    account: Mapped[Account] = relationship(lazy="joined")


class AccountEvent(Base):
    """What was done to an account (disabled, enabled, password reset, keys revoked), by
    whom and when: the accounts' audit record."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    by: Mapped[str] = mapped_column(String(254))


class SignInAttempt(Base):
    """One sign-in attempt, for the rate limit: failures count for a short window,
    successes mark the addresses an account is known to sign in from."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    address: Mapped[str] = mapped_column(String(45), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class WebSession(Base):
    """A signed-in browser. The cookie holds the id; the table holds only its hash."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship(lazy="joined")


class Ballot(Base):
    __tablename__ = "ballots"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(String(500))
    # The title and question in French and in English, when given ("" when not): shown in
    # the reader's language, else the text above (0008_ballot_texts, docs/languages.md).
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    question_fr: Mapped[str] = mapped_column(String(500), default="")
    question_en: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(20))
    quorum: Mapped[str | None] = mapped_column(String(20), nullable=True)  # "1/2"
    blank_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    # exhaustive ballots: a tie for last settled by "lot" or by a "runoff" between the tied
    last_place_tie: Mapped[str] = mapped_column(String(10), default="lot", server_default="lot")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    candidacy_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(20))
    round: Mapped[int] = mapped_column(Integer, default=1)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_another_round: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    tokens_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # who makes the tokens (domain.codes.Custody): "offline" unless the ballot says "server"
    credential_authority: Mapped[str] = mapped_column(
        String(20), default="offline", server_default="offline"
    )
    registrar_party: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Candidacy(Base):
    """One city's candidacy to host, one per city per ballot."""

    __tablename__ = "candidacies"
    __table_args__ = (UniqueConstraint("ballot_id", "city_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    status: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    # The summary in French and in English, when given (as the ballot's title_fr/title_en).
    summary_fr: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    proposed_dates: Mapped[str] = mapped_column(String(300))
    venue: Mapped[str] = mapped_column(String(300))
    by_organiser: Mapped[bool] = mapped_column(Boolean, default=False)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    city: Mapped[City] = relationship(lazy="joined")
    dossier: Mapped[Dossier | None] = relationship(
        lazy="joined", back_populates="candidacy", cascade="all, delete-orphan"
    )


class Dossier(Base):
    """A candidacy's PDF, kept with its SHA-256 so that anyone can check the copy they read."""

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidacy_id: Mapped[int] = mapped_column(
        ForeignKey("candidacies.id", ondelete="CASCADE"), unique=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    candidacy: Mapped[Candidacy] = relationship(back_populates="dossier")


class PortalLink(Base):
    """A city's signed, expiring, revocable link to its candidacy portal."""

    __tablename__ = "portal_links"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    city: Mapped[City] = relationship(lazy="joined")


class Candidate(Base):
    """A candidate fixed at freeze, from an accepted candidacy."""

    __tablename__ = "candidates"

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    candidate_id: Mapped[str] = mapped_column(String(80), primary_key=True)  # the city's slug
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    position: Mapped[int] = mapped_column(Integer)

    city: Mapped[City] = relationship(lazy="joined")


class Elector(Base):
    """A city of the electorate fixed at freeze: the active members at that moment."""

    __tablename__ = "electorate"

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), primary_key=True)


class BallotEvent(Base):
    """One entry of a ballot's hash-chained event log (see domain/protocol/events.py)."""

    __tablename__ = "ballot_events"

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(40))
    data: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)


class BallotKeys(Base):
    """A ballot's signing keys, for all its rounds. Private halves held by the server are
    sealed with the secret key (AES-GCM); the registrar's is absent when the tokens were
    issued offline."""

    __tablename__ = "ballot_keys"

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    authority_pk: Mapped[bytes] = mapped_column(LargeBinary(32))
    authority_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    registrar_pk: Mapped[bytes] = mapped_column(LargeBinary(32))
    registrar_sealed: Mapped[bytes | None] = mapped_column(
        LargeBinary, nullable=True
    )  # None: offline
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Ceremony(Base):
    """One run of the trustees' key ceremony for a ballot. Naming the trustees again starts
    the next one (`ceremony` + 1) and marks the one before as `replaced`."""

    __tablename__ = "ceremonies"

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    ceremony: Mapped[int] = mapped_column(Integer, primary_key=True)
    threshold: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))  # open, failed, complete, replaced
    election_key: Mapped[bytes | None] = mapped_column(LargeBinary(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Trustee(Base):
    """A trustee of one ceremony: the SHA-256 of its invitation (never the invitation) and
    the exact bytes of each message it sent, as received and checked."""

    __tablename__ = "trustees"
    __table_args__ = (
        ForeignKeyConstraint(
            ["ballot_id", "ceremony"],
            ["ceremonies.ballot_id", "ceremonies.ceremony"],
            ondelete="CASCADE",
        ),
    )

    ballot_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    ceremony: Mapped[int] = mapped_column(Integer, primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    invitation_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    certificate: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    deal: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    complaint: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class Manifest(Base):
    """A round's manifest: its exact canonical bytes, as served and hashed."""

    __tablename__ = "manifests"

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))  # the authority's, over `hash`
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RollEntry(Base):
    """A credential on the roll: its public key and the registrar's signature, never the
    token and never the city that holds it."""

    __tablename__ = "roll"
    __table_args__ = (UniqueConstraint("ballot_id", "fingerprint"),)

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    pk: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    sig: Mapped[bytes] = mapped_column(LargeBinary(64))
    fingerprint: Mapped[str] = mapped_column(String(24))
    initial: Mapped[bool] = mapped_column(Boolean)  # on the manifest's roll, or a replacement
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BoardEntry(Base):
    """One ballot received, chained to the one before it. One per credential per round.
    `ballot` is the ballot's canonical JSON (docs/protocol.md, "The ballot"), `tracker`
    its SHA-256, `alpha` and `beta` its ciphertext, kept apart for the mix's input."""

    __tablename__ = "board"
    __table_args__ = (
        UniqueConstraint("ballot_id", "round", "credential"),
        UniqueConstraint("ballot_id", "round", "tracker"),
    )

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[str] = mapped_column(String(30))
    credential: Mapped[bytes] = mapped_column(LargeBinary(32))
    ballot: Mapped[bytes] = mapped_column(LargeBinary)  # canonical JSON
    tracker: Mapped[bytes] = mapped_column(LargeBinary(32))
    alpha: Mapped[bytes] = mapped_column(LargeBinary(32))
    beta: Mapped[bytes] = mapped_column(LargeBinary(32))
    prev: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)


class Seal(Base):
    """The authority's signature over a round's board at closing."""

    __tablename__ = "seals"

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    head: Mapped[bytes] = mapped_column(LargeBinary(32))
    closed_at: Mapped[str] = mapped_column(String(30))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class Tally(Base):
    """A round's signed tally record (canonical JSON) and when its results were published."""

    __tablename__ = "tallies"

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))  # the authority's
    outcome: Mapped[str] = mapped_column(String(20))  # elected, next-round, no-quorum...
    winner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Shuffle(Base):
    """One trustee's shuffle of a round's ciphertexts: the exact message bytes, with the
    hashes of its input and output lists. At most one per trustee and round."""

    __tablename__ = "shuffles"
    __table_args__ = (UniqueConstraint("ballot_id", "round", "trustee"),)

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1, 2, ... in order
    trustee: Mapped[int] = mapped_column(Integer)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))  # SHA-256 of `data`
    input_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    output_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Decryption(Base):
    """One trustee's decryption shares of a round's mixed ciphertexts (exact bytes)."""

    __tablename__ = "decryptions"

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    trustee: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))  # SHA-256 of `data`
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TallyVote(Base):
    """One decrypted vote of a round, at its position in the mixed order (from 1): counted,
    blank or invalid (with the reason), and the decoded vote (null when malformed)."""

    __tablename__ = "tally_votes"

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    vote: Mapped[str | None] = mapped_column(Text, nullable=True)  # canonical JSON
