"""Neighbourhoods and shortest paths over relation rows the store has already fetched.

Pure: the caller reads edges round by round (bounded), these functions only build the networkx
graph and walk it. Direction is ignored: "Anna is my sister" links both people either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, NamedTuple

import networkx as nx

__all__ = ["Edge", "Neighbours", "neighbourhood", "shortest_path", "frontier"]


class Edge(NamedTuple):
    relation_id: int
    subject_id: int
    object_id: int
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Neighbours:
    distance: dict[int, int]  # neighbour entity id -> hops from the root, nearest first
    relation_ids: list[int]  # the fetched edges whose both ends are kept
    truncated: bool  # more neighbours were within reach than ``limit``


def _graph(edges: Iterable[Edge]) -> nx.MultiGraph:
    g = nx.MultiGraph()
    for e in edges:
        g.add_edge(e.subject_id, e.object_id, key=e.relation_id, confidence=e.confidence)
    return g


def frontier(edges: Iterable[Edge], seen: set[int]) -> set[int]:
    """Entities the edges reach that have not been expanded yet."""
    return {n for e in edges for n in (e.subject_id, e.object_id)} - seen


def neighbourhood(edges: Iterable[Edge], root: int, depth: int, limit: int) -> Neighbours:
    """Entities within ``depth`` hops of ``root``, nearest first (ties by id), at most ``limit``."""
    g = _graph(edges)
    g.add_node(root)
    hops = nx.single_source_shortest_path_length(g, root, cutoff=depth)
    ordered = sorted((n for n in hops if n != root), key=lambda n: (hops[n], n))
    kept = ordered[:limit]
    keep = {root, *kept}
    relation_ids = sorted({k for u, v, k in g.edges(keys=True) if u in keep and v in keep})
    return Neighbours({n: hops[n] for n in kept}, relation_ids, len(ordered) > limit)


def shortest_path(edges: Iterable[Edge], source: int, target: int) -> tuple[list[int], list[int]] | None:
    """(entity ids from source to target, the relation between each pair), or None if unreachable.
    Between two entities joined by several relations, the most confident (then oldest) is shown."""
    g = _graph(edges)
    g.add_node(source)
    if target not in g:
        return None
    try:
        nodes: list[int] = nx.shortest_path(g, source, target)
    except nx.NetworkXNoPath:
        return None
    relation_ids = [
        min(g[u][v].items(), key=lambda item: (-item[1]["confidence"], item[0]))[0] for u, v in zip(nodes, nodes[1:])
    ]
    return nodes, relation_ids
