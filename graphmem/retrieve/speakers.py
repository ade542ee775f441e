"""Which participants a query names, and the query without their names: pure text rules.

A question about what someone said ("What does Melanie do to relax?") is answered by that
person's own turns. Compared whole, the name dominates dense similarity: it favours turns that
mention Melanie over what she said. The vector channel therefore compares the rest of the query
with the named participants' own words (``memories.text_embedding``).
"""

from __future__ import annotations

import re
from typing import Iterable

from graphmem.extract.normalize import entity_key
from graphmem.retrieve.graph import query_keys

__all__ = ["named_speakers", "without_names"]


def named_speakers(query: str, speakers: Iterable[str]) -> tuple[str, ...]:
    """The speakers (display names, as stored on messages) whose names the query contains,
    capitalised as names are: "Will" the speaker, not "will" the verb."""
    keys = query_keys(query)
    return tuple(sorted({s for s in speakers if entity_key(s) in keys and _written_as_name(query, s)}))


def _written_as_name(query: str, name: str) -> bool:
    """Whether ``name`` occurs with each word's initial as the stored name has it (a capital
    stays a capital), the rest in any case."""
    words = []
    for word in name.split():
        head = re.escape(word[:1]) if word[:1].isupper() else f"(?i:{re.escape(word[:1])})"
        words.append(f"{head}(?i:{re.escape(word[1:])})")
    pattern = r"\s+".join(words)
    return re.search(rf"\b{pattern}(?!\w)", query) is not None


def without_names(query: str, names: Iterable[str]) -> str:
    """``query`` with each name and its possessive removed; the query unchanged if nothing would
    be left."""
    out = query
    for name in sorted(names, key=len, reverse=True):  # "Mary Ann" before "Mary"
        out = re.sub(rf"\b{re.escape(name)}(?:'s|’s|')?(?!\w)", " ", out, flags=re.IGNORECASE)
    out = " ".join(out.split())
    return out if re.search(r"\w", out) else query
