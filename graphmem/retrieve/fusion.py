"""Fusion of ranked channel lists: pure functions over literal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

__all__ = ["ChannelScore", "Fused", "rrf"]

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


def rrf(lists: Mapping[str, Ranked], *, k: int = 60, limit: int | None = None) -> list[Fused]:
    """Reciprocal-rank fusion: score = sum over channels of 1 / (k + rank).

    Ties break by best single rank, then by id, so the order is deterministic.
    """
    scores: dict[int, float] = {}
    seen: dict[int, dict[str, ChannelScore]] = {}
    for name, ranked in lists.items():
        for rank, (item, score) in enumerate(ranked, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
            seen.setdefault(item, {})[name] = ChannelScore(rank=rank, score=score)
    order = sorted(scores, key=lambda i: (-scores[i], min(c.rank for c in seen[i].values()), i))
    if limit is not None:
        order = order[:limit]
    return [Fused(id=i, score=scores[i], channels=seen[i]) for i in order]
