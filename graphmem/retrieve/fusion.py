"""Fusion of ranked channel lists: pure functions over literal data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

__all__ = ["ChannelScore", "Fused", "Ranked", "rrf", "zscores", "linear", "session_rerank"]

Ranked = Sequence[tuple[int, float]]  # (item id, channel score), best first


@dataclass(frozen=True, slots=True)
class ChannelScore:
    rank: int  # 1-based
    score: float


@dataclass(frozen=True, slots=True)
class Fused:
    id: int
    score: float
    channels: Mapping[str, ChannelScore] = field(default_factory=dict)


def _ranks(lists: Mapping[str, Ranked]) -> dict[int, dict[str, ChannelScore]]:
    seen: dict[int, dict[str, ChannelScore]] = {}
    for name, ranked in lists.items():
        for rank, (item, score) in enumerate(ranked, start=1):
            seen.setdefault(item, {})[name] = ChannelScore(rank=rank, score=score)
    return seen


def _ordered(scores: Mapping[int, float], seen: Mapping[int, Mapping[str, ChannelScore]], limit: int | None) -> list[Fused]:
    """Best score first; ties by best single rank, then id, so the order is deterministic."""
    order = sorted(scores, key=lambda i: (-scores[i], min((c.rank for c in seen[i].values()), default=0), i))
    return [Fused(id=i, score=scores[i], channels=seen[i]) for i in order[:limit]]


def rrf(lists: Mapping[str, Ranked], *, k: int = 60, limit: int | None = None) -> list[Fused]:
    """Reciprocal-rank fusion: score = sum over channels of 1 / (k + rank)."""
    seen = _ranks(lists)
    scores = {i: sum(1.0 / (k + c.rank) for c in chans.values()) for i, chans in seen.items()}
    return _ordered(scores, seen, limit)


def zscores(ranked: Ranked) -> dict[int, float]:
    """Standardize one channel's scores for this query; a flat list carries no preference."""
    if not ranked:
        return {}
    values = [s for _, s in ranked]
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return {i: (s - mean) / sd if sd > 1e-12 else 0.0 for i, s in ranked}


def linear(
    lists: Mapping[str, Ranked],
    weights: Mapping[str, float],
    *,
    absent: Mapping[str, float] | None = None,
    limit: int | None = None,
) -> list[Fused]:
    """Weighted sum of per-channel z-scores. An item missing from a channel gets that
    channel's floor (its lowest z-score), so absence is worse than being found last; or, for a
    channel named in ``absent``, the z-score of that raw score (a graph that reached nothing: 0)."""
    seen = _ranks(lists)
    z = {name: zscores(ranked) for name, ranked in lists.items()}
    floor = {name: min(values.values(), default=0.0) for name, values in z.items()}
    for name, raw in (absent or {}).items():
        if lists.get(name):
            # Standardize over every candidate: those the channel did not reach score ``raw``.
            pool = [s for _, s in lists[name]] + [raw] * (len(seen) - len(lists[name]))
            mean = sum(pool) / len(pool)
            sd = math.sqrt(sum((v - mean) ** 2 for v in pool) / len(pool))
            if sd > 1e-12:
                z[name] = {i: (s - mean) / sd for i, s in lists[name]}
                floor[name] = (raw - mean) / sd
    scores = {
        i: sum(weights.get(name, 0.0) * z[name].get(i, floor[name]) for name in lists)
        for i in seen
    }
    return _ordered(scores, seen, limit)


def session_rerank(fused: Sequence[Fused], session_of: Mapping[int, str], lam: float) -> list[Fused]:
    """Add ``lam`` x the best score in each hit's session: evidence clusters in sessions."""
    if lam == 0 or not fused:
        return list(fused)
    best: dict[str, float] = {}
    for f in fused:
        key = session_of.get(f.id, "")
        best[key] = max(best.get(key, -math.inf), f.score)
    scores = {f.id: f.score + lam * best[session_of.get(f.id, "")] for f in fused}
    seen = {f.id: f.channels for f in fused}
    return _ordered(scores, seen, None)
