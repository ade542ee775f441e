"""Memory lifecycle: kinds, importance, access counts, expiry and archiving; maintenance jobs.

- A memory is ``short_term``, ``long_term`` (the default) or a ``fact`` (a fact or preference).
- ``importance`` (0..1) and ``access_count``/``last_accessed_at``, which search updates.
- ``expires_at``: a memory past it is hidden at once and, by the next maintenance job, deleted,
  or archived when ``archive_on_expiry``. An archived memory is kept but out of retrieval.
- ``messages.lifecycle`` carries what the client asked for (kind, importance, expiry) from the
  accepting request to the job that creates the memory.
- ``ingest_jobs.kind``: ``maintenance`` jobs run on the same queue. They span users, so their
  ``user_id`` is the empty string and they have no conversation.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE memories
    ADD COLUMN importance real NOT NULL DEFAULT 0.5,
    ADD COLUMN access_count integer NOT NULL DEFAULT 0,
    ADD COLUMN last_accessed_at timestamptz,
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN archive_on_expiry boolean NOT NULL DEFAULT false,
    ADD COLUMN archived_at timestamptz,
    ADD CONSTRAINT memories_kind_check CHECK (kind IN ('short_term', 'long_term', 'fact')),
    ADD CONSTRAINT memories_importance_check CHECK (importance >= 0 AND importance <= 1);
CREATE INDEX memories_expiry_idx ON memories (expires_at) WHERE expires_at IS NOT NULL AND archived_at IS NULL;

ALTER TABLE messages ADD COLUMN lifecycle jsonb NOT NULL DEFAULT '{}'::jsonb;

ALTER TABLE ingest_jobs
    ADD COLUMN kind text NOT NULL DEFAULT 'ingest',
    ALTER COLUMN conversation_id DROP NOT NULL,
    ADD CONSTRAINT ingest_jobs_kind_check CHECK (kind IN ('ingest', 'maintenance'));
-- At most one pending maintenance job, however many workers schedule it.
CREATE UNIQUE INDEX ingest_jobs_one_maintenance_idx ON ingest_jobs (user_id, kind)
    WHERE kind = 'maintenance' AND state IN ('queued', 'running');
"""

DOWNGRADE = """
DROP INDEX IF EXISTS ingest_jobs_one_maintenance_idx;
DELETE FROM ingest_jobs WHERE kind = 'maintenance';
ALTER TABLE ingest_jobs DROP CONSTRAINT ingest_jobs_kind_check, DROP COLUMN kind,
    ALTER COLUMN conversation_id SET NOT NULL;
ALTER TABLE messages DROP COLUMN lifecycle;
DROP INDEX IF EXISTS memories_expiry_idx;
ALTER TABLE memories DROP CONSTRAINT memories_importance_check, DROP CONSTRAINT memories_kind_check,
    DROP COLUMN archived_at, DROP COLUMN archive_on_expiry, DROP COLUMN expires_at,
    DROP COLUMN last_accessed_at, DROP COLUMN access_count, DROP COLUMN importance;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
