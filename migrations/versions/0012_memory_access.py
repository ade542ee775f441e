"""Access counts in a narrow table of their own, so that search never rewrites a memory.

Every search counted each hit it returned by updating the memory row: a new version of a wide row
(text, vector, tsvectors) per hit, which bloated the table and its indexes and slowed every later
scan of the user's memories. ``memory_access`` holds one small row per memory that was ever
returned, keyed like the memory and deleted with it.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

APP_ROLE = "graphmem_app"

UPGRADE = f"""
CREATE TABLE memory_access (
    user_id text NOT NULL,
    memory_id bigint NOT NULL,
    access_count integer NOT NULL DEFAULT 0,
    last_accessed_at timestamptz,
    CONSTRAINT memory_access_pkey PRIMARY KEY (user_id, memory_id),
    CONSTRAINT memory_access_memory_fk FOREIGN KEY (user_id, memory_id)
        REFERENCES memories (user_id, id) ON DELETE CASCADE
);
INSERT INTO memory_access (user_id, memory_id, access_count, last_accessed_at)
SELECT user_id, id, access_count, last_accessed_at FROM memories
WHERE access_count > 0 OR last_accessed_at IS NOT NULL;
ALTER TABLE memories DROP COLUMN access_count, DROP COLUMN last_accessed_at;

ALTER TABLE memory_access ENABLE ROW LEVEL SECURITY;
ALTER TABLE memory_access FORCE ROW LEVEL SECURITY;
CREATE POLICY user_isolation ON memory_access
    USING (user_id = NULLIF(current_setting('app.user_id', true), ''))
    WITH CHECK (user_id = NULLIF(current_setting('app.user_id', true), ''));
GRANT SELECT, INSERT, UPDATE, DELETE ON memory_access TO {APP_ROLE};
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_access ON memory_access TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
"""

DOWNGRADE = """
ALTER TABLE memories ADD COLUMN access_count integer NOT NULL DEFAULT 0, ADD COLUMN last_accessed_at timestamptz;
UPDATE memories m SET access_count = a.access_count, last_accessed_at = a.last_accessed_at
FROM memory_access a WHERE a.user_id = m.user_id AND a.memory_id = m.id;
DROP TABLE memory_access;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
