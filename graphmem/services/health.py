"""Liveness and readiness: ready means the database answers and the models are loaded."""

from __future__ import annotations

import anyio
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.dto import Readiness
from graphmem.store.engine import ping

__all__ = ["HealthService"]


class HealthService:
    def __init__(self, engine: AsyncEngine, *, models_loaded: bool) -> None:
        self._engine = engine
        self._models_loaded = models_loaded

    async def readiness(self) -> Readiness:
        database = False
        with anyio.move_on_after(2.0):
            database = await ping(self._engine)
        return Readiness(ready=database and self._models_loaded, database=database, models=self._models_loaded)
