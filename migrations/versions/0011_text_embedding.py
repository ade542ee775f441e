"""A second vector per memory: the message's own words, without the date and speaker prefix.

The main vector embeds ``[date] Speaker: text``, which lets a query match who said something and
when. A query that names a participant ("What does Melanie do to relax?") is better served by
that participant's words alone, compared with the query minus the name: the name in both texts
otherwise dominates the similarity. Only memories of messages with a named speaker get one;
NULL falls back to the main vector.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE memories ADD COLUMN text_embedding vector(384)")


def downgrade() -> None:
    op.execute("ALTER TABLE memories DROP COLUMN text_embedding")
