"""integrity against the operator: who holds a ballot's credential authority

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-18 09:00:00

`ballots.credential_authority` says who makes the tokens: `offline` (the default: a
named party with `inmc-vote tokens issue`, the server never holding the registrar key)
or `server` (the demo, and ballots that say so); `ballots.registrar_party` names who
holds the registrar key. Ballots whose registrar key the server already holds keep
server custody, as before; the others become offline.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "credential_authority",
                sa.String(length=10),
                server_default="offline",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("registrar_party", sa.String(length=120), server_default="", nullable=False)
        )
    op.execute(
        "UPDATE ballots SET credential_authority = 'server' WHERE id IN "
        "(SELECT ballot_id FROM ballot_keys WHERE registrar_sealed IS NOT NULL)"
    )
    # The empty default fills the existing rows only: the model sets the column itself.
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.alter_column("registrar_party", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_column("registrar_party")
        batch_op.drop_column("credential_authority")
