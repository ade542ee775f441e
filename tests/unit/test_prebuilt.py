"""Statements built once per filter: the same filter reuses one, any difference builds another."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.dialects import postgresql

from graphmem.store.memories import MemoryFilter, prebuilt
from graphmem.store.retrieval import _passing_query


def test_one_statement_per_filter_with_the_user_as_a_parameter() -> None:
    plain = prebuilt(_passing_query, MemoryFilter())
    assert prebuilt(_passing_query, MemoryFilter()) is plain
    tagged = prebuilt(_passing_query, MemoryFilter(metadata={"tags": ["vip", {"tier": 2}]}))
    assert prebuilt(_passing_query, MemoryFilter(metadata={"tags": ["vip", {"tier": 2}]})) is tagged
    assert prebuilt(_passing_query, MemoryFilter(metadata={"tags": ["vip"]})) is not tagged
    day = datetime(2024, 5, 1, tzinfo=timezone.utc)
    assert prebuilt(_passing_query, MemoryFilter(since=day)) is not prebuilt(_passing_query, MemoryFilter(until=day))
    sql = str(plain.compile(dialect=postgresql.dialect()))
    assert "memories.user_id = %(uid)s" in sql and "ANY (%(ids)s" in sql  # no user baked into a shared statement
