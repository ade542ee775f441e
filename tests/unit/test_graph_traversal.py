"""Neighbourhoods and shortest paths over literal edges, without a database."""

from __future__ import annotations

from graphmem.explore.traverse import Edge, frontier, neighbourhood, shortest_path

# 1 -> 2 -> 3 -> 4, 1 -> 5, and 6 -> 7 apart; 2 and 3 are linked twice.
EDGES = [Edge(10, 1, 2), Edge(11, 2, 3, 0.5), Edge(12, 3, 2, 0.9), Edge(13, 3, 4), Edge(14, 1, 5), Edge(15, 6, 7)]


def test_neighbourhood_by_depth_nearest_first() -> None:
    one = neighbourhood(EDGES, 1, 1, 10)
    assert one.distance == {2: 1, 5: 1} and one.relation_ids == [10, 14] and not one.truncated
    three = neighbourhood(EDGES, 1, 3, 10)
    assert three.distance == {2: 1, 5: 1, 3: 2, 4: 3}
    assert three.relation_ids == [10, 11, 12, 13, 14]


def test_neighbourhood_limit_keeps_the_nearest_and_says_so() -> None:
    cut = neighbourhood(EDGES, 1, 3, 2)
    assert cut.distance == {2: 1, 5: 1} and cut.truncated
    assert cut.relation_ids == [10, 14]


def test_isolated_root_has_no_neighbours() -> None:
    assert neighbourhood([], 9, 3, 10).distance == {}


def test_shortest_path_ignores_direction_and_prefers_confident_edges() -> None:
    assert shortest_path(EDGES, 4, 1) == ([4, 3, 2, 1], [13, 12, 10])
    assert shortest_path(EDGES, 1, 1) == ([1], [])
    assert shortest_path(EDGES, 1, 7) is None
    assert shortest_path(EDGES, 1, 99) is None


def test_frontier_is_what_the_edges_reach_beyond_the_seen() -> None:
    assert frontier(EDGES[:2], {1}) == {2, 3}
