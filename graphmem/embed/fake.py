"""A deterministic embedder for unit tests of pure logic: hashed bag of words."""

from __future__ import annotations

import hashlib
import re
from typing import Sequence

import numpy as np

__all__ = ["FakeEmbedder"]

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """Texts sharing words get similar vectors; the same text always gets the same vector."""

    def __init__(self, dimension: int = 384) -> None:
        self.dimension = dimension
        self.model_name = f"fake-{dimension}"

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
            norm = np.linalg.norm(out[row])
            if norm == 0:
                out[row, 0] = 1.0
            else:
                out[row] /= norm
        return out
