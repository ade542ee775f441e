"""Users and server status on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from msgspec import Struct

from graphmem.dto.jobs import Job, QueueCounts

__all__ = ["UserSummary", "UserPage", "Counts", "UserDetail", "Versions", "Models", "Status"]


class UserSummary(Struct):
    user_id: str
    created_at: datetime


class UserPage(Struct):
    users: list[UserSummary]
    next_cursor: str | None


class Counts(Struct):
    conversations: int
    messages: int
    memories: int
    entities: int
    relations: int


class UserDetail(Struct):
    user_id: str
    created_at: datetime
    counts: Counts
    first_seen: datetime | None  # the earliest message time
    last_seen: datetime | None  # the latest message time


class Versions(Struct):
    graphmem: str
    postgresql: str
    pgvector: str | None


class Models(Struct):
    embedding: str
    embedding_dimension: int
    spacy: str
    spacy_version: str | None = None  # the spaCy model package's version, e.g. "3.8.0"


class Status(Struct):
    versions: Versions
    models: Models
    database_mode: Literal["embedded", "external"]
    users: int
    counts: Counts  # over all users; exact, so each call scans the tables
    queue: QueueCounts | None = None  # ingest jobs by state
    failed_jobs: list[Job] = []  # the latest failures with their errors; retry via /v1/admin/jobs
