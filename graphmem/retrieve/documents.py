"""What gets indexed for a memory: pure text building, shared by ingest and the benchmarks.

A turn is embedded and matched together with who said it and when, since questions name
people and dates. For lexical search a turn also carries its session neighbours, the turn
itself counted ``self_weight`` times: "Yes, twice last year!" means nothing alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

__all__ = ["IndexedTurn", "ContextWindow", "index_text", "sessions", "context_documents", "passages"]


@dataclass(frozen=True, slots=True)
class IndexedTurn:
    id: int
    ts: datetime
    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class ContextWindow:
    before: int = 2  # neighbouring turns taken from the past
    after: int = 2  # and from the future (later turns re-index earlier memories)
    self_weight: int = 2  # how many times the turn's own words count
    session_gap: timedelta = timedelta(hours=6)  # a longer silence starts a new session
    # Bounds keep documents (and BM25's work per match) small when turns are essays:
    # a neighbour lends its opening, the turn itself its first few pages.
    neighbour_chars: int = 500
    self_chars: int = 5_000


def index_text(speaker: str, ts: datetime, text: str) -> str:
    return f"[{ts.day} {ts:%B %Y}] {speaker}: {text}"


def sessions(turns: Sequence[IndexedTurn], gap: timedelta) -> list[list[IndexedTurn]]:
    """Split time-ordered turns wherever the silence between two exceeds ``gap``."""
    out: list[list[IndexedTurn]] = []
    for turn in turns:
        if out and turn.ts - out[-1][-1].ts <= gap:
            out[-1].append(turn)
        else:
            out.append([turn])
    return out


def context_documents(
    turns: Sequence[IndexedTurn], window: ContextWindow, only: Iterable[int] | None = None
) -> dict[int, str]:
    """The lexical document of each turn (or of the ``only`` ids), from time-ordered turns."""
    wanted = None if only is None else set(only)
    docs: dict[int, str] = {}
    for session in sessions(turns, window.session_gap):
        texts = [index_text(t.speaker, t.ts, t.text) for t in session]
        near = [t[: window.neighbour_chars] for t in texts]
        for i, turn in enumerate(session):
            if wanted is not None and turn.id not in wanted:
                continue
            parts = near[max(0, i - window.before) : i] + [texts[i][: window.self_chars]] * window.self_weight
            parts += near[i + 1 : i + 1 + window.after]
            docs[turn.id] = "\n".join(parts)
    return docs


def passages(text: str, size: int) -> list[tuple[int, int]]:
    """Spans of at most ``size`` characters covering ``text``, cut after a line or sentence end
    where one falls in the second half of a span; [] when the text fits in one (or size <= 0)."""
    if size <= 0 or len(text) <= size:
        return []
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind("\n", start + size // 2, end), text.rfind(". ", start + size // 2, end))
            if cut > start:
                end = cut + 1
        spans.append((start, end))
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    return spans
