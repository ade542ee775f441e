"""Retrieval strategy as data: a frozen config and named recipes.

Change a recipe with ``dataclasses.replace``; never mutate one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Literal, Mapping

__all__ = ["Channel", "Fusion", "RetrievalConfig", "RECIPES", "DEFAULT_RECIPE", "recipe"]


class Channel(str, Enum):
    VECTOR = "vector"
    LEXICAL = "lexical"
    GRAPH = "graph"


class Fusion(str, Enum):
    RRF = "rrf"  # rank-based: robust, ignores score gaps
    ZSCORE = "zscore"  # linear in per-query standardized scores: keeps score gaps


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    channels: tuple[Channel, ...] = (Channel.VECTOR, Channel.LEXICAL, Channel.GRAPH)
    fusion: Fusion = Fusion.ZSCORE
    candidates: int = 100  # per channel, before fusion
    rrf_k: int = 60
    vector_weight: float = 0.4
    lexical_weight: float = 0.6
    lexical_document: Literal["context", "turn"] = "context"
    # Neighbouring turns give a short turn its meaning; a long message carries its own. Above this
    # median memory length (lexemes) the lexical channel reads each memory's own words only.
    context_max_median: float | None = 30.0
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    # Long messages carry many words but little signal per word; below this median length
    # (in lexemes, about half the words) lexical search keeps its full weight.
    adaptive_lexical_tokens: float | None = 30.0
    # Dense similarity of a very long memory (an assistant's essay, a pasted document) is lowered
    # by this much per doubling past ``long_memory_tokens`` lexemes (about twice as many words).
    long_memory_penalty: float = 0.1
    long_memory_tokens: int = 100
    # The graph links the query to named things; common nouns are the lexical channel's job.
    link_concepts: bool = False
    graph_weight: float = 0.2  # weight of the graph channel's z-scores in linear fusion
    # A memory the graph did not reach scores 0 there, standardized with the candidates it did
    # reach; else a tie-only list (every hit one hub's mention) would say nothing. Linear fusion only.
    graph_absent_zero: bool = True
    entity_boost: float = 0.0  # multiplicative boost for memories that mention a query entity
    speaker_boost: float = 0.3  # and for what a speaker the query names said (first person)
    # Whether "I" / "you" in a query earn the user's / assistant's turns that boost too. In a two-party
    # chat that is half the corpus: off, it measured +0.02 to +0.05 on two BEAM dev categories.
    pronoun_speakers: bool = False
    # A query naming a participant: the vector channel compares the query without the name with
    # that participant's own words (retrieve/speakers.py). Measured +0.022 R@10 on LoCoMo dev.
    speaker_focus: bool = True
    graph_hops: int = 1  # relation hops from the query's entities
    seed_hits: int = 0  # entities of this many top hits also seed the graph
    session_lambda: float = 0.4  # score + lambda x the best score of the hit's session
    time_boost: float = 0.3  # multiplicative boost for memories inside a period the query names
    # Lifecycle: which memories take part, and how much importance counts.
    kinds: tuple[Literal["short_term", "long_term", "fact"], ...] | None = None  # None: all kinds
    include_archived: bool = False
    importance_weight: float = 0.2  # score x (1 + weight x (importance - 0.5)): a fact 0.8 gains 6 %
    track_access: bool = True  # count each returned hit as an access


DEFAULT_RECIPE = "balanced"

RECIPES: Mapping[str, RetrievalConfig] = MappingProxyType(
    {
        "fast": RetrievalConfig(
            channels=(Channel.VECTOR, Channel.LEXICAL), candidates=30, entity_boost=0.0, speaker_boost=0.0,
            session_lambda=0.0,
        ),
        "balanced": RetrievalConfig(),
        "deep": RetrievalConfig(candidates=150, graph_hops=2, seed_hits=5),
    }
)


def recipe(name: str | None) -> RetrievalConfig:
    """The recipe called ``name`` (the default when None); KeyError for unknown names."""
    return RECIPES[name or DEFAULT_RECIPE]
