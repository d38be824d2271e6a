"""secret ballot (protocol v2): the trustees' key ceremony, ElGamal ballots, the mix-net

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-04 09:00:00

Protocol v2 replaces the server's tally key and tie-break seed (`round_keys`) by the
trustees' election key (`ceremonies`, `trustees`); a board entry keeps the ballot's
canonical JSON, its tracker and its ciphertext (`alpha`, `beta`) instead of v1's HPKE
ciphertext and signature; the tally keeps the trustees' `shuffles` and `decryptions`
and one line per mixed vote (`tally_votes`, replacing `tally_outcomes`).

No ballot ran protocol v1 in production: the v1 board entries and tally outcomes are
dropped, not converted (they could not be: v1 ciphertexts cannot be mixed). Downgrading
drops the v2 rows likewise.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _ballot_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["ballot_id"],
        ["ballots.id"],
        name=op.f(f"fk_{table}_ballot_id_ballots"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "ceremonies",
        sa.Column("ballot_id", sa.String(length=16), nullable=False),
        sa.Column("ceremony", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("election_key", sa.LargeBinary(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        _ballot_fk("ceremonies"),
        sa.PrimaryKeyConstraint("ballot_id", "ceremony", name=op.f("pk_ceremonies")),
    )
    op.create_table(
        "trustees",
        sa.Column("ballot_id", sa.String(length=16), nullable=False),
        sa.Column("ceremony", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("invitation_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("certificate", sa.LargeBinary(), nullable=True),
        sa.Column("deal", sa.LargeBinary(), nullable=True),
        sa.Column("key", sa.LargeBinary(), nullable=True),
        sa.Column("complaint", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ballot_id", "ceremony"],
            ["ceremonies.ballot_id", "ceremonies.ceremony"],
            name=op.f("fk_trustees_ballot_id_ceremonies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "ceremony", "index", name=op.f("pk_trustees")),
        sa.UniqueConstraint("invitation_hash", name=op.f("uq_trustees_invitation_hash")),
    )
    op.create_table(
        "shuffles",
        sa.Column("ballot_id", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("trustee", sa.Integer(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("input_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("output_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _ballot_fk("shuffles"),
        sa.PrimaryKeyConstraint("ballot_id", "round", "index", name=op.f("pk_shuffles")),
        sa.UniqueConstraint(
            "ballot_id", "round", "trustee", name=op.f("uq_shuffles_ballot_id_round_trustee")
        ),
    )
    op.create_table(
        "decryptions",
        sa.Column("ballot_id", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("trustee", sa.Integer(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _ballot_fk("decryptions"),
        sa.PrimaryKeyConstraint("ballot_id", "round", "trustee", name=op.f("pk_decryptions")),
    )
    op.create_table(
        "tally_votes",
        sa.Column("ballot_id", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("vote", sa.Text(), nullable=True),
        _ballot_fk("tally_votes"),
        sa.PrimaryKeyConstraint("ballot_id", "round", "position", name=op.f("pk_tally_votes")),
    )
    op.drop_table("tally_outcomes")
    op.drop_table("round_keys")

    # v1 entries cannot become v2 ones (no ElGamal ciphertext to mix): they go.
    op.execute("DELETE FROM board")
    with op.batch_alter_table("board", schema=None) as batch_op:
        batch_op.drop_column("ciphertext")
        batch_op.drop_column("signature")
        batch_op.add_column(sa.Column("ballot", sa.LargeBinary(), nullable=False))
        batch_op.add_column(sa.Column("tracker", sa.LargeBinary(length=32), nullable=False))
        batch_op.add_column(sa.Column("alpha", sa.LargeBinary(length=32), nullable=False))
        batch_op.add_column(sa.Column("beta", sa.LargeBinary(length=32), nullable=False))
        batch_op.create_unique_constraint(
            batch_op.f("uq_board_ballot_id_round_tracker"), ["ballot_id", "round", "tracker"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM board")
    with op.batch_alter_table("board", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_board_ballot_id_round_tracker"), type_="unique")
        batch_op.drop_column("beta")
        batch_op.drop_column("alpha")
        batch_op.drop_column("tracker")
        batch_op.drop_column("ballot")
        batch_op.add_column(sa.Column("ciphertext", sa.LargeBinary(), nullable=False))
        batch_op.add_column(sa.Column("signature", sa.LargeBinary(length=64), nullable=False))

    op.create_table(
        "round_keys",
        sa.Column("ballot_id", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("tally_pk", sa.LargeBinary(length=32), nullable=False),
        sa.Column("tally_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("tally_custody", sa.String(length=20), nullable=False),
        sa.Column("seed_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("seed_commitment", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _ballot_fk("round_keys"),
        sa.PrimaryKeyConstraint("ballot_id", "round", name=op.f("pk_round_keys")),
    )
    op.create_table(
        "tally_outcomes",
        sa.Column("ballot_id", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("vote", sa.Text(), nullable=True),
        _ballot_fk("tally_outcomes"),
        sa.PrimaryKeyConstraint("ballot_id", "round", "seq", name=op.f("pk_tally_outcomes")),
    )
    op.drop_table("tally_votes")
    op.drop_table("decryptions")
    op.drop_table("shuffles")
    op.drop_table("trustees")
    op.drop_table("ceremonies")
