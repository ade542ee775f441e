"""A ChromaDB persistent directory as import records (the optional extra ``graphmem[chroma]``).

Each entry of the collection becomes one message: the document is its text, the entry id its
client id, and chosen metadata keys give its user, conversation, role, speaker and time; the
other keys stay as the message's metadata. Entries are read in two passes (metadata first,
sorted by user, conversation and time; then documents in that order), so conversations arrive
in order without holding every document and vector in memory.

Stored vectors are reused when the collection was embedded with our model, all-MiniLM-L6-v2
("matches", decided by ``model_matches``); otherwise graphmem embeds the documents itself.
chromadb is synchronous: every call runs in a worker thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Literal, Mapping

import anyio.to_thread
import numpy as np

from graphmem.errors import ConfigurationError, InvalidInput
from graphmem.importers.records import BadRecord, Item, make_record
from graphmem.limits import MAX_NAME_CHARS
from graphmem.store.tables import EMBEDDING_DIM

__all__ = ["ChromaOptions", "open_collection", "model_matches", "read_chroma", "VectorMode"]

VectorMode = Literal["auto", "reuse", "reembed"]
OUR_MODEL = "all-minilm-l6-v2"
# Metadata keys a collection may use to name its embedding model.
MODEL_KEYS = ("embedding_model", "embedding_model_name", "model", "model_name")
PAGE = 256


@dataclass(frozen=True, slots=True)
class ChromaOptions:
    """Which metadata keys address a message, and the defaults for entries without them."""

    user_field: str = "user_id"
    conversation_field: str = "conversation_id"
    role_field: str = "role"
    speaker_field: str = "speaker"
    timestamp_field: str = "timestamp"
    user: str | None = None  # for entries without the user field
    conversation: str | None = None  # default: the collection's name
    role: str = "user"  # for entries without the role field
    user_prefix: str = ""


def open_collection(path: str | Path, name: str) -> Any:
    """The collection, read-only in intent; raises our errors for a missing extra, directory or name."""
    try:
        import chromadb
    except ImportError as exc:
        raise ConfigurationError("importing from ChromaDB needs chromadb: pip install 'graphmem[chroma]'") from exc
    directory = Path(path).expanduser()
    if not directory.is_dir():  # PersistentClient would silently create an empty store here
        raise InvalidInput(f"{directory} is not a directory")
    client = chromadb.PersistentClient(path=str(directory))
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    if name not in names:
        raise InvalidInput(f"no collection {name!r} in {directory}; it has: {', '.join(sorted(names)) or 'none'}")
    return client.get_collection(name)


def _is_ours(model: Any) -> bool:
    return isinstance(model, str) and model.strip().lower().replace("_", "-").endswith(OUR_MODEL)


def model_matches(collection: Any) -> tuple[bool, str]:
    """Whether the collection's vectors come from all-MiniLM-L6-v2, and why we think so.

    The collection's metadata wins when it names a model (``embedding_model``, ``model``, ...).
    Otherwise its embedding-function configuration decides: chromadb's ``default`` function is
    all-MiniLM-L6-v2 (its ONNX build), and ``sentence_transformer`` or ``onnx_mini_lm_l6_v2`` say
    their model. A collection created without an embedding function says nothing: no match.
    """
    metadata = collection.metadata or {}
    for key in MODEL_KEYS:
        if key in metadata:
            return _is_ours(metadata[key]), f"collection metadata {key}={metadata[key]!r}"
    function = (getattr(collection, "configuration", None) or {}).get("embedding_function")
    if function is None:
        return False, "the collection names no embedding model"
    kind = function.name() if callable(getattr(function, "name", None)) else str(function)
    if kind in ("default", "onnx_mini_lm_l6_v2"):
        return True, f"chromadb's {kind!r} embedding function (all-MiniLM-L6-v2)"
    config = function.get_config() if callable(getattr(function, "get_config", None)) else {}
    model = config.get("model_name") if isinstance(config, dict) else None
    return _is_ours(model), f"embedding function {kind!r} with model {model!r}"


def _timestamp(value: Any, fallback: datetime) -> datetime | Any:
    """Epoch seconds (or milliseconds) or ISO 8601; naive times are UTC. Anything else is passed on
    for validation to reject."""
    if value is None:
        return fallback
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, timezone.utc)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _client_id(entry_id: str) -> str:
    if len(entry_id) <= MAX_NAME_CHARS:
        return entry_id
    return "chroma-" + hashlib.sha256(entry_id.encode()).hexdigest()


@dataclass(slots=True)
class _Entry:
    user: str | None
    conversation: str
    ts: datetime | Any
    position: int
    id: str


class _Reader:
    def __init__(self, collection: Any, options: ChromaOptions, reuse: bool, now: datetime) -> None:
        self.collection = collection
        self.o = options
        self.reuse = reuse
        self.now = now

    async def _get(self, **kwargs: Any) -> Mapping[str, Any]:
        return await anyio.to_thread.run_sync(lambda: self.collection.get(**kwargs))

    async def order(self) -> list[_Entry]:
        """Pass 1: every entry's address from its metadata, sorted into conversation order."""
        o, entries = self.o, []
        total = await anyio.to_thread.run_sync(self.collection.count)
        for offset in range(0, total, PAGE):
            page = await self._get(limit=PAGE, offset=offset, include=["metadatas"])
            for entry_id, meta in zip(page["ids"], page["metadatas"] or [None] * len(page["ids"]), strict=True):
                meta = meta or {}
                user = _text(meta.get(o.user_field, o.user))
                conversation = _text(meta.get(o.conversation_field)) or o.conversation or self.collection.name
                ts = _timestamp(meta.get(o.timestamp_field), self.now)
                entries.append(_Entry(user, conversation, ts, len(entries), entry_id))
        # Unparseable times sort last within their conversation; validation then rejects them.
        entries.sort(key=lambda e: (e.user or "", e.conversation, not isinstance(e.ts, datetime),
                                    e.ts if isinstance(e.ts, datetime) else self.now, e.position))
        return entries

    def record(self, entry: _Entry, document: Any, meta: Mapping[str, Any] | None, vector: Any) -> Item:
        source = f"chroma:{entry.id}"
        if not isinstance(document, str):
            return BadRecord(source, "the entry has no document")
        o = self.o
        rest = {k: v for k, v in (meta or {}).items()
                if k not in (o.user_field, o.conversation_field, o.role_field, o.speaker_field, o.timestamp_field)}
        fields: dict[str, Any] = {
            "role": (meta or {}).get(o.role_field, o.role),
            "text": document,
            "timestamp": entry.ts,
            "client_id": _client_id(entry.id),
            "metadata": rest | {"chroma_collection": self.collection.name},
        }
        speaker = _text((meta or {}).get(o.speaker_field))
        if speaker is not None:
            fields["speaker"] = speaker
        stored = None
        if self.reuse and vector is not None:
            stored = np.asarray(vector, dtype=np.float32)
            stored = stored if stored.shape == (EMBEDDING_DIM,) else None  # another size: embed it ourselves
        user = f"{o.user_prefix}{entry.user}" if entry.user is not None else None
        return make_record(user, entry.conversation, fields, source, stored)

    async def items(self, entries: list[_Entry]) -> AsyncIterator[Item]:
        """Pass 2: documents (and vectors) in the order of pass 1, a page of ids at a time."""
        include = ["documents", "metadatas", *(["embeddings"] if self.reuse else [])]
        for start in range(0, len(entries), PAGE):
            chunk = entries[start : start + PAGE]
            page = await self._get(ids=[e.id for e in chunk], include=include)
            ids, none = page["ids"], [None] * len(page["ids"])
            vectors = page.get("embeddings")  # a numpy array: no truth value
            columns = (page["documents"] or none, page["metadatas"] or none, none if vectors is None else vectors)
            found = {entry_id: row for entry_id, *row in zip(ids, *columns, strict=True)}
            for entry in chunk:
                if entry.id not in found:  # deleted between the passes
                    yield BadRecord(f"chroma:{entry.id}", "the entry disappeared during the import")
                else:
                    yield self.record(entry, *found[entry.id])


async def read_chroma(collection: Any, options: ChromaOptions, *, reuse_vectors: bool) -> tuple[int, AsyncIterator[Item]]:
    """The number of entries and the records, in conversation order."""
    reader = _Reader(collection, options, reuse_vectors, datetime.now(timezone.utc))
    entries = await reader.order()
    return len(entries), reader.items(entries)
