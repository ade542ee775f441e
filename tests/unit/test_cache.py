"""The stamped per-user cache of derived data (BM25 indexes, entity graphs), on literal inputs."""

from __future__ import annotations

from typing import Awaitable, Callable

import anyio

from graphmem.retrieve.cache import StampedCache, cached
from graphmem.retrieve.lexicon import LexicalIndex


def test_cache_holds_an_index_only_for_its_stamp() -> None:
    now = [0.0]
    cache = StampedCache[LexicalIndex](max_size=3, idle_s=60, clock=lambda: now[0])
    one = LexicalIndex.build([(1, "'a':1", 1), (2, "'b':1", 1)])
    cache.put("u1", "context", (2, 2), one)
    assert cache.get("u1", "context", (2, 2)) is one
    assert cache.get("u1", "context", (3, 5)) is None  # a write changed the corpus
    assert cache.latest("u1", "context") is one and cache.latest("u1", "turn") is None  # a guess, any stamp
    assert cache.get("u1", "turn", (2, 2)) is None
    cache.put("u2", "context", (1, 1), LexicalIndex.build([(7, "'c':1", 1)]))
    cache.put("u3", "context", (1, 1), LexicalIndex.build([(8, "'d':1", 1)]))  # 4 documents > 3
    assert cache.get("u1", "context", (2, 2)) is None and len(cache) == 2  # least recently used out
    cache.forget("u2")
    assert cache.get("u2", "context", (1, 1)) is None and len(cache) == 1
    now[0] = 61.0
    assert cache.get("u3", "context", (1, 1)) is None and len(cache) == 0  # idle too long


def test_a_build_begun_before_an_erasure_is_not_kept() -> None:
    cache: StampedCache[LexicalIndex] = StampedCache()
    index = LexicalIndex.build([(1, "'secret':1", 1)])
    before = cache.generation("u1")
    cache.forget("u1")  # the erasure lands while a search is still building the index
    cache.put("u1", "context", (1, 1), index, generation=before)
    assert "u1" not in cache
    cache.put("u1", "context", (1, 1), index, generation=cache.generation("u1"))
    assert "u1" in cache


def test_cached_builds_once_per_stamp_and_not_across_an_erasure() -> None:
    cache: StampedCache[LexicalIndex] = StampedCache()
    reads: list[str] = []

    def reader(text: str, erase: bool = False) -> Callable[[], Awaitable[list[tuple[int, str, int]]]]:
        async def read() -> list[tuple[int, str, int]]:
            reads.append(text)
            if erase:
                cache.forget("u1")  # an erasure lands while the rows are being read
            return [(1, f"'{text}':1", 1)]

        return read

    async def scenario() -> list[dict[str, int]]:
        first = await cached(cache, "u1", "turn", 1, reader("alpha"), LexicalIndex.build)
        again = await cached(cache, "u1", "turn", 1, reader("ignored"), LexicalIndex.build)
        changed = await cached(cache, "u1", "turn", 2, reader("beta"), LexicalIndex.build)
        racing = await cached(cache, "u1", "turn", 3, reader("gamma", erase=True), LexicalIndex.build)
        return [{t: len(d) for t, d in index.postings.items()} for index in (first, again, changed, racing)]

    built = anyio.run(scenario)
    assert reads == ["alpha", "beta", "gamma"]  # the second call used the cached index
    assert built == [{"alpha": 1}, {"alpha": 1}, {"beta": 1}, {"gamma": 1}]
    assert "u1" not in cache  # the index read across the erasure was served once, not kept
