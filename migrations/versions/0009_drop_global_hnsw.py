"""Drop the global HNSW index on memory embeddings.

Every vector search is one user's (``user_id = …`` under row-level security), and measured at
1M memories / 10k users the planner always reads that user's rows by ``(user_id, ts)`` and
sorts them exactly: about 2 ms, recall 1.0. The global graph was never used (forced, the
iterative scan gave recall 0.09, since one user's rows are a needle in it), yet it cost about
2 GB, a five-minute build and work on every insert. See docs/scaling.md.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS memories_embedding_hnsw_idx")


def downgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS memories_embedding_hnsw_idx ON memories USING hnsw (embedding vector_cosine_ops)")
