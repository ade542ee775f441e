"""Fuzzy name ranking, evidence snippets and cursors: pure helpers of the graph API."""

from __future__ import annotations

import pytest

from graphmem.errors import InvalidInput
from graphmem.explore.fuzzy import rank_names, similarity
from graphmem.explore.snippet import snippet
from graphmem.services.cursors import decode_position, encode_position


def test_fuzzy_ranks_typos_words_and_prefixes() -> None:
    names = [(1, "sarah connor"), (2, "portland"), (3, "port"), (4, "boston"), (2, "pdx")]
    assert rank_names("portlnd", names, cutoff=0.6, limit=5)[0][0] == 2
    assert rank_names("conor", names, cutoff=0.6, limit=5)[0][0] == 1
    assert [i for i, _ in rank_names("port", names, cutoff=0.6, limit=5)][:2] == [3, 2]
    assert rank_names("zzz", names, cutoff=0.6, limit=5) == []
    assert len(rank_names("port", names, cutoff=0.0, limit=2)) == 2
    assert similarity("bos", "boston") >= 0.9


def test_snippet_surrounds_the_span_and_marks_cuts() -> None:
    text = "Hello there. " * 20 + "I work at Acme in the city." + " Bye now." * 20
    start = text.index("I work at Acme")
    piece = snippet(text, start, start + len("I work at Acme"), width=30)
    assert "I work at Acme" in piece and piece.startswith("…") and piece.endswith("…")
    assert len(piece) < 100
    assert snippet("Short one.", 0, 5) == "Short one."
    assert snippet("Short one.", None, None) == "Short one."
    assert snippet("Short one.", 3, 99) == "Short one."


def test_cursors_round_trip_and_refuse_others() -> None:
    cursor = encode_position("relations", 42)
    assert decode_position(cursor, "relations", int) == 42
    with pytest.raises(InvalidInput):
        decode_position(cursor, "users", int)
    with pytest.raises(InvalidInput):
        decode_position("%%%", "relations", int)
    with pytest.raises(InvalidInput):
        decode_position(encode_position("relations", "x"), "relations", int)
