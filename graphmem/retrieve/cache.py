"""A bounded in-process cache of per-user derived data, each entry valid for one stamp.

PostgreSQL reports the stamp (a memory or graph revision, bumped by triggers) at the start of every
search, so a write on any replica makes the entry stale there, and a restart rebuilds it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Awaitable, Callable, Generic, Hashable, Sized, TypeVar

import anyio.to_thread

__all__ = ["StampedCache", "cached"]

V = TypeVar("V", bound=Sized)
R = TypeVar("R")


class StampedCache(Generic[V]):
    """Values by (user, kind), each valid for one stamp; least recently used out beyond
    ``max_size`` (the sum of ``len(value)``), and dropped after ``idle_s`` unused (an erased
    user's data should not linger in a replica that never hears of the erasure)."""

    def __init__(self, max_size: int = 100_000, idle_s: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_size
        self._idle = idle_s
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], tuple[Hashable, V, float]] = OrderedDict()
        self._size = 0
        self._generations: dict[str, int] = {}  # bumped by forget(): a build begun before is not kept

    def generation(self, user_id: str) -> int:
        return self._generations.get(user_id, 0)

    def get(self, user_id: str, kind: str, stamp: Hashable) -> V | None:
        self._sweep()
        entry = self._entries.get((user_id, kind))
        if entry is None or entry[0] != stamp:
            return None
        self._entries.move_to_end((user_id, kind))
        self._entries[(user_id, kind)] = (stamp, entry[1], self._clock())
        return entry[1]

    def latest(self, user_id: str, kind: str) -> V | None:
        """The value held, whatever its stamp: a guess to start work with before the stamp is read."""
        entry = self._entries.get((user_id, kind))
        return None if entry is None else entry[1]

    def put(self, user_id: str, kind: str, stamp: Hashable, value: V, generation: int = 0) -> None:
        """Keep ``value``, unless the user was forgotten since ``generation`` was read."""
        self._sweep()
        if generation != self.generation(user_id):
            return
        self._drop((user_id, kind))
        self._entries[(user_id, kind)] = (stamp, value, self._clock())
        self._size += len(value)
        while self._size > self._max and len(self._entries) > 1:
            self._drop(next(iter(self._entries)))

    def forget(self, user_id: str) -> None:
        self._generations[user_id] = self.generation(user_id) + 1
        for key in [k for k in self._entries if k[0] == user_id]:
            self._drop(key)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, user_id: object) -> bool:
        return any(key[0] == user_id for key in self._entries)

    def _drop(self, key: tuple[str, str]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._size -= len(entry[1])

    def _sweep(self) -> None:
        cutoff = self._clock() - self._idle
        while self._entries:
            key, (_, _, used) = next(iter(self._entries.items()))
            if used >= cutoff:
                break
            self._drop(key)


async def cached(
    cache: StampedCache[V], user_id: str, kind: str, stamp: Hashable, read: Callable[[], Awaitable[R]], build: Callable[[R], V]
) -> V:
    """The cached value while its stamp holds; else ``read`` the rows and ``build`` the value on a
    worker thread (parsing thousands of rows would stall the event loop), and keep it."""
    value = cache.get(user_id, kind, stamp)
    if value is None:
        generation = cache.generation(user_id)
        value = await anyio.to_thread.run_sync(build, await read())
        cache.put(user_id, kind, stamp, value, generation=generation)
    return value
