"""The ingest stage that turns messages into entities, mentions and temporal relations."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Sequence

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.extract.normalize import entity_key
from graphmem.extract.predicates import SINGLE_VALUED
from graphmem.extract.types import Extraction, Extractor, Relation, Utterance
from graphmem.resolve.entities import Wanted, attach_name, merge_people, resolve_keys
from graphmem.resolve.facts import NewFact, OpenFact, plan_facts
from graphmem.services.pipeline import IngestBatch, PendingMessage
from graphmem.store import graph as store

__all__ = ["GraphStage", "speaker_identity", "utterances"]

_DEFAULT_NAMES = {"user": ("user", "User"), "assistant": ("assistant", "Assistant")}


def speaker_identity(role: str, speaker: str | None) -> tuple[str, str]:
    """(entity key, display name) of whoever said a message; first-person words resolve to it."""
    if speaker and entity_key(speaker):
        return entity_key(speaker), speaker
    return _DEFAULT_NAMES.get(role, ("someone", "Someone"))


def utterances(messages: Sequence[PendingMessage]) -> list[Utterance]:
    """Give each message its speaker and addressee: an assistant talks to the last user,
    a user to the assistant, and in multi-party chat a turn answers the last other speaker."""
    out = []
    last_user = _DEFAULT_NAMES["user"]
    last: tuple[str, str] | None = None  # the most recent multi-party speaker
    before: tuple[str, str] | None = None  # the most recent one other than ``last``
    for m in messages:
        me = speaker_identity(m.role, m.speaker)
        if m.role == "user":
            last_user, you = me, _DEFAULT_NAMES["assistant"]
        elif m.role == "assistant":
            you = last_user
        else:
            you = last if last and last[0] != me[0] else before
            if last is None or last[0] != me[0]:
                before, last = last, me
        out.append(Utterance(m.text, m.role, m.ts, me[0], me[1], you[0] if you else None, you[1] if you else None))
    return out


class GraphStage:
    name = "graph"

    def __init__(self, extractor: Extractor, max_chars: int = 5_000) -> None:
        self._extractor = extractor
        self._max_chars = max_chars  # parsing is linear in length; a pasted document is not a chat turn

    async def prepare(self, batch: IngestBatch) -> None:
        said = [replace(u, text=u.text[: self._max_chars]) for u in utterances(batch.messages)]
        found = await anyio.to_thread.run_sync(self._extractor.extract, said)
        for message, extraction in zip(batch.messages, found, strict=True):
            message.derived[self.name] = extraction

    async def write(self, conn: AsyncConnection, batch: IngestBatch) -> None:
        user = batch.user_id
        await store.lock_user_graph(conn, user)
        items: list[tuple[PendingMessage, Extraction]] = [(m, m.derived[self.name]) for m in batch.messages]
        wanted = [Wanted(e.key, e.name, e.type) for _, x in items for e in x.entities]
        await self._names(conn, user, items)
        ids, new_people = await resolve_keys(conn, user, wanted)

        mentions, seen = [], {}
        for m, x in items:
            for e in x.entities:
                eid = ids[e.key]
                mentions.append({"entity_id": eid, "memory_id": m.memory_id, "message_id": m.id, "span_start": e.start, "span_end": e.end})
                n, first, last = seen.get(eid, (0, m.ts, m.ts))
                seen[eid] = (n + 1, min(first, m.ts), max(last, m.ts))
        await store.insert_mentions(conn, user, mentions)
        await store.count_mentions(conn, user, seen)

        facts = [self._fact(m, r, ids) for m, x in items for r in x.relations]
        rows = await store.open_facts(conn, user, {f.subject_id for f in facts}, {f.predicate for f in facts})
        plan = plan_facts([OpenFact(*row) for row in rows], facts, SINGLE_VALUED)
        await store.close_facts(conn, user, plan.close)
        await store.insert_relations(conn, user, [_relation_row(f) for f in plan.insert])
        participants = {ids[e.key] for _, x in items for e in x.entities if e.is_speaker}
        await merge_people(conn, user, new_people, ids, participants)

    @staticmethod
    async def _names(conn: AsyncConnection, user: str, items: list[tuple[PendingMessage, Extraction]]) -> None:
        """Stated names first, so later mentions of that name resolve to the speaker."""
        for _, x in items:
            for r in x.relations:
                if r.predicate == "name" and r.literal and r.polarity == 1 and entity_key(r.literal):
                    subject = next((e for e in x.entities if e.key == r.subject_key), None)
                    if subject is None:
                        continue
                    found, _ = await resolve_keys(conn, user, [Wanted(subject.key, subject.name, subject.type)])
                    sid = found[subject.key]
                    await attach_name(conn, user, sid, entity_key(r.literal), r.literal)

    @staticmethod
    def _fact(m: PendingMessage, r: Relation, ids: dict[str, int]) -> NewFact:
        # A fact stated as past has an unknown start; a current one starts when said.
        valid_from: datetime | None = r.valid_from or (None if r.valid_to else m.ts)
        return NewFact(
            subject_id=ids[r.subject_key],
            predicate=r.predicate,
            object_id=ids[r.object_key] if r.object_key else None,
            literal=None if r.object_key else r.literal,
            polarity=r.polarity,
            said_at=m.ts,
            valid_from=valid_from,
            valid_to=r.valid_to,
            closes=r.closes,
            confidence=r.confidence,
            message_id=m.id,
            span=(r.start, r.end),
            attributes=dict(r.attributes),
        )


def _relation_row(f: NewFact) -> dict[str, object]:
    return {
        "subject_id": f.subject_id,
        "predicate": f.predicate,
        "object_id": f.object_id,
        "object_literal": f.literal,
        "polarity": f.polarity,
        "confidence": f.confidence,
        "attributes": f.attributes,
        "valid_from": f.valid_from,
        "valid_to": f.valid_to,
        "message_id": f.message_id,
        "span_start": f.span[0] if f.span else None,
        "span_end": f.span[1] if f.span else None,
        "source": "extracted",
    }
