"""Embedders: the Protocol, the real model and a deterministic fake."""

from graphmem.embed.base import Embedder
from graphmem.embed.fake import FakeEmbedder
from graphmem.embed.sentence import SentenceTransformerEmbedder

__all__ = ["Embedder", "FakeEmbedder", "SentenceTransformerEmbedder"]
