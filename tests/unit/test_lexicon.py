"""The in-process BM25 index, on literal inputs."""

from __future__ import annotations

import math

import pytest

from graphmem.retrieve.lexicon import LexicalIndex, parse_tsvector


def test_parse_tsvector_reads_frequencies_quotes_and_weights() -> None:
    text = r"""'cabin':3 'it''s':1,4 'norway':2A,7B,9 'back\\slash':5 'bare'"""
    assert parse_tsvector(text) == {"cabin": 1, "it's": 2, "norway": 3, "back\\slash": 1, "bare": 1}
    assert parse_tsvector("") == {}


def _bm25(tf: int, df: int, n: int, length: int, avgdl: float, k1: float = 1.2, b: float = 0.75) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5)) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl))


def test_scores_are_okapi_bm25_with_any_term_matching() -> None:
    filler = [(i, "'tea':1 'rain':2", 2) for i in range(3, 9)]
    index = LexicalIndex.build([(1, "'cabin':1 'norway':2,5", 3), (2, "'norway':1", 1), *filler])
    avgdl = (3 + 1 + 6 * 2) / 8
    got = dict(index.score(["norway", "cabin", "unknown"]))
    assert set(got) == {1, 2}  # a document needs one of the terms, not all of them
    assert got[1] == pytest.approx(_bm25(2, 2, 8, 3, avgdl) + _bm25(1, 1, 8, 3, avgdl))
    assert got[2] == pytest.approx(_bm25(1, 2, 8, 1, avgdl))
    assert [i for i, _ in index.score(["norway", "cabin"])] == [1, 2]
    assert index.score(["unknown"]) == [] and LexicalIndex.build([]).score(["x"]) == []


def test_common_terms_score_but_do_not_select() -> None:
    docs = [(i, "'ana':1" + (" 'pottery':2" if i == 9 else ""), 2) for i in range(10)]
    index = LexicalIndex.build(docs)
    ranked = index.score(["ana", "pottery"])
    assert [i for i, _ in ranked] == [9]  # "ana" is in every document: it only adds to 9's score
    assert ranked[0][1] > dict(index.score(["pottery"]))[9]
    assert len(index.score(["ana"])) == 10  # with no rarer term, the common ones select
