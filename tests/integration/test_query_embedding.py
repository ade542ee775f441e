"""The single-text path (a query) agrees with the batch path that embedded the stored memories."""

from __future__ import annotations

import numpy as np
import pytest

from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.errors import ConfigurationError

TEXTS = ["hi", "What activities does Caroline do with her family in the summer?", "word " * 400]


def test_default_embedder_takes_the_traced_path_and_agrees_with_encode(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.traced_queries  # the packaged model fits the traced path
    for text in TEXTS:
        single = embedder.embed([text])[0]
        batch = embedder.embed([text, "another text in the batch"])[0]  # two texts: encode
        assert single.dtype == np.float32 and single.shape == (embedder.dimension,)
        assert float(single @ batch) > 0.9995


def test_float32_path_reproduces_encode() -> None:
    exact = SentenceTransformerEmbedder(query_precision="fp32")
    for text in TEXTS:
        assert np.abs(exact.embed([text])[0] - exact.embed([text, "x"])[0]).max() < 1e-5


def test_unknown_precision_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="query precision"):
        SentenceTransformerEmbedder(query_precision="fp8")
