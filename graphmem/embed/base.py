"""The embedding seam: anything that turns texts into unit vectors of a fixed size."""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np

__all__ = ["Embedder"]


class Embedder(Protocol):
    """Batched, CPU-bound and synchronous; services call it off the event loop."""

    model_name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return a ``(len(texts), dimension)`` float32 array of L2-normalized rows: what is stored."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One search query as a ``(dimension,)`` float32 unit vector. It may take a faster path
        than ``embed`` (close to, not equal to, ``embed``'s vector); stored vectors never do."""
        ...
