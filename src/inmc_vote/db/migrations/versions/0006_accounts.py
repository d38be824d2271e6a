"""accounts: the sign-in rate limit in the database, the accounts' audit record, no auditors

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-19 09:00:00

`sign_in_attempts` holds each sign-in attempt (when, from which address, for which
e-mail, whether it succeeded), so that the limit holds across processes and restarts;
`account_events` records who disabled, enabled, reset or revoked what. The `auditor`
role granted nothing (the audit is public and needs no account): its accounts, their
API keys and sessions are removed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    op.create_index(op.f("ix_sign_in_attempts_at"), "sign_in_attempts", ["at"])
    op.create_index(op.f("ix_sign_in_attempts_address"), "sign_in_attempts", ["address"])
    op.create_index(op.f("ix_sign_in_attempts_email"), "sign_in_attempts", ["email"])
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_events_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_events")),
    )
    op.create_index(op.f("ix_account_events_account_id"), "account_events", ["account_id"])
    for table in ("web_sessions", "api_keys", "account_events"):
        op.execute(
            f"DELETE FROM {table} WHERE account_id IN "  # noqa: S608 (our own table names)
            "(SELECT id FROM accounts WHERE role = 'auditor')"
        )
    op.execute("DELETE FROM accounts WHERE role = 'auditor'")


def downgrade() -> None:
    op.drop_index(op.f("ix_account_events_account_id"), table_name="account_events")
    op.drop_table("account_events")
    op.drop_index(op.f("ix_sign_in_attempts_email"), table_name="sign_in_attempts")
    op.drop_index(op.f("ix_sign_in_attempts_address"), table_name="sign_in_attempts")
    op.drop_index(op.f("ix_sign_in_attempts_at"), table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
