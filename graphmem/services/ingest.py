"""Ingest: validate a batch, drop known client ids, run the stages, commit once.

The write takes the per-user lock before it inserts anything, the same lock erasure takes,
and then checks that the user was not erased since the batch arrived: a batch in flight
during an erasure is refused (409) instead of recreating the erased user.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.dto import IngestedMessage, IngestRequest, IngestResponse
from graphmem.errors import Conflict, InvalidInput
from graphmem.limits import as_utc, check_id, check_metadata, check_text
from graphmem.services.erasure import Subjects
from graphmem.services.pipeline import IngestBatch, PendingMessage, Stage
from graphmem.store import messages as message_store
from graphmem.store.privacy import lock_user, scope_to_user
from graphmem.store.tables import messages
from graphmem.store.users import ensure_conversation

__all__ = ["IngestService"]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class IngestService:
    def __init__(
        self,
        engine: AsyncEngine,
        stages: Sequence[Stage],
        clock: Callable[[], datetime] = _utcnow,
        *,
        subjects: Subjects | None = None,
    ) -> None:
        """Without ``subjects`` the erasure log is not consulted (unit use without erasure)."""
        self._engine = engine
        self._subjects = subjects
        self._stages = tuple(stages)
        names = [s.name for s in self._stages]
        if "graph" in names and names.index("graph") < names.index("memory"):  # mentions need memory ids
            raise ValueError("the memory stage must run before the graph stage")
        self._clock = clock

    async def ingest(self, user_id: str, conversation_id: str, request: IngestRequest) -> IngestResponse:
        check_id("user_id", user_id)
        check_id("conversation_id", conversation_id)
        pending = self._validate(request)
        results: dict[int, IngestedMessage] = {}

        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            epoch = await self._subjects.epoch(conn, user_id) if self._subjects else 0
            known = await message_store.existing_client_ids(
                conn, user_id, conversation_id, [p.client_id for p in pending if p.client_id]
            )
        fresh = []
        for p in pending:
            if p.client_id in known:
                results[p.index] = IngestedMessage(p.index, known[p.client_id], p.client_id, "duplicate")
            else:
                fresh.append(p)

        batch = IngestBatch(user_id, conversation_id, fresh)
        if fresh:
            for stage in self._stages:
                await stage.prepare(batch)
            await self._write(batch, results, epoch)

        ordered = [results[i] for i in sorted(results)]
        created = sum(r.status == "created" for r in ordered)
        return IngestResponse(user_id, conversation_id, created, len(ordered) - created, ordered)

    def _validate(self, request: IngestRequest) -> list[PendingMessage]:
        now = self._clock()
        seen: set[str] = set()
        out = []
        for i, m in enumerate(request.messages):
            check_text(f"messages[{i}].text", m.text)
            check_metadata(f"messages[{i}].metadata", m.metadata)
            for field, value in (("speaker", m.speaker), ("client_id", m.client_id)):
                if value is not None:
                    check_text(f"messages[{i}].{field}", value)
            if m.client_id is not None:
                if m.client_id in seen:
                    raise InvalidInput(
                        f"messages[{i}].client_id {m.client_id!r} appears twice in the batch",
                        details={"field": f"messages[{i}].client_id"},
                    )
                seen.add(m.client_id)
            ts = as_utc(m.timestamp) or now
            out.append(PendingMessage(i, m.role, m.text, m.speaker, ts, m.client_id, m.metadata))
        return out

    async def _write(self, batch: IngestBatch, results: dict[int, IngestedMessage], epoch: int) -> None:
        async with self._engine.begin() as conn:
            await scope_to_user(conn, batch.user_id)
            await lock_user(conn, batch.user_id)
            if self._subjects and await self._subjects.epoch(conn, batch.user_id) != epoch:
                raise Conflict(
                    f"user {batch.user_id!r} was erased while this batch was being processed; nothing was stored"
                )
            await ensure_conversation(conn, batch.user_id, batch.conversation_id)
            ids = await message_store.allocate_ids(conn, messages, len(batch.messages))
            for p, message_id in zip(batch.messages, ids, strict=True):
                p.id = message_id
            inserted = await message_store.insert_messages(
                conn,
                batch.user_id,
                [
                    {
                        "id": p.id,
                        "conversation_id": batch.conversation_id,
                        "client_id": p.client_id,
                        "role": p.role,
                        "speaker": p.speaker,
                        "text": p.text,
                        "ts": p.ts,
                        "metadata": p.metadata,
                    }
                    for p in batch.messages
                ],
            )
            lost = [p for p in batch.messages if p.id not in inserted]
            if lost:  # a concurrent request stored the same client ids first
                known = await message_store.existing_client_ids(
                    conn, batch.user_id, batch.conversation_id, [p.client_id for p in lost if p.client_id]
                )
                for p in lost:
                    results[p.index] = IngestedMessage(p.index, known[p.client_id or ""], p.client_id, "duplicate")
                batch.messages = [p for p in batch.messages if p.id in inserted]
            for stage in self._stages:
                await stage.write(conn, batch)
        for p in batch.messages:
            results[p.index] = IngestedMessage(p.index, p.id, p.client_id, "created")
