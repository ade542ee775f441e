"""Passage memories: a long message is also indexed in parts, each linked to the whole.

A message becomes one memory as before; when it is long, each passage of it also becomes a
memory with ``parent_id`` (the whole message's memory) and its character span in the message.
Passages serve the dense channel, whose model reads only the first few hundred words of a text;
a passage hit is credited to its message. Deleting the whole deletes its passages.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE memories
    ADD COLUMN parent_id bigint,
    ADD COLUMN span_start integer,
    ADD COLUMN span_end integer,
    ADD CONSTRAINT memories_parent_fk FOREIGN KEY (user_id, parent_id)
        REFERENCES memories (user_id, id) ON DELETE CASCADE;
CREATE INDEX memories_parent_idx ON memories (user_id, parent_id) WHERE parent_id IS NOT NULL;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute("DELETE FROM memories WHERE parent_id IS NOT NULL")
    op.execute("ALTER TABLE memories DROP CONSTRAINT memories_parent_fk, DROP COLUMN span_end, "
               "DROP COLUMN span_start, DROP COLUMN parent_id")
