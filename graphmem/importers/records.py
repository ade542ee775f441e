"""What every import source yields: a validated message addressed to a user and conversation,
or the reason a piece of the source was rejected. Pure; no I/O."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Mapping

import msgspec
import numpy as np

from graphmem.dto import MessageIn
from graphmem.errors import GraphmemError, InvalidInput
from graphmem.limits import check_id, check_metadata, check_text

__all__ = ["ImportRecord", "BadRecord", "Item", "make_record", "ClientIds"]


@dataclass(frozen=True, slots=True)
class ImportRecord:
    user_id: str
    conversation_id: str
    message: MessageIn
    source: str  # where it came from, for error reports: "file.jsonl:12", "chroma:id"
    vector: np.ndarray | None = None  # a stored embedding the import may reuse


@dataclass(frozen=True, slots=True)
class BadRecord:
    source: str
    reason: str


Item = ImportRecord | BadRecord


def make_record(
    user_id: Any, conversation_id: Any, fields: Mapping[str, Any], source: str, vector: np.ndarray | None = None
) -> Item:
    """Validate ``fields`` (a message as on the wire) exactly as ingest will: msgspec's types, then
    the checks it cannot express. A dry run thereby finds what the real run would reject."""
    try:
        for kind, value in (("user_id", user_id), ("conversation_id", conversation_id)):
            if not isinstance(value, str):
                raise InvalidInput(f"{kind} is missing or not a string")
            check_id(kind, value)
        message = msgspec.convert(dict(fields), MessageIn)
        check_text("text", message.text)
        check_metadata("metadata", message.metadata)
        for name, value in (("speaker", message.speaker), ("client_id", message.client_id)):
            if value is not None:
                check_text(name, value)
    except msgspec.ValidationError as exc:
        return BadRecord(source, str(exc))
    except GraphmemError as exc:
        return BadRecord(source, exc.message)
    return ImportRecord(user_id, conversation_id, message, source, vector)


class ClientIds:
    """Deterministic client ids for messages that bring none, so a re-run finds them stored.

    The id hashes what the message says (role, speaker, time, text) within its conversation; the
    n-th repeat of an identical message gets ``-n`` appended, so "ok" twice stays two messages.
    """

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._seen: dict[tuple[str, str, str], int] = {}

    def __call__(self, user_id: str, conversation_id: str, fields: Mapping[str, Any]) -> str:
        said = [fields.get("role"), fields.get("speaker"), fields.get("timestamp"), fields.get("text")]
        digest = hashlib.sha256(json.dumps(said, default=str, ensure_ascii=False).encode()).hexdigest()[:20]
        key = (str(user_id), str(conversation_id), digest)
        n = self._seen.get(key, 0)
        self._seen[key] = n + 1
        return f"{self._prefix}-{digest}" + (f"-{n}" if n else "")
