"""Reciprocal-rank fusion on literal lists."""

from __future__ import annotations

import dataclasses

import pytest

from graphmem.retrieve import RECIPES, Channel, ChannelScore, RetrievalConfig, recipe, rrf


def test_rrf_sums_reciprocal_ranks() -> None:
    fused = rrf({"vector": [(1, 0.9), (2, 0.8)], "lexical": [(2, 5.0), (3, 1.0)]}, k=60)
    assert [f.id for f in fused] == [2, 1, 3]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)
    assert fused[0].channels == {"vector": ChannelScore(2, 0.8), "lexical": ChannelScore(1, 5.0)}
    assert fused[1].channels == {"vector": ChannelScore(1, 0.9)}


def test_rrf_ties_break_by_best_rank_then_id() -> None:
    fused = rrf({"a": [(7, 1.0), (5, 0.5)], "b": [(5, 1.0), (7, 0.5)]}, k=10)
    assert [f.id for f in fused] == [5, 7]
    assert fused[0].score == fused[1].score


def test_rrf_limit_and_empty() -> None:
    assert rrf({}, k=60) == []
    assert rrf({"a": []}, k=60) == []
    assert [f.id for f in rrf({"a": [(i, 0.0) for i in range(10)]}, k=60, limit=3)] == [0, 1, 2]


def test_recipes_are_frozen_and_replace_makes_a_copy() -> None:
    balanced = recipe(None)
    assert balanced is RECIPES["balanced"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        balanced.candidates = 1  # type: ignore[misc]
    changed = dataclasses.replace(balanced, candidates=5)
    assert changed.candidates == 5 and RECIPES["balanced"].candidates == RetrievalConfig().candidates
    assert Channel.GRAPH not in RECIPES["fast"].channels
    with pytest.raises(TypeError):
        RECIPES["new"] = balanced  # type: ignore[index]
