"""Interpreter settings for a serving process, applied while the runtime is open."""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from typing import Iterator

__all__ = ["serving_interpreter"]

SWITCH_INTERVAL_S = 0.001


@contextmanager
def serving_interpreter() -> Iterator[None]:
    """A query embedding runs on a worker thread while the event loop works; each time it needs
    the GIL back it waited up to the default 5 ms switch interval, which doubled its p95. And
    the models' ~600,000 objects never become garbage: a full collection walking them stalled a
    search for ~300 ms, so they are frozen out of collections."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        sys.setswitchinterval(previous)
