"""A search query's fast path agrees with the path that embeds the stored memories."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.errors import ConfigurationError

TEXTS = ["hi", "What activities does Caroline do with her family in the summer?", "word " * 400]


def test_queries_take_the_traced_path_and_agree_with_encode(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.traced_queries  # the packaged model fits the traced path
    for text in TEXTS:
        query = embedder.embed_query(text)
        stored = embedder.embed([text])[0]
        assert query.dtype == np.float32 and query.shape == (embedder.dimension,)
        assert float(query @ stored) > 0.9995
        assert np.allclose(stored, embedder.embed([text, "another text"])[0], atol=1e-5)  # stored: encode, any batch


def test_float32_path_reproduces_encode() -> None:
    exact = SentenceTransformerEmbedder(query_precision="fp32")
    assert exact.query_path == "fp32"
    for text in TEXTS:
        assert np.abs(exact.embed_query(text) - exact.embed([text])[0]).max() < 1e-5


@pytest.mark.skipif("fbgemm" not in torch.backends.quantized.supported_engines, reason="no FBGEMM on this CPU")
def test_auto_packs_float16_weights_that_agree_with_encode(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.query_path == "fp16"  # the session's embedder, at the default precision "auto"
    for text in TEXTS:
        assert float(embedder.embed_query(text) @ embedder.embed([text])[0]) > 0.99999


def test_unknown_precision_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="query precision"):
        SentenceTransformerEmbedder(query_precision="fp8")
