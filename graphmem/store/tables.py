"""Table definitions for queries. The migrations in ``migrations/`` are the schema;
a test compares this metadata with the migrated database so the two cannot drift.

Every table carries ``user_id`` in its primary key and in every foreign key, so that
Citus can distribute all of them by ``user_id`` and route each query to one shard.
"""

from __future__ import annotations

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

__all__ = [
    "EMBEDDING_DIM",
    "metadata",
    "users",
    "conversations",
    "messages",
    "memories",
    "memory_access",
    "entities",
    "entity_aliases",
    "relations",
    "mentions",
    "entity_merges",
    "ingest_jobs",
    "erasure_log",
    "server_secrets",
    "api_keys",
    "GLOBAL_TABLES",
]

EMBEDDING_DIM = 384

metadata = sa.MetaData()


def _now() -> sa.TextClause:
    return sa.text("now()")


def _user_fk(cols: list[str], target: str, refcols: list[str], name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id", *cols], [f"{target}.user_id", *(f"{target}.{c}" for c in refcols)], name=name, ondelete="CASCADE"
    )


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger, sa.Identity(always=False), nullable=False)


users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    # Bumped by triggers on any change to the user's entity graph (migration 0010).
    sa.Column("graph_revision", sa.BigInteger, nullable=False, server_default=sa.text("nextval('graph_revision_seq')")),
    # Bumped by triggers on any change to the user's memories (migration 0013).
    sa.Column("memory_revision", sa.BigInteger, nullable=False, server_default=sa.text("nextval('memory_revision_seq')")),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("conversation_id", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.PrimaryKeyConstraint("user_id", "conversation_id", name="conversations_pkey"),
    sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], name="conversations_user_fk", ondelete="CASCADE"),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("user_id", sa.Text, nullable=False),
    _id(),
    sa.Column("conversation_id", sa.Text, nullable=False),
    sa.Column("client_id", sa.Text, nullable=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("speaker", sa.Text, nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
    sa.Column("metadata", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    # What the client asked of the memory-to-be (kind, importance, expiry), for the ingest job.
    sa.Column("lifecycle", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.PrimaryKeyConstraint("user_id", "id", name="messages_pkey"),
    _user_fk(["conversation_id"], "conversations", ["conversation_id"], "messages_conversation_fk"),
    sa.UniqueConstraint("user_id", "conversation_id", "client_id", name="messages_client_id_key"),
    sa.CheckConstraint("role IN ('user', 'assistant', 'other')", name="messages_role_check"),
    sa.Index("messages_conversation_ts_idx", "user_id", "conversation_id", "ts", "id"),
)

memories = sa.Table(
    "memories",
    metadata,
    sa.Column("user_id", sa.Text, nullable=False),
    _id(),
    sa.Column("message_id", sa.BigInteger, nullable=True),
    sa.Column("conversation_id", sa.Text, nullable=True),
    sa.Column("kind", sa.Text, nullable=False, server_default="long_term"),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("embedding", Vector(EMBEDDING_DIM), nullable=False),
    # The message's own words alone, for queries that name its speaker (migration 0011); NULL: use ``embedding``.
    sa.Column("text_embedding", Vector(EMBEDDING_DIM), nullable=True),
    sa.Column("embedding_model", sa.Text, nullable=True),  # what produced the embedding; NULL: unknown
    sa.Column("metadata", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column(
        "tsv",
        TSVECTOR,
        sa.Computed("to_tsvector('english'::regconfig, text)", persisted=True),
        nullable=True,
    ),
    sa.Column("ctx_tsv", TSVECTOR, nullable=True),  # the turn plus its session neighbours
    sa.Column("tsv_len", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ctx_len", sa.Integer, nullable=False, server_default="0"),
    sa.Column("importance", sa.REAL, nullable=False, server_default="0.5"),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),  # hidden from then; maintenance removes it
    sa.Column("archive_on_expiry", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),  # kept, but out of retrieval
    # A passage of a long message: the whole message's memory, and the passage's span in it.
    sa.Column("parent_id", sa.BigInteger, nullable=True),
    sa.Column("span_start", sa.Integer, nullable=True),
    sa.Column("span_end", sa.Integer, nullable=True),
    sa.PrimaryKeyConstraint("user_id", "id", name="memories_pkey"),
    _user_fk(["parent_id"], "memories", ["id"], "memories_parent_fk"),
    sa.CheckConstraint("kind IN ('short_term', 'long_term', 'fact')", name="memories_kind_check"),
    sa.CheckConstraint("importance >= 0 AND importance <= 1", name="memories_importance_check"),
    sa.Index(
        "memories_expiry_idx", "expires_at",
        postgresql_where=sa.text("expires_at IS NOT NULL AND archived_at IS NULL"),
    ),
    sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], name="memories_user_fk", ondelete="CASCADE"),
    _user_fk(["message_id"], "messages", ["id"], "memories_message_fk"),
    sa.Index("memories_user_ts_idx", "user_id", "ts"),
    sa.Index("memories_message_idx", "user_id", "message_id"),
    sa.Index("memories_parent_idx", "user_id", "parent_id", postgresql_where=sa.text("parent_id IS NOT NULL")),
    sa.Index("memories_tsv_idx", "tsv", postgresql_using="gin"),
    sa.Index("memories_ctx_tsv_idx", "ctx_tsv", postgresql_using="gin"),
    sa.Index("memories_conversation_ts_idx", "user_id", "conversation_id", "ts", "id"),
)

# How often search returned each memory: apart from the wide memory row, which search never rewrites (0012).
memory_access = sa.Table(
    "memory_access",
    metadata,
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("memory_id", sa.BigInteger, nullable=False),
    sa.Column("access_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_accessed_at", sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("user_id", "memory_id", name="memory_access_pkey"),
    _user_fk(["memory_id"], "memories", ["id"], "memory_access_memory_fk"),
)

entities = sa.Table(
    "entities",
    metadata,
    sa.Column("user_id", sa.Text, nullable=False),
    _id(),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("attributes", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("mention_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.PrimaryKeyConstraint("user_id", "id", name="entities_pkey"),
    sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], name="entities_user_fk", ondelete="CASCADE"),
    sa.UniqueConstraint("user_id", "type", "key", name="entities_type_key_key"),
    sa.Index("entities_user_key_idx", "user_id", "key"),
)

entity_aliases = sa.Table(
    "entity_aliases",
    metadata,
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("entity_id", sa.BigInteger, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("alias", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.PrimaryKeyConstraint("user_id", "entity_id", "key", name="entity_aliases_pkey"),
    _user_fk(["entity_id"], "entities", ["id"], "entity_aliases_entity_fk"),
    sa.Index("entity_aliases_user_key_idx", "user_id", "key"),
)

relations = sa.Table(
    "relations",
    metadata,
    sa.Column("user_id", sa.Text, nullable=False),
    _id(),
    sa.Column("subject_id", sa.BigInteger, nullable=False),
    sa.Column("predicate", sa.Text, nullable=False),
    sa.Column("object_id", sa.BigInteger, nullable=True),
    sa.Column("object_literal", sa.Text, nullable=True),
    sa.Column("polarity", sa.SmallInteger, nullable=False, server_default="1"),
    sa.Column("confidence", sa.Float, nullable=False, server_default="1.0"),
    sa.Column("attributes", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
    sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
    sa.Column("message_id", sa.BigInteger, nullable=True),
    sa.Column("span_start", sa.Integer, nullable=True),
    sa.Column("span_end", sa.Integer, nullable=True),
    sa.Column("source", sa.Text, nullable=False, server_default="extracted"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.PrimaryKeyConstraint("user_id", "id", name="relations_pkey"),
    _user_fk(["subject_id"], "entities", ["id"], "relations_subject_fk"),
    _user_fk(["object_id"], "entities", ["id"], "relations_object_fk"),
    _user_fk(["message_id"], "messages", ["id"], "relations_message_fk"),
    sa.CheckConstraint("polarity IN (-1, 1)", name="relations_polarity_check"),
    sa.CheckConstraint("source IN ('extracted', 'manual')", name="relations_source_check"),
    sa.CheckConstraint("object_id IS NOT NULL OR object_literal IS NOT NULL", name="relations_object_check"),
    sa.Index("relations_subject_idx", "user_id", "subject_id", "predicate"),
    sa.Index("relations_object_idx", "user_id", "object_id"),
    sa.Index("relations_message_idx", "user_id", "message_id"),
)

mentions = sa.Table(
    "mentions",
    metadata,
    sa.Column("user_id", sa.Text, nullable=False),
    _id(),
    sa.Column("entity_id", sa.BigInteger, nullable=False),
    sa.Column("memory_id", sa.BigInteger, nullable=False),
    sa.Column("message_id", sa.BigInteger, nullable=True),
    sa.Column("span_start", sa.Integer, nullable=True),
    sa.Column("span_end", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.PrimaryKeyConstraint("user_id", "id", name="mentions_pkey"),
    _user_fk(["entity_id"], "entities", ["id"], "mentions_entity_fk"),
    _user_fk(["memory_id"], "memories", ["id"], "mentions_memory_fk"),
    _user_fk(["message_id"], "messages", ["id"], "mentions_message_fk"),
    sa.Index("mentions_entity_idx", "user_id", "entity_id"),
    sa.Index("mentions_memory_idx", "user_id", "memory_id"),
    sa.Index("mentions_message_idx", "user_id", "message_id"),
)

entity_merges = sa.Table(
    "entity_merges",
    metadata,
    sa.Column("user_id", sa.Text, nullable=False),
    _id(),
    sa.Column("kept_id", sa.BigInteger, nullable=False),
    sa.Column("merged_id", sa.BigInteger, nullable=False),
    sa.Column("snapshot", JSONB, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default="auto"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("user_id", "id", name="entity_merges_pkey"),
    _user_fk(["kept_id"], "entities", ["id"], "entity_merges_kept_fk"),
    sa.Index("entity_merges_kept_idx", "user_id", "kept_id"),
)


ingest_jobs = sa.Table(
    "ingest_jobs",
    metadata,
    sa.Column("user_id", sa.Text, nullable=False),
    _id(),
    sa.Column("conversation_id", sa.Text, nullable=True),  # None for maintenance jobs
    sa.Column("message_ids", ARRAY(sa.BigInteger), nullable=False),
    sa.Column("state", sa.Text, nullable=False, server_default="queued"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer, nullable=False, server_default="5"),
    sa.Column("run_after", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("token", sa.Uuid, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("kind", sa.Text, nullable=False, server_default="ingest"),
    sa.PrimaryKeyConstraint("user_id", "id", name="ingest_jobs_pkey"),
    sa.CheckConstraint("kind IN ('ingest', 'maintenance')", name="ingest_jobs_kind_check"),
    sa.Index(
        "ingest_jobs_one_maintenance_idx", "user_id", "kind", unique=True,
        postgresql_where=sa.text("kind = 'maintenance' AND state IN ('queued', 'running')"),
    ),
    _user_fk(["conversation_id"], "conversations", ["conversation_id"], "ingest_jobs_conversation_fk"),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="ingest_jobs_state_check"),
    sa.Index(
        "ingest_jobs_claim_idx", "run_after", "id", postgresql_where=sa.text("state IN ('queued', 'running')")
    ),
    sa.Index("ingest_jobs_failed_idx", "updated_at", postgresql_where=sa.text("state = 'failed'")),
)


# Server-wide tables: no user_id, so not per-user data and not under row-level security.

erasure_log = sa.Table(
    "erasure_log",
    metadata,
    _id(),
    sa.Column("subject", sa.Text, nullable=False),  # salted HMAC of the user id, never the id
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("counts", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("duration_ms", sa.Float, nullable=False, server_default="0"),
    sa.PrimaryKeyConstraint("id", name="erasure_log_pkey"),
    sa.Index("erasure_log_subject_idx", "subject", "id"),
)

server_secrets = sa.Table(
    "server_secrets",
    metadata,
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.PrimaryKeyConstraint("name", name="server_secrets_pkey"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("prefix", sa.Text, nullable=False),  # the first characters, to recognise a key in a list
    sa.Column("key_hash", sa.Text, nullable=False),  # SHA-256 hex; the key itself is never stored
    sa.Column("scopes", ARRAY(sa.Text), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("id", name="api_keys_pkey"),
    sa.UniqueConstraint("key_hash", name="api_keys_key_hash_key"),
    sa.CheckConstraint("scopes <@ ARRAY['read', 'write', 'admin']::text[]", name="api_keys_scopes_check"),
)

GLOBAL_TABLES = frozenset({"erasure_log", "server_secrets", "api_keys"})
