"""Fuzzy name matching without database extensions: difflib over a bounded set of alias keys."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Iterable

__all__ = ["similarity", "rank_names"]


def similarity(query: str, alias: str) -> float:
    """The better of the whole-name ratio and the best single-word ratio, so "conor" finds
    "sarah connor"; a prefix of the name counts as a near match."""
    if alias.startswith(query):
        return max(0.9, SequenceMatcher(None, query, alias).ratio())
    words = alias.split()
    whole = SequenceMatcher(None, query, alias).ratio()
    best_word = max((SequenceMatcher(None, query, w).ratio() for w in words), default=0.0) if len(words) > 1 else 0.0
    return max(whole, best_word)


def rank_names(query: str, candidates: Iterable[tuple[int, str]], *, cutoff: float, limit: int) -> list[tuple[int, float]]:
    """(entity id, score) for the ids whose best alias scores at least ``cutoff``, best first, ties by id."""
    best: dict[int, float] = {}
    for entity_id, alias in candidates:
        score = similarity(query, alias)
        if score >= cutoff and score > best.get(entity_id, 0.0):
            best[entity_id] = score
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
