"""Retrieval strategy as data: a frozen config and named recipes.

Change a recipe with ``dataclasses.replace``; never mutate one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Mapping

__all__ = ["Channel", "Fusion", "RetrievalConfig", "RECIPES", "DEFAULT_RECIPE", "recipe"]


class Channel(str, Enum):
    VECTOR = "vector"
    LEXICAL = "lexical"


class Fusion(str, Enum):
    RRF = "rrf"


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    channels: tuple[Channel, ...] = (Channel.VECTOR, Channel.LEXICAL)
    fusion: Fusion = Fusion.RRF
    rrf_k: int = 60
    candidates: int = 50  # per channel, before fusion


DEFAULT_RECIPE = "balanced"

RECIPES: Mapping[str, RetrievalConfig] = MappingProxyType(
    {
        "fast": RetrievalConfig(channels=(Channel.VECTOR,), candidates=20),
        "balanced": RetrievalConfig(),
        "deep": RetrievalConfig(candidates=200),
    }
)


def recipe(name: str | None) -> RetrievalConfig:
    """The recipe called ``name`` (the default when None); KeyError for unknown names."""
    return RECIPES[name or DEFAULT_RECIPE]
