"""Observability: Prometheus metrics, timing decorators for the model seams, structured logs."""

from graphmem.observe.logs import configure_process_logging, request_logger
from graphmem.observe.metrics import JobEvents, Metrics, QueueStats
from graphmem.observe.requests import RequestObserver, echo_request_id, request_id
from graphmem.observe.timed import TimedEmbedder, TimedExtractor

__all__ = [
    "Metrics",
    "QueueStats",
    "JobEvents",
    "TimedEmbedder",
    "TimedExtractor",
    "RequestObserver",
    "echo_request_id",
    "request_id",
    "request_logger",
    "configure_process_logging",
]
