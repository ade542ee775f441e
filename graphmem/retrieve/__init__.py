"""Retrieval: config and recipes, channels over the store, and pure fusion."""

from graphmem.retrieve.config import DEFAULT_RECIPE, RECIPES, Channel, Fusion, RetrievalConfig, recipe
from graphmem.retrieve.fusion import ChannelScore, Fused, rrf

__all__ = ["DEFAULT_RECIPE", "RECIPES", "Channel", "Fusion", "RetrievalConfig", "recipe", "ChannelScore", "Fused", "rrf"]
