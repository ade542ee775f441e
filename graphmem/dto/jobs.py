"""Ingest jobs on the wire: what a 202 points to, and the admin view of the queue."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from msgspec import Struct

__all__ = ["JobState", "JobRef", "Job", "JobPage", "QueueCounts"]

JobState = Literal["queued", "running", "done", "failed"]


class JobRef(Struct):
    id: int
    state: JobState
    href: str  # GET it to poll the job


class Job(Struct):
    id: int
    user_id: str  # empty for maintenance jobs, which span users
    conversation_id: str | None
    state: JobState
    message_ids: list[int]
    attempts: int
    max_attempts: int
    error: str | None  # the last failure, kept after a retry succeeds
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    kind: Literal["ingest", "maintenance"] = "ingest"


class JobPage(Struct):
    jobs: list[Job]
    next_cursor: str | None


class QueueCounts(Struct):
    queued: int
    running: int
    done: int
    failed: int
