"""The context as one plain-text block for an LLM prompt, filled section by section within a
token budget: the profile first, then memories, related entities and the recent turns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from graphmem.context.tokens import clip_to_tokens, count_tokens
from graphmem.dto import ContextEntity, MessageOut, ProfileFact, RelationOut, SearchHit

__all__ = ["Section", "fit", "profile_section", "memory_section", "entity_section", "recent_section"]

LINE_TOKENS = 120  # no single memory or turn takes more than this
MIN_CLIP = 8  # a line clipped shorter than this says too little; skip it instead


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lines: list[str]


def fit(sections: Sequence[Section], max_tokens: int) -> str:
    """Lines in order while they fit (clipping one that almost does); a title only above a line
    that made it in. The result never counts more than ``max_tokens`` (``count_tokens``)."""
    out: list[str] = []
    used = 0
    for section in sections:
        title_cost = count_tokens(section.title)
        titled = False
        for line in section.lines:
            room = max_tokens - used - (0 if titled else title_cost)
            cost = count_tokens(line)
            if cost > room:
                if room < MIN_CLIP:
                    continue
                line = clip_to_tokens(line, room)
                cost = count_tokens(line)
            if not titled:
                if out:
                    out.append("")
                out.append(section.title)
                used += title_cost
                titled = True
            out.append(line)
            used += cost
    return "\n".join(out)


def _day(ts: datetime | None) -> str:
    return ts.date().isoformat() if ts else "?"


def _predicate(predicate: str, polarity: int) -> str:
    words = predicate.replace("_", " ")
    return words if polarity == 1 else f"not {words}"


def profile_section(profile: dict[str, list[ProfileFact]]) -> Section:
    lines = []
    for facts in profile.values():
        for f in facts:
            when = f"since {_day(f.valid_from)}" if f.current else f"past, {_day(f.valid_from)} to {_day(f.valid_to)}"
            lines.append(f"- {_predicate(f.predicate, f.polarity)}: {f.value} ({when})")
    return Section("What we know about the customer:", lines)


def memory_section(hits: Sequence[SearchHit]) -> Section:
    lines = [
        clip_to_tokens(f"- [{_day(h.timestamp)}] {h.speaker or h.role or 'memory'}: {h.text}", LINE_TOKENS)
        for h in hits
    ]
    return Section("Relevant memories:", lines)


def _fact(r: RelationOut) -> str:
    value = r.object.name if r.object else r.object_literal
    return f"{r.subject.name} {_predicate(r.predicate, r.polarity)} {value}"


def entity_section(entities: Sequence[ContextEntity]) -> Section:
    lines = []
    for e in entities:
        facts = "; ".join(_fact(r) for r in [*e.facts, *e.about])
        lines.append(clip_to_tokens(f"- {e.entity.name} ({e.entity.type.lower()})" + (f": {facts}" if facts else ""), LINE_TOKENS))
    return Section("Related people, places and things:", lines)


def recent_section(messages: Sequence[MessageOut]) -> Section:
    lines = [clip_to_tokens(f"{m.speaker or m.role}: {m.text}", LINE_TOKENS) for m in messages]
    return Section("Recent turns in this conversation:", lines)
