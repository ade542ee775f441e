"""Querying a user's facts by subject, predicate, object and time, and correcting them by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from msgspec import UNSET
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graphmem.dto import Provenance, RelationCreate, RelationDetail, RelationOut, RelationPage, RelationUpdate
from graphmem.errors import Conflict, InvalidInput, NotFound
from graphmem.explore.snippet import snippet
from graphmem.extract.normalize import entity_key
from graphmem.extract.predicates import SINGLE_VALUED
from graphmem.limits import as_utc, check_id, check_text
from graphmem.resolve.facts import NewFact, OpenFact, plan_facts
from graphmem.services.cursors import decode_position, encode_position
from graphmem.services.wire import relation_out
from graphmem.store import graph as graph_store
from graphmem.store import relations as store
from graphmem.store.entities import get_entities
from graphmem.store.privacy import scope_to_user

__all__ = ["RelationQuery", "RelationService"]


@dataclass(frozen=True, slots=True)
class RelationQuery:
    """Filters of the relation listing. Names resolve through alias keys, as mentions do."""

    subject_id: int | None = None
    subject: str | None = None
    predicates: list[str] | None = None
    object_id: int | None = None
    object: str | None = None  # an entity name, or a literal value (case-insensitive)
    polarity: int | None = None
    source: str | None = None
    as_of: datetime | None = None
    include_history: bool = False


async def _ids_named(conn: AsyncConnection, user_id: str, field: str, name: str) -> list[int]:
    check_text(field, name)
    key = entity_key(name)
    found = await graph_store.entities_by_alias(conn, user_id, [key]) if key else {}
    return [ref[0] for ref in found.get(key, [])]


def _ids(given: int | None, named: list[int] | None) -> list[int] | None:
    if given is None:
        return named
    return [given] if named is None or given in named else []


async def _relation_or_404(conn: AsyncConnection, user_id: str, relation_id: int) -> store.RelationRow:
    row = (await store.get_relations(conn, user_id, [relation_id])).get(relation_id)
    if row is None:
        raise NotFound(f"relation {relation_id} not found")
    return row


async def _entities_exist(conn: AsyncConnection, user_id: str, *ids: int | None) -> None:
    wanted = {i for i in ids if i is not None}
    found = await get_entities(conn, user_id, wanted)
    for i in sorted(wanted - found.keys()):
        raise NotFound(f"entity {i} not found")


def _check_span(valid_from: datetime | None, valid_to: datetime | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        raise InvalidInput("valid_to must be later than valid_from", details={"field": "valid_to"})


class RelationService:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def find(self, user_id: str, query: RelationQuery, cursor: str | None, limit: int) -> RelationPage:
        """Newest first. Current facts only, unless ``as_of`` picks another moment or history is asked for."""
        check_id("user_id", user_id)
        before = decode_position(cursor, "relations", int) if cursor else None
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            subjects = await _ids_named(conn, user_id, "subject", query.subject) if query.subject is not None else None
            objects = await _ids_named(conn, user_id, "object", query.object) if query.object is not None else None
            flt = store.RelationFilter(
                subject_ids=_ids(query.subject_id, subjects),
                object_ids=_ids(query.object_id, objects),
                object_literal=query.object if query.object_id is None else None,
                predicates=query.predicates or None,
                polarity=query.polarity,
                source=query.source,
                at=as_utc(query.as_of),
                history=query.include_history,
            )
            rows = await store.find_relations(conn, user_id, flt, before_id=before, limit=limit + 1)
        page = rows[:limit]
        more = len(rows) > limit
        return RelationPage([relation_out(r) for r in page], encode_position("relations", page[-1].id) if more else None)

    async def get(self, user_id: str, relation_id: int) -> RelationDetail:
        """The fact with its evidence: the message, the span, and the text around it."""
        check_id("user_id", user_id)
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            row = await _relation_or_404(conn, user_id, relation_id)
            message = await store.source_message(conn, user_id, row.message_id) if row.message_id else None
        provenance = None
        if message is not None:
            s, e = row.span_start, row.span_end
            spanned = s is not None and e is not None and 0 <= s <= e <= len(message.text)
            provenance = Provenance(
                message_id=message.id, conversation_id=message.conversation_id, role=message.role,  # type: ignore[arg-type]
                speaker=message.speaker, timestamp=message.ts, span_start=s, span_end=e,
                evidence=message.text[s:e] if spanned else None, snippet=snippet(message.text, s, e),
            )
        return RelationDetail(relation_out(row), provenance)

    async def create(self, user_id: str, data: RelationCreate) -> RelationOut:
        """A manual fact (source "manual"). Like an extracted one, a new value of a single-valued
        predicate (lives_in, works_at, …) closes the current one; the same fact twice is a Conflict."""
        check_id("user_id", user_id)
        if (data.object_id is None) == (data.object_literal is None):
            raise InvalidInput("give exactly one of object_id and object_literal", details={"field": "object_id"})
        if data.object_literal is not None:
            check_text("object_literal", data.object_literal)
        valid_from, valid_to = as_utc(data.valid_from), as_utc(data.valid_to)
        _check_span(valid_from, valid_to)
        now = datetime.now(timezone.utc)
        fact = NewFact(
            subject_id=data.subject_id, predicate=data.predicate, object_id=data.object_id, literal=data.object_literal,
            polarity=data.polarity, said_at=now, valid_from=valid_from or now, valid_to=valid_to,
            confidence=data.confidence, attributes=data.attributes,
        )
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            await _entities_exist(conn, user_id, data.subject_id, data.object_id)
            rows = await graph_store.open_facts(conn, user_id, [fact.subject_id], [fact.predicate])
            current = [OpenFact(*row) for row in rows]
            plan = plan_facts(current, [fact], SINGLE_VALUED)
            if not plan.insert:
                same = next(o.id for o in current if fact.same_triple(o))
                raise Conflict(f"the same fact is already current (relation {same})", details={"relation_id": same})
            await graph_store.close_facts(conn, user_id, plan.close)
            new = plan.insert[0]
            relation_id = await store.insert_relation(conn, user_id, {
                "subject_id": new.subject_id, "predicate": new.predicate, "object_id": new.object_id,
                "object_literal": new.literal, "polarity": new.polarity, "confidence": new.confidence,
                "attributes": new.attributes, "valid_from": new.valid_from, "valid_to": new.valid_to, "source": "manual",
            })
            return relation_out(await _relation_or_404(conn, user_id, relation_id))

    async def update(self, user_id: str, relation_id: int, data: RelationUpdate) -> RelationOut:
        """Change the fields given. Setting one of object_id and object_literal clears the other."""
        check_id("user_id", user_id)
        values: dict[str, Any] = {
            name: getattr(data, name)
            for name in ("predicate", "polarity", "confidence", "attributes", "object_id", "object_literal")
            if getattr(data, name) is not UNSET
        }
        for name in ("valid_from", "valid_to"):
            if getattr(data, name) is not UNSET:
                values[name] = as_utc(getattr(data, name))
        if values.get("object_id") is not None and "object_literal" not in values:
            values["object_literal"] = None
        if values.get("object_literal") is not None:
            check_text("object_literal", values["object_literal"])
            values.setdefault("object_id", None)
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            row = await _relation_or_404(conn, user_id, relation_id)
            object_id = values.get("object_id", row.object_id)
            if (object_id is None) == (values.get("object_literal", row.object_literal) is None):
                raise InvalidInput("a fact needs exactly one of object_id and object_literal", details={"field": "object_id"})
            _check_span(values.get("valid_from", row.valid_from), values.get("valid_to", row.valid_to))
            await _entities_exist(conn, user_id, values.get("object_id"))
            await store.update_relation(conn, user_id, relation_id, values)
            return relation_out(await _relation_or_404(conn, user_id, relation_id))

    async def delete(self, user_id: str, relation_id: int) -> None:
        check_id("user_id", user_id)
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            if not await store.delete_relation(conn, user_id, relation_id):
                raise NotFound(f"relation {relation_id} not found")

    async def invalidate(self, user_id: str, relation_id: int, at: datetime | None) -> RelationOut:
        """End a fact: it stays in the history with ``valid_to`` set (now by default)."""
        check_id("user_id", user_id)
        until = as_utc(at) or datetime.now(timezone.utc)
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            row = await _relation_or_404(conn, user_id, relation_id)
            if row.valid_to is not None and row.valid_to <= until:
                raise Conflict(f"relation {relation_id} already ended at {row.valid_to.isoformat()}")
            _check_span(row.valid_from, until)
            await store.update_relation(conn, user_id, relation_id, {"valid_to": until})
            return relation_out(await _relation_or_404(conn, user_id, relation_id))
