"""Retrieval: a lexical document per memory that includes its neighbouring turns, and lengths for BM25.

``tsv`` stays the memory's own words; ``ctx_tsv`` adds the turns around it in the same session,
since a turn such as "Yes, twice last year!" means nothing alone. BM25 needs document lengths
(token counts, not distinct lexemes), so both are stored next to their vectors; ingest sets them.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE memories
            ADD COLUMN ctx_tsv tsvector,
            ADD COLUMN tsv_len integer NOT NULL DEFAULT 0,
            ADD COLUMN ctx_len integer NOT NULL DEFAULT 0;
        UPDATE memories SET ctx_tsv = tsv,
            tsv_len = (SELECT coalesce(sum(array_length(t.positions, 1)), 0) FROM unnest(tsv) t);
        UPDATE memories SET ctx_len = tsv_len;
        CREATE INDEX memories_ctx_tsv_idx ON memories USING gin (ctx_tsv);
        CREATE INDEX memories_conversation_ts_idx ON memories (user_id, conversation_id, ts, id);
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP INDEX IF EXISTS memories_conversation_ts_idx;
        DROP INDEX IF EXISTS memories_ctx_tsv_idx;
        ALTER TABLE memories DROP COLUMN ctx_len, DROP COLUMN ctx_tsv, DROP COLUMN tsv_len;
        """
    )
