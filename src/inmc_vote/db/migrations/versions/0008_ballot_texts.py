"""ballot texts: a ballot's title and question, and a candidacy's summary, in French and English

Revision ID: 0008_ballot_texts
Revises: 0007_mail
Create Date: 2027-01-25 09:00:00

Optional variants of the texts a person reads, shown in the reader's language, else the
text as first written (docs/languages.md). Empty for every existing row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_ballot_texts"
down_revision = "0007_mail"
branch_labels = None
depends_on = None

_BALLOT = (("title_fr", 200), ("title_en", 200), ("question_fr", 500), ("question_en", 500))
_CANDIDACY = ("summary_fr", "summary_en")


def upgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        for name, length in _BALLOT:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
    with op.batch_alter_table("candidacies", schema=None) as batch_op:
        for name in _CANDIDACY:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
    # The empty default fills the existing rows only: the model sets the columns itself.
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        for name, _length in _BALLOT:
            batch_op.alter_column(name, server_default=None)
    with op.batch_alter_table("candidacies", schema=None) as batch_op:
        for name in _CANDIDACY:
            batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("candidacies", schema=None) as batch_op:
        for name in reversed(_CANDIDACY):
            batch_op.drop_column(name)
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        for name, _length in reversed(_BALLOT):
            batch_op.drop_column(name)
