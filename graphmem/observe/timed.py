"""Timing decorators for the model seams: each wraps an Embedder or Extractor and is one too."""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from graphmem.embed.base import Embedder
from graphmem.extract.types import Extraction, Extractor, Utterance
from graphmem.observe.metrics import Metrics

__all__ = ["TimedEmbedder", "TimedExtractor"]


class TimedEmbedder:
    """Observes the duration of every ``embed`` call and counts the texts."""

    def __init__(self, inner: Embedder, metrics: Metrics) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.dimension = inner.dimension
        self._metrics = metrics

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        start = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:  # a failed call still took the time
            self._metrics.embedding.observe(time.perf_counter() - start)
            self._metrics.embedded_texts.inc(len(texts))

    def embed_query(self, text: str) -> np.ndarray:
        start = time.perf_counter()
        try:
            return self.inner.embed_query(text)
        finally:
            self._metrics.embedding.observe(time.perf_counter() - start)
            self._metrics.embedded_texts.inc(1)


class TimedExtractor:
    """Observes the duration of every ``extract`` call and counts the utterances."""

    def __init__(self, inner: Extractor, metrics: Metrics) -> None:
        self.inner = inner
        self._metrics = metrics

    def extract(self, utterances: Sequence[Utterance]) -> list[Extraction]:
        start = time.perf_counter()
        try:
            return self.inner.extract(utterances)
        finally:
            self._metrics.extraction.observe(time.perf_counter() - start)
            self._metrics.extracted_utterances.inc(len(utterances))
