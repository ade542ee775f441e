"""Tool results as short plain text for the model to read; the full structs travel alongside
as structured content."""

from __future__ import annotations

from datetime import datetime

from graphmem.client import Context
from graphmem.dto import (
    EntityPage,
    ErasureReceipt,
    IngestResponse,
    RelationOut,
    RelationPage,
    SearchResponse,
)

__all__ = ["stored", "hits", "context", "entities", "relations", "erased"]


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "?"


def stored(result: IngestResponse) -> str:
    text = f"Stored {result.created} new message(s) for user {result.user_id} in conversation {result.conversation_id}"
    if result.duplicates:
        text += f"; {result.duplicates} were already stored"
    return text + "."


def hits(result: SearchResponse) -> str:
    if not result.hits:
        return "No memories match."
    lines = [f"{len(result.hits)} memories, best first:"]
    for hit in result.hits:
        who = hit.speaker or hit.role or "?"
        lines.append(f"- [{_day(hit.timestamp)}] {who}: {hit.text} (memory {hit.memory_id}, score {hit.score:.3f})")
    return "\n".join(lines)


def context(result: Context) -> str:
    if result.degraded:
        return "Memory is unavailable right now (the graphmem server did not answer); answer without it."
    return result.text or "Nothing is known about this user yet."


def entities(page: EntityPage) -> str:
    if not page.entities:
        return "No entities match."
    return "\n".join(
        f"- {e.name} ({e.type}), id {e.id}, {e.mention_count} mention(s), last seen {_day(e.last_seen)}"
        for e in page.entities
    )


def _fact(r: RelationOut) -> str:
    value = r.object.name if r.object else r.object_literal
    negated = "NOT " if r.polarity < 0 else ""
    span = f"from {_day(r.valid_from)}" + (f" to {_day(r.valid_to)}" if r.valid_to else ", current")
    return f"- {r.subject.name} {negated}{r.predicate} {value} ({span}; relation {r.id}, {r.source})"


def relations(page: RelationPage) -> str:
    if not page.relations:
        return "No facts match."
    more = "\n(more facts exist; narrow the query)" if page.next_cursor else ""
    return "\n".join(_fact(r) for r in page.relations) + more


def erased(receipt: ErasureReceipt) -> str:
    total = sum(receipt.counts.values())
    return f"Erased {total} row(s); receipt {receipt.erasure_id}, subject {receipt.subject[:16]}…"
