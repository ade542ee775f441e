"""Structured logs: JSON lines (or console text) rendered by structlog.

``request_logger`` builds a logger for one app without touching structlog's global
configuration, so apps in one process (the tests) each write to their own stream.
``configure_process_logging`` routes the standard library's records (uvicorn, SQLAlchemy,
our modules) through the same renderer; it changes process-wide state, so only an entry
point such as ``graphmem serve`` calls it, never ``create_app``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog
from structlog.typing import Processor

from graphmem.errors import ConfigurationError
from graphmem.settings import Settings

__all__ = ["LOG_FORMATS", "request_logger", "configure_process_logging", "log_level"]

LOG_FORMATS = ("json", "console")


def log_level(name: str) -> int:
    level = logging.getLevelNamesMapping().get(name.upper())
    if level is None:
        raise ConfigurationError(f"GRAPHMEM_LOG_LEVEL={name!r} is not a logging level (debug, info, warning, error)")
    return level


def _renderer(log_format: str) -> list[Processor]:
    if log_format == "json":
        return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    if log_format == "console":
        return [structlog.dev.ConsoleRenderer(colors=False)]
    raise ConfigurationError(f"GRAPHMEM_LOG_FORMAT={log_format!r} must be one of {', '.join(LOG_FORMATS)}")


def _context() -> list[Processor]:
    # merge_contextvars brings in the request id bound for the duration of each request.
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def request_logger(settings: Settings, stream: TextIO | None = None) -> Any:
    """A structlog logger writing one rendered line per event to ``stream`` (default stdout)."""
    return structlog.wrap_logger(
        structlog.WriteLogger(stream or sys.stdout),
        processors=[*_context(), *_renderer(settings.log_format)],
        wrapper_class=structlog.make_filtering_bound_logger(log_level(settings.log_level)),
    ).bind(logger="graphmem.request")


def configure_process_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Render every standard-library log record in ``settings.log_format`` on ``stream``."""
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_context(), structlog.stdlib.add_logger_name],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *_renderer(settings.log_format)],
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(log_level(settings.log_level))
