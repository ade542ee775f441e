"""The in-process entity graph the graph channel reads, on literal rows."""

from __future__ import annotations

import pytest

from graphmem.retrieve.entity_graph import EntityGraph
from graphmem.retrieve.graph import entity_pulls, expand

# Ana (a speaker, a hub) has a sister Bea who lives in Oslo; "pottery" is a concept.
ENTITIES = [(1, "Ana", "PERSON", 4), (2, "Bea", "PERSON", 2), (3, "Oslo", "GPE", 1), (4, "pottery", "CONCEPT", 1)]
ALIASES = [("ana", 1), ("bea", 2), ("beatrice", 2), ("oslo", 3), ("pottery", 4), ("ana", 1)]
RELATIONS = [(1, 2, "sibling_of"), (2, 3, "lives_in"), (1, 1, "self_note")]
MENTIONS = [(1, 10), (1, 11), (1, 12), (1, 13), (2, 12), (2, 14), (3, 14), (4, 11)]


@pytest.fixture
def graph() -> EntityGraph:
    return EntityGraph.build((ENTITIES, ALIASES, RELATIONS, MENTIONS))


def test_links_aliases_and_leaves_out_excluded_types(graph: EntityGraph) -> None:
    assert graph.link({"beatrice", "oslo", "unknown"}) == [2, 3]
    assert graph.link({"ana", "pottery"}, exclude_types=("CONCEPT",)) == [1]
    assert graph.link({"pottery"}) == [4]
    assert graph.of_memories([12, 14, 99]) == [1, 2, 3]


def test_edges_touch_the_frontier_once_each_in_id_order_and_bounded(graph: EntityGraph) -> None:
    assert graph.edges({1}) == [(1, 2, "sibling_of"), (1, 1, "self_note")]
    assert graph.edges({1, 2}) == [(1, 2, "sibling_of"), (2, 3, "lives_in"), (1, 1, "self_note")]
    assert graph.edges({1, 2}, limit=1) == [(1, 2, "sibling_of")]
    assert graph.edges({4}) == []


def test_near_sums_pulls_and_names_the_strongest_entity(graph: EntityGraph) -> None:
    near = graph.near({1: 0.5, 2: 2.0, 3: 1.0})
    assert near == [(14, 3.0, 2), (12, 2.5, 2), (10, 0.5, 1), (11, 0.5, 1), (13, 0.5, 1)]
    assert graph.near({2: 1.0, 3: 1.0})[0] == (14, 2.0, 2)  # a tie goes to the lower entity id
    assert graph.near({}) == []


def test_a_query_naming_bea_reaches_her_sister_hub_less_than_her_town(graph: EntityGraph) -> None:
    """Link, expand one hop and score, as the graph channel does: Bea's own memories first; the
    hub Ana, mentioned in most memories, pulls less than Oslo, mentioned in one."""
    seeds = dict.fromkeys(graph.link({"bea"}), 1.0)
    reached = expand(seeds, graph.edges(seeds), graph.names, hops=1)
    assert reached[3] == (0.5, ("Bea", "-lives_in-", "Oslo"))
    pulls = entity_pulls(reached, graph.counts, total_memories=5)
    assert pulls[3] > pulls[1]
    assert [m for m, _, _ in graph.near(pulls)][:2] == [14, 12]


def test_size_counts_entities_relations_and_mentions(graph: EntityGraph) -> None:
    assert len(graph) == 4 + 3 + 8
    assert len(EntityGraph.build(([], [], [], []))) == 0
