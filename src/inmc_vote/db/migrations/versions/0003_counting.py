"""counting: per-round tally keys and seeds, tally records and outcomes, the last-place tie rule

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 22:10:00

Each round gets its own tally key and tie-break seed (both are revealed at its tally),
so the round-1 columns of `ballot_keys` move to `round_keys`, row for row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_MOVED = ("tally_pk", "tally_sealed", "tally_custody", "seed_sealed", "seed_commitment")


def upgrade() -> None:
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
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_round_keys_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "round", name=op.f("pk_round_keys")),
    )
    columns = ", ".join(_MOVED)  # constant column names, not input
    op.execute(
        f"INSERT INTO round_keys (ballot_id, round, {columns}, created_at) "  # noqa: S608
        f"SELECT ballot_id, 1, {columns}, created_at FROM ballot_keys"
    )
    with op.batch_alter_table("ballot_keys", schema=None) as batch_op:
        for column in _MOVED:
            batch_op.drop_column(column)

    op.create_table(
        "tallies",
        sa.Column("ballot_id", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("winner", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_tallies_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "round", name=op.f("pk_tallies")),
        sa.UniqueConstraint("hash", name=op.f("uq_tallies_hash")),
    )
    op.create_table(
        "tally_outcomes",
        sa.Column("ballot_id", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("vote", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_tally_outcomes_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "round", "seq", name=op.f("pk_tally_outcomes")),
    )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_place_tie", sa.String(length=10), server_default="lot", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_column("last_place_tie")
    op.drop_table("tally_outcomes")
    op.drop_table("tallies")
    with op.batch_alter_table("ballot_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tally_pk", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("tally_sealed", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("tally_custody", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("seed_sealed", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("seed_commitment", sa.LargeBinary(length=32), nullable=True))
    for column in _MOVED:
        op.execute(
            f"UPDATE ballot_keys SET {column} = (SELECT {column} FROM round_keys "  # noqa: S608
            "WHERE round_keys.ballot_id = ballot_keys.ballot_id AND round_keys.round = 1)"
        )
    with op.batch_alter_table("ballot_keys", schema=None) as batch_op:
        for column in ("tally_pk", "tally_custody", "seed_sealed", "seed_commitment"):
            batch_op.alter_column(column, nullable=False)
    op.drop_table("round_keys")
