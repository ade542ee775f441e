"""The ``graphmem_temporal`` component: when each relation held, and whether it is over.

It attaches the DATE phrase of the relation's clause (resolved later against the message time by
``dates.resolve_date``), marks past facts ("used to live", "I lived"), and closings ("no longer").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc

from .dates import resolve_date
from .modality import is_no_longer, is_used_to
from .predicates import PAST_STATES

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = ["TemporalMarker", "make_temporal_marker", "resolve_date"]

# Past tense of these starts a fact rather than ending one ("I moved to Austin").
_INCEPTIVE = frozenset({"move", "get", "start", "land", "join", "relocate", "begin", "become", "adopt", "buy"})
_CLAUSE_POS = frozenset({"VERB", "AUX"})


def _clause_head(token: Token) -> Token:
    """The verb a DATE phrase modifies: walk up through nouns and prepositions."""
    steps = 0
    while token.pos_ not in _CLAUSE_POS and token.head.i != token.i and steps < 4:
        token = token.head
        steps += 1
    return token


def _dates_by_head(doc: Doc) -> dict[int, Span]:
    found: dict[int, Span] = {}
    for ent in doc.ents:
        if ent.label_ == "DATE":
            found.setdefault(_clause_head(ent.root).i, ent)
    return found


class TemporalMarker:
    """Fills ``when``/``past``/``closes`` on the records of ``doc._.gm_relations``."""

    def __call__(self, doc: Doc) -> Doc:
        records = doc._.gm_relations or []
        if not records:
            return doc
        dates = _dates_by_head(doc)
        for record in records:
            head = doc[record.head]
            ent = dates.get(head.i) or (dates.get(head.head.i) if head.dep_ in ("xcomp", "conj") else None)
            if ent is not None and record.predicate not in ("birthday", "age"):
                record.when = ent.text
            if is_used_to(head):
                record.past = True
            elif record.predicate in PAST_STATES and head.tag_ == "VBD" and head.lemma_ not in _INCEPTIVE:
                record.past = not record.closes
            if is_no_longer(head):
                record.closes = True
        return doc


@Language.factory("graphmem_temporal", default_config={})
def make_temporal_marker(nlp: Language, name: str) -> TemporalMarker:
    if not Doc.has_extension("gm_relations"):
        Doc.set_extension("gm_relations", default=None)
    return TemporalMarker()
