"""``GET /metrics``: the Prometheus exposition of this app's registry."""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import State
from prometheus_client import CONTENT_TYPE_LATEST

__all__ = ["metrics"]


@get(
    "/metrics",
    tags=["status"],
    summary="Prometheus metrics: latency per route, model timings, queue, database pools",
    include_in_schema=False,  # text exposition format, not part of the JSON API
)
async def metrics(state: State) -> Response[bytes]:
    return Response(await state.metrics.scrape(), media_type=CONTENT_TYPE_LATEST)
