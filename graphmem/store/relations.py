"""Relation reads and manual writes, each row joined to its subject's and object's names.

Time filters: a fact is valid at ``t`` when ``valid_from`` is null or ``<= t`` and ``valid_to``
is null or ``> t``. Every query filters on ``user_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import entities, messages, relations

__all__ = [
    "RelationRow",
    "RelationFilter",
    "SourceMessage",
    "valid_at",
    "find_relations",
    "get_relations",
    "strongest_relations",
    "edges_touching",
    "source_message",
    "insert_relation",
    "update_relation",
    "delete_relation",
]

_r = relations.c
_subject = entities.alias("s")
_object = entities.alias("o")


@dataclass(frozen=True, slots=True)
class RelationRow:
    id: int
    subject_id: int
    subject_name: str
    subject_type: str
    predicate: str
    object_id: int | None
    object_name: str | None
    object_type: str | None
    object_literal: str | None
    polarity: int
    confidence: float
    attributes: dict[str, Any]
    valid_from: datetime | None
    valid_to: datetime | None
    message_id: int | None
    span_start: int | None
    span_end: int | None
    source: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RelationFilter:
    """None means "any"; an empty list matches nothing. ``at`` None with ``history`` means all time."""

    subject_ids: Sequence[int] | None = None
    object_ids: Sequence[int] | None = None
    object_literal: str | None = None  # compared case-insensitively
    predicates: Sequence[str] | None = None
    polarity: int | None = None
    source: str | None = None
    at: datetime | None = None
    history: bool = False
    between: Sequence[int] | None = None  # both ends in this set


def _select(user_id: str) -> sa.Select[Any]:
    s, o = _subject.c, _object.c
    return sa.select(
        _r.id, _r.subject_id, s.name.label("subject_name"), s.type.label("subject_type"), _r.predicate,
        _r.object_id, o.name.label("object_name"), o.type.label("object_type"), _r.object_literal, _r.polarity,
        _r.confidence, _r.attributes, _r.valid_from, _r.valid_to, _r.message_id, _r.span_start, _r.span_end,
        _r.source, _r.created_at,
    ).select_from(
        relations.join(_subject, sa.and_(s.user_id == _r.user_id, s.id == _r.subject_id)).outerjoin(
            _object, sa.and_(o.user_id == _r.user_id, o.id == _r.object_id)
        )
    ).where(_r.user_id == user_id)


def valid_at(at: datetime | sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    return sa.and_(
        sa.or_(_r.valid_from.is_(None), _r.valid_from <= at), sa.or_(_r.valid_to.is_(None), _r.valid_to > at)
    )


def _where(flt: RelationFilter) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = []
    if flt.subject_ids is not None:
        clauses.append(_r.subject_id.in_(list(flt.subject_ids)))
    if flt.object_ids is not None and flt.object_literal is not None:
        clauses.append(sa.or_(_r.object_id.in_(list(flt.object_ids)), sa.func.lower(_r.object_literal) == flt.object_literal.lower()))
    elif flt.object_ids is not None:
        clauses.append(_r.object_id.in_(list(flt.object_ids)))
    elif flt.object_literal is not None:
        clauses.append(sa.func.lower(_r.object_literal) == flt.object_literal.lower())
    if flt.between is not None:
        ids = list(flt.between)
        clauses.append(sa.and_(_r.subject_id.in_(ids), _r.object_id.in_(ids)))
    if flt.predicates is not None:
        clauses.append(_r.predicate.in_(list(flt.predicates)))
    if flt.polarity is not None:
        clauses.append(_r.polarity == flt.polarity)
    if flt.source is not None:
        clauses.append(_r.source == flt.source)
    if flt.at is not None:
        clauses.append(valid_at(flt.at))
    elif not flt.history:
        clauses.append(valid_at(sa.func.now()))
    return clauses


async def find_relations(
    conn: AsyncConnection, user_id: str, flt: RelationFilter, *, before_id: int | None, limit: int
) -> list[RelationRow]:
    """Newest first by id, strictly before ``before_id``."""
    query = _select(user_id).where(*_where(flt)).order_by(_r.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(_r.id < before_id)
    return [RelationRow(**row._mapping) for row in await conn.execute(query)]


async def get_relations(conn: AsyncConnection, user_id: str, ids: Iterable[int]) -> dict[int, RelationRow]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    query = _select(user_id).where(_r.id.in_(ids))
    return {row.id: RelationRow(**row._mapping) for row in await conn.execute(query)}


async def strongest_relations(conn: AsyncConnection, user_id: str, entity_id: int, limit: int) -> list[RelationRow]:
    """Facts about or pointing at the entity: current ones first, then by confidence, newest first."""
    current = sa.case((valid_at(sa.func.now()), 0), else_=1)
    query = (
        _select(user_id)
        .where(sa.or_(_r.subject_id == entity_id, _r.object_id == entity_id))
        .order_by(current, _r.confidence.desc(), _r.valid_from.desc().nulls_last(), _r.id.desc())
        .limit(limit)
    )
    return [RelationRow(**row._mapping) for row in await conn.execute(query)]


async def edges_touching(
    conn: AsyncConnection, user_id: str, ids: Iterable[int], flt: RelationFilter, limit: int
) -> list[RelationRow]:
    """Entity-to-entity relations with either end in ``ids``, at most ``limit`` (strongest first)."""
    ids = sorted(set(ids))
    if not ids:
        return []
    query = (
        _select(user_id)
        .where(*_where(flt), _r.object_id.is_not(None), sa.or_(_r.subject_id.in_(ids), _r.object_id.in_(ids)))
        .order_by(_r.confidence.desc(), _r.id)
        .limit(limit)
    )
    return [RelationRow(**row._mapping) for row in await conn.execute(query)]


@dataclass(frozen=True, slots=True)
class SourceMessage:
    id: int
    conversation_id: str
    role: str
    speaker: str | None
    text: str
    ts: datetime


async def source_message(conn: AsyncConnection, user_id: str, message_id: int) -> SourceMessage | None:
    m = messages.c
    query = sa.select(m.id, m.conversation_id, m.role, m.speaker, m.text, m.ts).where(
        m.user_id == user_id, m.id == message_id
    )
    row = (await conn.execute(query)).first()
    return None if row is None else SourceMessage(**row._mapping)


async def insert_relation(conn: AsyncConnection, user_id: str, values: dict[str, Any]) -> int:
    stmt = sa.insert(relations).values(user_id=user_id, **values).returning(_r.id)
    return int(await conn.scalar(stmt) or 0)


async def update_relation(conn: AsyncConnection, user_id: str, relation_id: int, values: dict[str, Any]) -> bool:
    stmt = sa.update(relations).where(_r.user_id == user_id, _r.id == relation_id).values(values).returning(_r.id)
    return (await conn.scalar(stmt)) is not None


async def delete_relation(conn: AsyncConnection, user_id: str, relation_id: int) -> bool:
    stmt = sa.delete(relations).where(_r.user_id == user_id, _r.id == relation_id).returning(_r.id)
    return (await conn.scalar(stmt)) is not None
