"""An embedder that hands back vectors someone already computed, and asks a real model for the rest.

Imports use it to keep the vectors of a source that was embedded with our model (a ChromaDB
collection of all-MiniLM-L6-v2 vectors): the importer registers each vector under the exact
text the ingest pipeline will embed, and the pipeline, unchanged, gets it back instead of
running the model. A text that was not registered (or a search query) goes to the fallback.
"""

from __future__ import annotations

import threading
from typing import Mapping, Sequence

import numpy as np

from graphmem.embed.base import Embedder

__all__ = ["PrecomputedEmbedder"]


class PrecomputedEmbedder:
    """Known texts come from ``register``; the others from ``fallback``. Counts both."""

    def __init__(self, fallback: Embedder) -> None:
        self._fallback = fallback
        self.model_name = fallback.model_name
        self.dimension = fallback.dimension
        self._known: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # register runs on the event loop, embed in a worker thread
        self.reused = 0
        self.computed = 0

    def register(self, vectors: Mapping[str, Sequence[float] | np.ndarray]) -> None:
        """Remember vectors by text, L2-normalized (stored vectors may not be)."""
        prepared = {}
        for text, vector in vectors.items():
            v = np.asarray(vector, dtype=np.float32)
            if v.shape != (self.dimension,):
                raise ValueError(f"a stored vector has shape {v.shape}; the model makes ({self.dimension},)")
            norm = float(np.linalg.norm(v))
            prepared[text] = v / norm if norm else v
        with self._lock:
            self._known.update(prepared)

    def clear(self) -> None:
        with self._lock:
            self._known.clear()

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            found = {i: self._known[t] for i, t in enumerate(texts) if t in self._known}
        missing = [i for i in range(len(texts)) if i not in found]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if missing:
            out[missing] = self._fallback.embed([texts[i] for i in missing])
        for i, vector in found.items():
            out[i] = vector
        self.reused += len(found)
        self.computed += len(missing)
        return out
