"""From channel lists to one explained ranking, pure: fusion, graph boost, session rerank.

The weights adapt to the user's data instead of being tuned to one kind of chat: where
messages are long (assistant answers, pasted documents), words are many and each says
little, so the lexical channel counts for less and very long memories lose dense score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping, Sequence

from graphmem.retrieve.config import Channel, Fusion, RetrievalConfig
from graphmem.retrieve.fusion import ChannelScore, Ranked, linear, rrf
from graphmem.retrieve.graph import GraphHit
from graphmem.store.retrieval import Candidate

__all__ = ["Hit", "lexical_weight", "lexical_document", "channel_weights", "discount_long", "rank"]


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


def lexical_document(config: RetrievalConfig, median_length: float) -> str:
    if config.context_max_median is not None and median_length > config.context_max_median:
        return "turn"
    return config.lexical_document


def channel_weights(config: RetrievalConfig, median_length: float) -> dict[str, float]:
    """The weight lexical search gives up on long messages goes to the vector channel, so the
    text channels keep their share against the graph."""
    lexical = lexical_weight(config, median_length)
    return {
        Channel.VECTOR.value: config.vector_weight + config.lexical_weight - lexical,
        Channel.LEXICAL.value: lexical,
        Channel.GRAPH.value: config.graph_weight,
    }


def discount_long(ranked: Ranked, lengths: Mapping[int, int], threshold: int, penalty: float) -> list[tuple[int, float]]:
    """Lower the similarity of memories longer than ``threshold`` lexemes by ``penalty`` per doubling."""
    if penalty <= 0 or threshold <= 0:
        return list(ranked)
    out = [(i, s - penalty * max(0.0, math.log2(lengths.get(i, 0) / threshold + 1e-9))) for i, s in ranked]
    return sorted(out, key=lambda p: -p[1])


def rank(
    lists: Mapping[str, Ranked],
    config: RetrievalConfig,
    *,
    graph_hits: Sequence[GraphHit] = (),
    candidates: Mapping[int, Candidate] | None = None,
    median_length: float = 0.0,
    named: frozenset[str] = frozenset(),
    pronouns: frozenset[str] = frozenset(),
    period: tuple[datetime, datetime] | None = None,
    limit: int | None = None,
) -> list[Hit]:
    """Fuse, then boost (entities and speakers the query names, the period it names), then
    rerank by session. ``candidates`` holds each memory's session, length, speaker and time.
    ``named``: speakers' entity keys the query names; ``pronouns``: roles it refers to by
    pronoun ("role:user" for "I")."""
    info = candidates or {}
    speakers = named | pronouns if config.pronoun_speakers else named
    named = named | pronouns
    lists = dict(lists)
    vector = Channel.VECTOR.value
    if vector in lists:
        # What a participant the query asks about said is wanted however long it is.
        lengths = {i: c.length for i, c in info.items() if not c.said_by(named)}
        lists[vector] = discount_long(lists[vector], lengths, config.long_memory_tokens, config.long_memory_penalty)
    graph = {h.memory_id: h for h in graph_hits}
    if graph_hits and Channel.GRAPH in config.channels:
        lists[Channel.GRAPH.value] = [(h.memory_id, h.score) for h in graph_hits[: config.candidates]]
    if config.fusion is Fusion.RRF:
        fused = rrf(lists, k=config.rrf_k)
    else:
        absent = {Channel.GRAPH.value: 0.0} if config.graph_absent_zero else None
        fused = linear(lists, channel_weights(config, median_length), absent=absent)
    if not fused:
        return []

    # Factors apply to scores shifted into [spread, 2 x spread], so that a boost lifts the last
    # candidate as much as the first, whatever the fusion's scale.
    low, high = min(f.score for f in fused), max(f.score for f in fused)
    spread = high - low or 1.0
    top_graph = max((h.score for h in graph_hits), default=0.0)
    scores: dict[int, float] = {}
    boosts: dict[int, dict[str, float]] = {}
    for f in fused:
        factors: dict[str, float] = {}
        c = info.get(f.id)
        if config.entity_boost and f.id in graph and top_graph > 0:
            factors["entity"] = 1 + config.entity_boost * graph[f.id].score / top_graph
        if config.speaker_boost and c is not None and c.said_by(speakers):
            factors["speaker"] = 1 + config.speaker_boost
        if config.time_boost and period and c is not None and period[0] <= c.ts < period[1]:
            factors["time"] = 1 + config.time_boost
        if config.importance_weight and c is not None and c.importance != 0.5:
            factors["importance"] = 1 + config.importance_weight * (c.importance - 0.5)
        score = f.score - low + spread
        for factor in factors.values():
            score *= factor
        scores[f.id], boosts[f.id] = score, factors
    if config.session_lambda and info:
        session = {i: info[i].conversation_id or "" if i in info else "" for i in scores}
        best: dict[str, float] = {}
        for i, s in scores.items():
            best[session[i]] = max(best.get(session[i], 0.0), s)
        for i in scores:
            boosts[i]["session"] = config.session_lambda * best[session[i]]
            scores[i] += boosts[i]["session"]

    channels = {f.id: f.channels for f in fused}
    order = sorted(scores, key=lambda i: (-scores[i], min((c.rank for c in channels[i].values()), default=0), i))
    return [Hit(i, scores[i], channels[i], boosts[i], _path(i, graph, info, boosts[i])) for i in order[:limit]]


def _path(i: int, graph: Mapping[int, GraphHit], info: Mapping[int, Candidate], boosts: Mapping[str, float]) -> tuple[str, ...]:
    if i in graph:
        return graph[i].path
    if "speaker" in boosts:
        return (info[i].speaker or info[i].role or "", "-said-", f"memory {i}")
    return ()
