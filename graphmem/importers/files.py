"""Import files: pick the format (given, or guessed from the content) and read the records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Literal

from graphmem.importers.jsonl import Addressing, read_jsonl
from graphmem.importers.locomo import looks_like_locomo, read_locomo
from graphmem.importers.records import Item

__all__ = ["Format", "detect_format", "read_file"]

Format = Literal["auto", "jsonl", "locomo"]


def detect_format(path: str | Path) -> Literal["jsonl", "locomo"]:
    """LoCoMo when the file is one JSON list of samples with a ``conversation``; JSONL otherwise.

    A JSONL file is never a single JSON list, so the first non-blank character decides cheaply,
    and only a file that starts with ``[`` is parsed whole to confirm.
    """
    with open(path, encoding="utf-8") as f:
        while (char := f.read(1)) and char.isspace():
            pass
        if char != "[":
            return "jsonl"
        f.seek(0)
        try:
            data = json.load(f)
        except ValueError:
            return "jsonl"  # let the JSONL reader report the broken line
    return "locomo" if looks_like_locomo(data) else "jsonl"


def read_file(path: str | Path, fmt: Format = "auto", addressing: Addressing = Addressing()) -> Iterator[Item]:
    kind = detect_format(path) if fmt == "auto" else fmt
    return read_locomo(path, addressing) if kind == "locomo" else read_jsonl(path, addressing)
