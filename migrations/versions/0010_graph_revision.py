"""A revision number of each user's entity graph, bumped by triggers on every change to it.

Search keeps each user's entity graph (entities, aliases, relations, mentions) in process and
uses it only while ``users.graph_revision`` is the one it was built at. Triggers, not the
application, bump it, so every writer (ingest, merges, edits, deletes that cascade from a
memory, imports, hand-written SQL) invalidates the copies on every replica. Values come from
one sequence, also for new users, so a user erased and created again never reuses a revision.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

APP_ROLE = "graphmem_app"
TABLES = ("entities", "entity_aliases", "relations", "mentions")

# Statement-level: one update per statement and user, however many rows it wrote. A user whose
# row is already gone (a cascade from deleting it) matches nothing.
FUNCTION = """
CREATE FUNCTION graphmem_bump_graph_revision() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE users SET graph_revision = nextval('graph_revision_seq')
        WHERE user_id IN (SELECT DISTINCT user_id FROM changed_old);
    ELSE
        UPDATE users SET graph_revision = nextval('graph_revision_seq')
        WHERE user_id IN (SELECT DISTINCT user_id FROM changed_new);
    END IF;
    RETURN NULL;
END $$
"""

TRIGGERS = {
    "insert": "AFTER INSERT ON {t} REFERENCING NEW TABLE AS changed_new",
    "update": "AFTER UPDATE ON {t} REFERENCING NEW TABLE AS changed_new",
    "delete": "AFTER DELETE ON {t} REFERENCING OLD TABLE AS changed_old",
}


def upgrade() -> None:
    # A new user (or one re-created after erasure) starts at a fresh value too, never at one a
    # replica may still hold a graph for.
    op.execute("CREATE SEQUENCE graph_revision_seq")
    op.execute("ALTER TABLE users ADD COLUMN graph_revision bigint")
    op.execute("UPDATE users SET graph_revision = nextval('graph_revision_seq')")
    op.execute("ALTER TABLE users ALTER COLUMN graph_revision SET DEFAULT nextval('graph_revision_seq'), "
               "ALTER COLUMN graph_revision SET NOT NULL")
    op.execute(f"GRANT USAGE, SELECT, UPDATE ON SEQUENCE graph_revision_seq TO {APP_ROLE}")
    op.execute(FUNCTION)
    for table in TABLES:
        for event, spec in TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {table}_graph_revision_{event} {spec.format(t=table)} "
                "FOR EACH STATEMENT EXECUTE FUNCTION graphmem_bump_graph_revision()"
            )


def downgrade() -> None:
    for table in TABLES:
        for event in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_graph_revision_{event} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS graphmem_bump_graph_revision()")
    op.execute("ALTER TABLE users DROP COLUMN graph_revision")
    op.execute("DROP SEQUENCE IF EXISTS graph_revision_seq")
