"""``graphmem extract``: print exactly the entities and relations ingest would store. Stores nothing."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec

from graphmem.dto import IngestRequest, MessageIn
from graphmem.limits import as_utc
from graphmem.services.graph_stage import utterances
from graphmem.services.pipeline import PendingMessage
from graphmem.settings import Settings

__all__ = ["extract"]


def _messages(text: str | None, file: str | None, speaker: str | None, role: str) -> list[MessageIn]:
    if file:
        raw = Path(file).read_bytes() if file != "-" else sys.stdin.buffer.read()
        data: Any = msgspec.json.decode(raw)
        if isinstance(data, list):
            data = {"messages": data}
        return msgspec.convert(data, IngestRequest).messages
    if not text:
        raise SystemExit("graphmem extract: give a text or --file")
    return [MessageIn(role=role, text=text, speaker=speaker)]  # type: ignore[arg-type]


def extract(text: str | None, *, file: str | None, speaker: str | None, role: str) -> int:
    from graphmem.extract.pipeline import SpacyExtractor
    from graphmem.extract.render import extraction_to_json

    try:
        messages = _messages(text, file, speaker, role)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        print(f"graphmem extract: {exc}", file=sys.stderr)
        return 2
    now = datetime.now(timezone.utc)
    pending = [
        PendingMessage(i, m.role, m.text, m.speaker, as_utc(m.timestamp) or now, m.client_id, m.metadata)
        for i, m in enumerate(messages)
    ]
    said = utterances(pending)
    found = SpacyExtractor(Settings.from_env().spacy_model).extract(said)
    out = [extraction_to_json(u, x) for u, x in zip(said, found, strict=True)]
    json.dump(out[0] if text and not file else out, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0
