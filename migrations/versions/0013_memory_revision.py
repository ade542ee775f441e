"""A revision number of each user's memories, bumped by triggers on every change to them.

Search holds each user's BM25 index and corpus profile (memory count, median length, passages)
in process, and read them afresh only when a stamp changed; computing that stamp took an
aggregate over all the user's memories on every search. ``users.memory_revision`` is one row
read instead. As with ``graph_revision`` (0010), triggers bump it for every writer, and values
come from one sequence, so a re-created user never meets a revision some process still holds.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

APP_ROLE = "graphmem_app"

FUNCTION = """
CREATE FUNCTION graphmem_bump_memory_revision() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE users SET memory_revision = nextval('memory_revision_seq')
        WHERE user_id IN (SELECT DISTINCT user_id FROM changed_old);
    ELSE
        UPDATE users SET memory_revision = nextval('memory_revision_seq')
        WHERE user_id IN (SELECT DISTINCT user_id FROM changed_new);
    END IF;
    RETURN NULL;
END $$
"""

TRIGGERS = {
    "insert": "AFTER INSERT ON memories REFERENCING NEW TABLE AS changed_new",
    "update": "AFTER UPDATE ON memories REFERENCING NEW TABLE AS changed_new",
    "delete": "AFTER DELETE ON memories REFERENCING OLD TABLE AS changed_old",
}


def upgrade() -> None:
    op.execute("CREATE SEQUENCE memory_revision_seq")
    op.execute("ALTER TABLE users ADD COLUMN memory_revision bigint")
    op.execute("UPDATE users SET memory_revision = nextval('memory_revision_seq')")
    op.execute("ALTER TABLE users ALTER COLUMN memory_revision SET DEFAULT nextval('memory_revision_seq'), "
               "ALTER COLUMN memory_revision SET NOT NULL")
    op.execute(f"GRANT USAGE, SELECT, UPDATE ON SEQUENCE memory_revision_seq TO {APP_ROLE}")
    op.execute(FUNCTION)
    for event, spec in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER memories_revision_{event} {spec} FOR EACH STATEMENT "
            "EXECUTE FUNCTION graphmem_bump_memory_revision()"
        )


def downgrade() -> None:
    for event in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS memories_revision_{event} ON memories")
    op.execute("DROP FUNCTION IF EXISTS graphmem_bump_memory_revision()")
    op.execute("ALTER TABLE users DROP COLUMN memory_revision")
    op.execute("DROP SEQUENCE IF EXISTS memory_revision_seq")
