"""Okapi BM25 over one user's lexical documents, in process (cached in ``retrieve.cache``).

PostgreSQL holds the documents (tsvectors, stemmed by its English configuration), and triggers
bump each user's memory revision on every change to them; an index is used only while its revision
is the one PostgreSQL reports, so inserts, deletes and erasure invalidate it, on every replica, and a restart
simply rebuilds it. Scoring a query is then a walk over a few posting lists instead of a scan.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

__all__ = ["parse_tsvector", "LexicalIndex"]

# 'lexeme':1,5A 'it''s':3 — quotes doubled and backslashes escaped inside a lexeme.
_ENTRY = re.compile(r"'((?:[^'\\]|''|\\.)*)'(?::([0-9A-D,]+))?")
_ESCAPE = re.compile(r"''|\\(.)")


def parse_tsvector(text: str) -> dict[str, int]:
    """Term frequencies of a tsvector in PostgreSQL's text form (a lexeme without positions counts once)."""
    out: dict[str, int] = {}
    for lexeme, positions in _ENTRY.findall(text):
        if "'" in lexeme or "\\" in lexeme:
            lexeme = _ESCAPE.sub(lambda m: m.group(1) or "'", lexeme)
        out[lexeme] = positions.count(",") + 1 if positions else 1
    return out


@dataclass(frozen=True, slots=True)
class LexicalIndex:
    postings: Mapping[str, Mapping[int, int]]  # term -> {memory id: term frequency}
    lengths: Mapping[int, int]  # memory id -> document length in lexemes

    @classmethod
    def build(cls, documents: Iterable[tuple[int, str, int]]) -> "LexicalIndex":
        """From (memory id, tsvector text, length) rows."""
        postings: dict[str, dict[int, int]] = {}
        lengths: dict[int, int] = {}
        for memory_id, tsvector, length in documents:
            lengths[memory_id] = length
            for term, tf in parse_tsvector(tsvector or "").items():
                postings.setdefault(term, {})[memory_id] = tf
        return cls(postings, lengths)

    def __len__(self) -> int:
        return len(self.lengths)

    def score(
        self, terms: Iterable[str], k1: float = 1.2, b: float = 0.75, common: float = 0.3
    ) -> list[tuple[int, float]]:
        """BM25 (any term may match), best first, over the documents holding one of the query's
        rarer terms (in at most ``common`` of all documents), or any term if none is rare: a term
        in most documents adds little to a score but would make every document a hit. All
        terms still count in the scores."""
        n = len(self.lengths)
        present = {t: self.postings[t] for t in set(terms) if self.postings.get(t)}
        if not n or not present:
            return []
        rare = [docs for docs in present.values() if len(docs) <= common * n] or list(present.values())
        hits = set().union(*rare)
        avgdl = max(sum(self.lengths.values()) / n, 1.0)
        scores = dict.fromkeys(hits, 0.0)
        for docs in present.values():
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            for memory_id, tf in docs.items():
                if memory_id in scores:
                    norm = tf + k1 * (1 - b + b * self.lengths[memory_id] / avgdl)
                    scores[memory_id] += idf * tf * (k1 + 1) / norm
        return sorted(scores.items(), key=lambda p: (-p[1], p[0]))
