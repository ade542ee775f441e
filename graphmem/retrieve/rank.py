"""From channel lists to one explained ranking, pure: fusion, graph boost, session rerank.

The weights adapt to the user's data instead of being tuned to one kind of chat: where
messages are long (assistant answers, pasted documents), words are many and each says
little, so the lexical channel counts for less and very long memories lose dense score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from graphmem.retrieve.config import Channel, Fusion, RetrievalConfig
from graphmem.retrieve.fusion import ChannelScore, Ranked, linear, rrf
from graphmem.retrieve.graph import GraphHit

__all__ = ["Hit", "lexical_weight", "discount_long", "rank"]


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    score: float
    channels: Mapping[str, ChannelScore] = field(default_factory=dict)
    boosts: Mapping[str, float] = field(default_factory=dict)
    path: tuple[str, ...] = ()


def lexical_weight(config: RetrievalConfig, median_length: float) -> float:
    if config.adaptive_lexical_tokens is None or median_length <= 0:
        return config.lexical_weight
    return config.lexical_weight * min(1.0, config.adaptive_lexical_tokens / median_length)


def discount_long(ranked: Ranked, lengths: Mapping[int, int], typical: float, penalty: float) -> list[tuple[int, float]]:
    """Lower the similarity of memories longer than ``4 x typical`` by ``penalty`` per doubling."""
    if penalty <= 0 or typical <= 0:
        return list(ranked)
    out = [(i, s - penalty * max(0.0, math.log2(lengths.get(i, 0) / (4 * typical) + 1e-9))) for i, s in ranked]
    return sorted(out, key=lambda p: -p[1])


def rank(
    lists: Mapping[str, Ranked],
    config: RetrievalConfig,
    *,
    graph_hits: Sequence[GraphHit] = (),
    sessions: Mapping[int, str] | None = None,
    lengths: Mapping[int, int] | None = None,
    median_length: float = 0.0,
    limit: int | None = None,
) -> list[Hit]:
    lists = dict(lists)
    vector = Channel.VECTOR.value
    if vector in lists and lengths is not None:
        lists[vector] = discount_long(lists[vector], lengths, median_length, config.long_memory_penalty)
    graph = {h.memory_id: h for h in graph_hits}
    if graph_hits and Channel.GRAPH in config.channels:
        lists[Channel.GRAPH.value] = [(h.memory_id, h.score) for h in graph_hits[: config.candidates]]
    if config.fusion is Fusion.RRF:
        fused = rrf(lists, k=config.rrf_k)
    else:
        weights = {
            vector: config.vector_weight,
            Channel.LEXICAL.value: lexical_weight(config, median_length),
            Channel.GRAPH.value: config.graph_weight,
        }
        fused = linear(lists, weights)
    if not fused:
        return []

    low = min(f.score for f in fused)
    top_graph = max((h.score for h in graph_hits), default=0.0)
    scores: dict[int, float] = {}
    boosts: dict[int, dict[str, float]] = {}
    for f in fused:
        score = f.score - low + 1e-6  # positive, so boosts scale the same way for every hit
        if config.entity_boost and f.id in graph and top_graph > 0:
            factor = 1 + config.entity_boost * graph[f.id].score / top_graph
            boosts.setdefault(f.id, {})["entity"] = factor
            score *= factor
        scores[f.id] = score
    if config.session_lambda and sessions:
        best: dict[str, float] = {}
        for i, s in scores.items():
            best[sessions.get(i, "")] = max(best.get(sessions.get(i, ""), 0.0), s)
        for i in scores:
            lift = config.session_lambda * best[sessions.get(i, "")]
            boosts.setdefault(i, {})["session"] = lift
            scores[i] += lift

    channels = {f.id: f.channels for f in fused}
    order = sorted(scores, key=lambda i: (-scores[i], min((c.rank for c in channels[i].values()), default=0), i))
    return [
        Hit(i, scores[i], channels[i], boosts.get(i, {}), graph[i].path if i in graph else ())
        for i in order[:limit]
    ]
