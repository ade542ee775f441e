"""LoCoMo-layout JSON (LoCoMo, and BEAM rewritten into it) as import records.

The layout is parsed by ``graphmem.bench.locomo``, the parser the benchmarks use, so an imported
benchmark is stored exactly as ``graphmem bench retrieval`` stores it: one user per sample, one
conversation per session, the turn's ``dia_id`` as client id (which evidence refers to), the
session's date as the timestamp, and the speakers "user"/"assistant" as roles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from graphmem.bench.locomo import flatten_turns, load_samples
from graphmem.importers.jsonl import Addressing
from graphmem.importers.records import BadRecord, Item, make_record

__all__ = ["read_locomo", "looks_like_locomo", "ROLES"]

ROLES = {"user": "user", "assistant": "assistant"}  # BEAM's speakers; LoCoMo's are named people


def looks_like_locomo(data: Any) -> bool:
    return isinstance(data, list) and bool(data) and all(isinstance(s, dict) and "conversation" in s for s in data)


def read_locomo(path: str | Path, addressing: Addressing = Addressing()) -> Iterator[Item]:
    """``addressing.user`` is ignored: every sample is its own user, ``<user_prefix><sample_id>``."""
    name = Path(path).name
    try:
        turns = flatten_turns(load_samples(path))
    except (KeyError, TypeError, ValueError) as exc:  # the layout is broken somewhere: nothing is trusted
        yield BadRecord(name, f"not a LoCoMo-layout file: {exc!r}")
        return
    for turn in turns:
        fields: dict[str, Any] = {
            "role": ROLES.get(turn.speaker, "other"),
            "text": turn.text,
            "timestamp": turn.timestamp.isoformat(),
            "client_id": turn.dia_id,
        }
        if turn.speaker not in ROLES:
            fields["speaker"] = turn.speaker
        yield make_record(f"{addressing.user_prefix}{turn.sample_id}", turn.session, fields, f"{name}:{turn.dia_id}")
