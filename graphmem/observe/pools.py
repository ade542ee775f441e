"""Database pool usage as gauges, read from SQLAlchemy's pools at scrape time."""

from __future__ import annotations

from typing import Iterator, Mapping

from prometheus_client.metrics_core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["PoolCollector"]

_GAUGES = (
    ("graphmem_db_pool_size", "Connections the pool keeps (its configured size)", "size"),
    ("graphmem_db_pool_checked_out", "Connections in use by a request or task", "checkedout"),
    ("graphmem_db_pool_checked_in", "Open connections idle in the pool", "checkedin"),
    ("graphmem_db_pool_overflow", "Connections open beyond the pool size", "overflow"),
)


class PoolCollector(Collector):
    """One series per engine, labelled ``pool`` with the name it was watched under."""

    def __init__(self) -> None:
        self._engines: dict[str, AsyncEngine] = {}

    def watch(self, engines: Mapping[str, AsyncEngine]) -> None:
        """Replace the engines read at scrape time; an empty mapping stops reading (shutdown)."""
        self._engines = dict(engines)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = [GaugeMetricFamily(name, doc, labels=["pool"]) for name, doc, _ in _GAUGES]
        for pool_name, engine in self._engines.items():
            pool = engine.pool
            for family, (_, _, method) in zip(families, _GAUGES):
                read = getattr(pool, method, None)
                if read is None:  # NullPool and friends keep no connections to count
                    continue
                value = read()
                # QueuePool counts overflow from -size upwards: negative means "not all opened yet".
                family.add_metric([pool_name], max(0, value) if method == "overflow" else value)
        yield from families
