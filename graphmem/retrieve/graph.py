"""The graph channel, pure: link a query to entities, expand through relations, score memories.

Hubs (entities mentioned everywhere, such as the speakers themselves) would flood the channel,
so each entity's pull is weighted by an inverse document frequency over the user's memories.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import networkx as nx

__all__ = ["GraphHit", "query_keys", "participants", "expand", "entity_pulls", "graph_hits"]

_WORD = re.compile(r"[\w][\w'&.-]*", re.UNICODE)
_SKIP = frozenset(
    "a an the i me my we our you your he she it they them his her its their what which who whom when where why "
    "how did do does is are was were be been has have had of in on at to for from with about and or not".split()
)


@dataclass(frozen=True, slots=True)
class GraphHit:
    memory_id: int
    score: float
    path: tuple[str, ...]  # query entity -> (relation -> entity)* -> "mentioned in memory N"


def query_keys(query: str, max_words: int = 3) -> set[str]:
    """Alias keys a query may name: its word n-grams, possessives dropped, plurals also singular."""
    words = [w.lower().removesuffix("'s").removesuffix("'").strip(".-") for w in _WORD.findall(query)]
    words = [w for w in words if w]
    keys: set[str] = set()
    for n in range(1, max_words + 1):
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if gram[0] in _SKIP or gram[-1] in _SKIP:
                continue
            key = " ".join(gram)
            keys.add(key)
            if len(gram[-1]) > 3 and gram[-1].endswith("s") and not gram[-1].endswith("ss"):
                keys.add(" ".join([*gram[:-1], gram[-1][:-1]]))
    return keys


_FIRST = re.compile(r"\b(i|i'm|i've|i'd|me|my|mine|myself)\b", re.IGNORECASE)
_SECOND = re.compile(r"\b(you|you're|you've|your|yours|yourself)\b", re.IGNORECASE)


def participants(query: str) -> frozenset[str]:
    """Roles a query refers to by pronoun: asked on the user's behalf, "I" is the user and "you"
    the assistant they talked to."""
    roles = set()
    if _FIRST.search(query):
        roles.add("role:user")
    if _SECOND.search(query):
        roles.add("role:assistant")
    return frozenset(roles)


def expand(
    seeds: Mapping[int, float], edges: Iterable[tuple[int, int, str]], names: Mapping[int, str], hops: int
) -> dict[int, tuple[float, tuple[str, ...]]]:
    """Entity weights within ``hops`` relations of the seeds, halving per hop, with the path."""
    graph = nx.Graph()
    for subject, obj, predicate in edges:
        graph.add_edge(subject, obj, predicate=predicate)
    reached: dict[int, tuple[float, tuple[str, ...]]] = {}
    for seed, weight in seeds.items():
        label = names.get(seed, str(seed))
        if weight > reached.get(seed, (0.0, ()))[0]:
            reached[seed] = (weight, (label,))
        if seed not in graph or hops <= 0:
            continue
        paths = nx.single_source_shortest_path(graph, seed, cutoff=hops)
        for node, nodes in paths.items():
            w = weight * 0.5 ** (len(nodes) - 1)
            if node == seed or w <= reached.get(node, (0.0, ()))[0]:
                continue
            path: list[str] = [label]
            for a, b in zip(nodes, nodes[1:]):
                path += [f"-{graph.edges[a, b]['predicate']}-", names.get(b, str(b))]
            reached[node] = (w, tuple(path))
    return reached


def entity_pulls(
    reached: Mapping[int, tuple[float, tuple[str, ...]]], mention_counts: Mapping[int, int], total_memories: int
) -> dict[int, float]:
    """Each reached entity's pull on the memories that mention it: its weight x an idf over the
    user's memories. A memory's graph score is the sum of the pulls of the entities it mentions."""
    return {
        entity_id: weight * math.log(1 + total_memories / (1 + mention_counts.get(entity_id, 0)))
        for entity_id, (weight, _) in reached.items()
    }


def graph_hits(
    near: Sequence[tuple[int, float, int]], reached: Mapping[int, tuple[float, tuple[str, ...]]]
) -> list[GraphHit]:
    """(memory id, summed pull, strongest entity) rows, best first, as hits explained by the path
    to their strongest entity."""
    return [GraphHit(m, score, (*reached[e][1], f"mentioned in memory {m}")) for m, score, e in near if e in reached]
