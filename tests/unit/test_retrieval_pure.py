"""Pure retrieval pieces on literal inputs: documents, z-score fusion, graph expansion, ranking."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from graphmem.bench.metrics import ndcg_at, recall_at, repair_evidence
from graphmem.retrieve.config import Channel, Fusion, RetrievalConfig
from graphmem.retrieve.documents import ContextWindow, IndexedTurn, context_documents, index_text, sessions
from graphmem.retrieve.fusion import linear, zscores
from graphmem.retrieve.graph import GraphHit, entity_pulls, expand, graph_hits, query_keys
from graphmem.retrieve.rank import channel_weights, discount_long, lexical_document, lexical_weight, rank
from graphmem.retrieve.when import query_period
from graphmem.store.retrieval import Candidate


def at(minute: int) -> datetime:
    return datetime(2024, 5, 8, 13, 0, tzinfo=timezone.utc) + timedelta(minutes=minute)


def test_index_text_names_speaker_and_day() -> None:
    assert index_text("Caroline", at(0), "Hi!") == "[8 May 2024] Caroline: Hi!"


def test_context_documents_weight_the_turn_and_respect_sessions() -> None:
    turns = [IndexedTurn(i, at(m), "A", f"t{i}") for i, m in enumerate([0, 1, 2, 3, 300])]
    assert [[t.id for t in s] for s in sessions(turns, timedelta(hours=6))] == [[0, 1, 2, 3, 4]]
    assert [[t.id for t in s] for s in sessions(turns, timedelta(minutes=10))] == [[0, 1, 2, 3], [4]]
    docs = context_documents(turns, ContextWindow(before=1, after=1, self_weight=2, session_gap=timedelta(minutes=10)))
    assert docs[1].split("\n") == [index_text("A", at(0), "t0"), *[index_text("A", at(1), "t1")] * 2, index_text("A", at(2), "t2")]
    assert docs[4].count("t4") == 2 and "t3" not in docs[4]
    only = context_documents(turns, ContextWindow(), only=[2])
    assert set(only) == {2}


def test_zscores_and_linear_fusion() -> None:
    assert zscores([(1, 5.0), (2, 5.0)]) == {1: 0.0, 2: 0.0}
    z = zscores([(1, 3.0), (2, 1.0)])
    assert z == pytest.approx({1: 1.0, 2: -1.0})
    fused = linear({"a": [(1, 3.0), (2, 1.0)], "b": [(2, 9.0), (3, 1.0)]}, {"a": 0.5, "b": 0.5})
    assert [f.id for f in fused] == [1, 2, 3] or [f.id for f in fused][0] in (1, 2)
    scores = {f.id: f.score for f in fused}
    assert scores[1] == pytest.approx(0.5 * 1 + 0.5 * -1)  # missing from b: b's floor
    assert scores[2] == pytest.approx(0.5 * -1 + 0.5 * 1)
    assert scores[3] == pytest.approx(0.5 * -1 + 0.5 * -1)


def test_linear_fusion_scores_an_unreached_item_zero_in_an_absent_channel() -> None:
    # Every graph hit ties (one hub's mentions): on its own scale the list says nothing, but
    # standardized with the candidates it did not reach (raw 0) its hits rank above them.
    lists = {"text": [(1, 2.0), (2, 1.0)], "graph": [(2, 0.6)]}
    weights = {"text": 0.5, "graph": 1.0}
    assert [f.id for f in linear(lists, weights)] == [1, 2]
    fused = {f.id: f.score for f in linear(lists, weights, absent={"graph": 0.0})}
    assert fused[2] > fused[1]
    assert fused[1] == pytest.approx(0.5 * 1 + 1.0 * -1)  # graph pool [0.6, 0]: z of 0 is -1


def test_query_keys() -> None:
    keys = query_keys("What did Caroline's sisters think of Sarah Connor?")
    assert {"caroline", "sister", "sisters", "sarah connor", "sarah", "connor"} <= keys
    assert "what" not in keys and "of" not in keys


def test_expand_halves_per_hop_and_keeps_the_path() -> None:
    edges = [(1, 2, "likes"), (2, 3, "located_in")]
    reached = expand({1: 1.0}, edges, {1: "Ana", 2: "pottery", 3: "Lyon"}, hops=2)
    assert reached[1] == (1.0, ("Ana",))
    assert reached[2] == (0.5, ("Ana", "-likes-", "pottery"))
    assert reached[3][0] == 0.25 and reached[3][1][-1] == "Lyon"
    assert set(expand({1: 1.0}, edges, {}, hops=0)) == {1}


def test_hubs_pull_less() -> None:
    reached = {1: (1.0, ("Hub",)), 2: (1.0, ("Rare",)), 3: (0.5, ("Rare", "-likes-", "tea"))}
    pulls = entity_pulls(reached, {1: 99, 2: 1, 3: 1}, total_memories=100)
    assert pulls[2] > pulls[1] > 0 and pulls[3] == pytest.approx(pulls[2] / 2)
    hits = graph_hits([(11, pulls[2] + pulls[1], 2), (10, pulls[1], 1), (12, 1.0, 99)], reached)
    assert [h.memory_id for h in hits] == [11, 10]  # an entity the expansion did not reach explains nothing
    assert hits[0].path == ("Rare", "mentioned in memory 11")


def test_adaptive_weights() -> None:
    config = RetrievalConfig()
    assert lexical_document(config, 12) == "context" and lexical_document(config, 80) == "turn"
    assert lexical_document(replace(config, context_max_median=None), 80) == "context"
    weights = channel_weights(config, 60)
    assert weights["lexical"] == pytest.approx(config.lexical_weight / 2)
    assert weights["vector"] + weights["lexical"] == pytest.approx(config.vector_weight + config.lexical_weight)
    assert lexical_weight(config, 15) == config.lexical_weight
    assert lexical_weight(config, 120) == pytest.approx(config.lexical_weight * 30 / 120)
    assert lexical_weight(replace(config, adaptive_lexical_tokens=None), 120) == config.lexical_weight
    assert discount_long([(1, 0.9), (2, 0.8)], {1: 800, 2: 10}, 100, 0.1)[0][0] == 2
    assert discount_long([(1, 0.9)], {1: 800}, 100, 0.0) == [(1, 0.9)]


def _c(i: int, session: str = "s", speaker: str | None = None, minute: int = 0, length: int = 10) -> Candidate:
    return Candidate(i, session, at(minute), length, speaker, speaker.lower() if speaker else None)


def test_rank_explains_boosts_and_reranks_sessions() -> None:
    config = RetrievalConfig(fusion=Fusion.RRF, entity_boost=0.5, speaker_boost=0.0, session_lambda=0.0)
    lists = {"vector": [(1, 0.9), (2, 0.8)], "lexical": [(1, 3.0), (2, 2.0)]}
    hits = rank(lists, config, graph_hits=[GraphHit(2, 1.0, ("Ana", "mentioned in memory 2"))])
    assert [h.id for h in hits] == [2, 1]
    assert hits[0].boosts == {"entity": 1.5} and hits[0].path == ("Ana", "mentioned in memory 2")
    assert set(hits[0].channels) == {"vector", "lexical", "graph"}
    plain = rank(lists, replace(config, channels=(Channel.VECTOR, Channel.LEXICAL), entity_boost=0.0))
    assert [h.id for h in plain] == [1, 2] and plain[0].boosts == {}
    lists = {"vector": [(1, 0.9), (2, 0.5), (3, 0.45)]}
    info = {1: _c(1, "s1"), 2: _c(2, "s2"), 3: _c(3, "s1")}
    session = rank(lists, replace(config, entity_boost=0.0, session_lambda=1.0), candidates=info)
    assert [h.id for h in session] == [1, 3, 2]


def test_speaker_and_time_boosts() -> None:
    config = RetrievalConfig(fusion=Fusion.RRF, entity_boost=0.0, speaker_boost=1.5, time_boost=0.0, session_lambda=0.0)
    lists = {"vector": [(1, 0.9), (2, 0.8)]}
    info = {1: _c(1, speaker="Ben"), 2: _c(2, speaker="Ana", minute=60)}
    hits = rank(lists, config, candidates=info, named=frozenset({"ana"}))
    assert [h.id for h in hits] == [2, 1] and hits[0].boosts == {"speaker": 2.5}
    assert hits[0].path == ("Ana", "-said-", "memory 2")
    timed = rank(lists, replace(config, speaker_boost=0.0, time_boost=1.5), candidates=info, period=(at(30), at(90)))
    assert [h.id for h in timed] == [2, 1] and timed[0].boosts == {"time": 2.5}


def test_pronouns_spare_long_turns_but_boost_only_when_asked() -> None:
    """"I" in a query points at the user's turns: they escape the long-memory penalty, but earn
    the speaker boost only with ``pronoun_speakers`` (in a two-party chat that is half the corpus)."""
    config = RetrievalConfig(fusion=Fusion.ZSCORE, channels=(Channel.VECTOR,), entity_boost=0.0, speaker_boost=1.0,
                             time_boost=0.0, session_lambda=0.0, long_memory_penalty=0.5, long_memory_tokens=10)
    lists = {"vector": [(1, 0.80), (2, 0.78), (3, 0.10)]}
    info = {1: _c(1, speaker="Bot", length=10), 2: replace(_c(2, length=80), role="user"), 3: _c(3, length=10)}
    me = frozenset({"role:user"})
    plain = rank(lists, config, candidates=info)
    assert [h.id for h in plain][:2] == [1, 3]  # the long user turn lost 1.5 to the penalty
    spared = rank(lists, config, candidates=info, pronouns=me)
    assert [h.id for h in spared][:2] == [1, 2] and spared[1].boosts == {}
    boosted = rank(lists, replace(config, pronoun_speakers=True), candidates=info, pronouns=me)
    assert [h.id for h in boosted][:2] == [2, 1] and boosted[0].boosts == {"speaker": 2.0}


def test_query_period() -> None:
    now = datetime(2024, 3, 15, 12, tzinfo=timezone.utc)
    assert query_period("What did she do in May 2023?", now) == (datetime(2023, 5, 1, tzinfo=timezone.utc), datetime(2023, 6, 1, tzinfo=timezone.utc))
    assert query_period("trips in 2021", now)[0].year == 2021
    assert query_period("what happened last week", now) == (datetime(2024, 3, 4, tzinfo=timezone.utc), datetime(2024, 3, 11, tzinfo=timezone.utc))
    assert query_period("yesterday", now)[0].day == 14
    assert query_period("last month", now)[0].month == 2 and query_period("last year", now)[0].year == 2023
    assert query_period("what does she like", now) is None


def test_evidence_repair_and_metrics() -> None:
    known = {"D8:6", "D9:17", "D11:26", "D1:1"}
    assert repair_evidence(["D8:6; D9:17", "D:11:26", "D99:1"], known) == ["D8:6", "D9:17", "D11:26"]
    assert recall_at(["D1:1", "D1:1", "D8:6"], ["D8:6", "D9:17"], 2) == 0.5
    assert ndcg_at(["D8:6"], ["D8:6"], 10) == 1.0
