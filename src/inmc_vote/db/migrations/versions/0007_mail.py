"""mail: a ballot's credential authority may be `server-mail`

Revision ID: 0007_mail
Revises: 0006
Create Date: 2027-01-25 09:00:00

`ballots.credential_authority` gains the custody `server-mail` (the server makes the
tokens and e-mails each city its letter), eleven characters: the column widens from 10
to 20. Nothing else is stored for mail: what was sent goes into the event log.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_mail"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.alter_column(
            "credential_authority",
            existing_type=sa.String(length=10),
            type_=sa.String(length=20),
            existing_nullable=False,
            existing_server_default="offline",
        )


def downgrade() -> None:
    op.execute(
        "UPDATE ballots SET credential_authority = 'server' "
        "WHERE credential_authority = 'server-mail'"
    )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.alter_column(
            "credential_authority",
            existing_type=sa.String(length=20),
            type_=sa.String(length=10),
            existing_nullable=False,
            existing_server_default="offline",
        )
