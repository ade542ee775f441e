"""Walking a user's graph: neighbourhoods up to three hops, and the shortest path between two entities.

Edges are read from the store round by round (one round per hop, a bounded number of rows in
all); networkx does the walking on what was read.
"""

from __future__ import annotations

from typing import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graphmem.dto import EntityPath, Neighbour, Neighbourhood
from graphmem.explore.traverse import Edge, frontier, neighbourhood, shortest_path
from graphmem.limits import check_id
from graphmem.services.entities import entity_or_404
from graphmem.services.wire import entity_out, entity_ref, relation_out
from graphmem.store.entities import get_entities
from graphmem.store.privacy import scope_to_user
from graphmem.store.relations import RelationFilter, RelationRow, edges_touching

__all__ = ["ExploreService", "MAX_DEPTH", "MAX_PATH_HOPS", "MAX_EDGES_READ"]

MAX_DEPTH = 3
MAX_PATH_HOPS = 6
MAX_EDGES_READ = 5_000  # relation rows one traversal may read, over all its rounds


async def _expand(
    conn: AsyncConnection, user_id: str, root: int, flt: RelationFilter, hops: int, target: int | None = None
) -> tuple[dict[int, RelationRow], bool]:
    """Relations within ``hops`` of ``root`` (stopping early once ``target`` is reached), and
    whether the read budget cut the walk short."""
    rows: dict[int, RelationRow] = {}
    seen: set[int] = set()
    front = {root}
    for _ in range(hops):
        budget = MAX_EDGES_READ - len(rows)
        if budget <= 0:
            return rows, True
        found = await edges_touching(conn, user_id, front, flt, budget)
        rows.update((r.id, r) for r in found)
        seen |= front
        front = frontier(_edges(found), seen)
        if len(found) >= budget:
            return rows, True
        if not front or (target is not None and target in seen | front):
            break
    return rows, False


def _edges(rows: Sequence[RelationRow] | dict[int, RelationRow]) -> list[Edge]:
    values = rows.values() if isinstance(rows, dict) else rows
    return [Edge(r.id, r.subject_id, r.object_id, r.confidence) for r in values if r.object_id is not None]


class ExploreService:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def neighbours(
        self, user_id: str, entity_id: int, *, depth: int, predicates: list[str] | None, limit: int, history: bool
    ) -> Neighbourhood:
        check_id("user_id", user_id)
        flt = RelationFilter(predicates=predicates or None, history=history)
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            root = await entity_or_404(conn, user_id, entity_id)
            rows, cut = await _expand(conn, user_id, entity_id, flt, depth)
            hood = neighbourhood(_edges(rows), entity_id, depth, limit)
            found = await get_entities(conn, user_id, hood.distance)
        return Neighbourhood(
            root=entity_out(root),
            neighbours=[Neighbour(entity_out(found[i]), d) for i, d in hood.distance.items() if i in found],
            relations=[relation_out(rows[i]) for i in hood.relation_ids],
            truncated=cut or hood.truncated,
        )

    async def path(
        self, user_id: str, source_id: int, target_id: int, *, max_hops: int, predicates: list[str] | None, history: bool
    ) -> EntityPath:
        """The fewest hops from source to target, ignoring direction; ``found`` is false beyond ``max_hops``."""
        check_id("user_id", user_id)
        flt = RelationFilter(predicates=predicates or None, history=history)
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            await entity_or_404(conn, user_id, source_id)
            await entity_or_404(conn, user_id, target_id)
            rows, _ = await _expand(conn, user_id, source_id, flt, max_hops, target=target_id)
            walk = shortest_path(_edges(rows), source_id, target_id)
            if walk is None:
                return EntityPath(False, [], [])
            nodes, relation_ids = walk
            found = await get_entities(conn, user_id, nodes)
        return EntityPath(True, [entity_ref(found[n]) for n in nodes], [relation_out(rows[i]) for i in relation_ids])
