"""Bind a processed Doc to its utterance: speaker keys, resolved dates, final Extraction (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .dates import resolve_date
from .normalize import entity_key
from .phrases import NON_OBJECT_LABELS
from .predicates import PII_PREDICATES
from .records import ADDRESSEE, ENTITY, KIN, SPEAKER, RawRelation, Ref
from .types import EntityMention, Extraction, Relation, Utterance

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["extraction_from_doc", "ENTITY_LABELS"]

# NER labels kept as entities; numeric ones are noise for a memory graph.
ENTITY_LABELS: frozenset[str] = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "FAC", "NORP", "LANGUAGE", "LAW", "DATE", "TIME"}
)
_SKIP_NER_LABELS = NON_OBJECT_LABELS - {"DATE", "TIME"}


class _Binder:
    def __init__(self, doc: Doc, utterance: Utterance) -> None:
        self.doc = doc
        self.utt = utterance
        self.mentions: dict[tuple[str, int, int], EntityMention] = {}

    def mention(self, key: str, name: str, label: str, start: int, end: int, is_speaker: bool = False) -> None:
        self.mentions.setdefault((key, start, end), EntityMention(key, name, label, start, end, is_speaker))

    def participant(self, kind: str) -> tuple[str, str] | None:
        if kind == SPEAKER:
            return self.utt.speaker_key, self.utt.speaker_name
        if kind.startswith("entity:"):
            return kind[len("entity:") :], kind[len("entity:") :]
        if kind == ADDRESSEE and self.utt.addressee_key:
            return self.utt.addressee_key, self.utt.addressee_name or self.utt.addressee_key
        return None

    def bind(self, ref: Ref) -> str | None:
        """The entity key for a Ref, recording its mention."""
        span = self.doc[ref.start : ref.end]
        if ref.kind == ENTITY:
            self.mention(ref.key, span.text, ref.label, span.start_char, span.end_char)
            return ref.key
        if ref.kind == KIN:
            owner = self.participant(ref.owner)
            if owner is None:
                return None
            key = f"{owner[0]}'s {ref.key}"
            self.mention(key, f"{owner[1]}'s {ref.key}", "PERSON", span.start_char, span.end_char)
            return key
        who = self.participant(ref.kind)
        if who is None:
            return None
        self.mention(who[0], who[1], "PERSON", span.start_char, span.end_char, is_speaker=True)
        return who[0]

    def relation(self, raw: RawRelation) -> Relation | None:
        subject = self.bind(raw.subject)
        obj = self.bind(raw.obj) if raw.obj is not None else None
        if subject is None or (raw.obj is not None and obj is None):
            return None
        moment = self.utt.timestamp
        attributes = dict(raw.attributes)
        if raw.predicate in PII_PREDICATES:
            attributes["pii"] = True
        return Relation(
            subject_key=subject,
            predicate=raw.predicate,
            object_key=obj,
            literal=raw.literal,
            polarity=raw.polarity,
            confidence=raw.confidence,
            start=raw.start_char,
            end=raw.end_char,
            valid_from=resolve_date(raw.when, moment) if raw.when else None,
            valid_to=moment if raw.past else None,
            closes=raw.closes,
            attributes=attributes,
        )


def extraction_from_doc(doc: Doc, utterance: Utterance) -> Extraction:
    """Entities (NER spans, participants, relation objects) and relations for one utterance."""
    binder = _Binder(doc, utterance)
    for ent in doc.ents:
        if ent.label_ in _SKIP_NER_LABELS or ent.label_ not in ENTITY_LABELS:
            continue
        key = entity_key(ent)
        if key:
            binder.mention(key, ent.text, ent.label_, ent.start_char, ent.end_char)
    vocatives = doc._.gm_vocatives or {}
    for i, kind in (doc._.gm_person or {}).items():
        if kind == SPEAKER or doc[i].sent.start not in vocatives:
            binder.bind(Ref(kind, i, i + 1))
    relations = [r for r in (binder.relation(raw) for raw in doc._.gm_relations or []) if r is not None]
    entities = sorted(binder.mentions.values(), key=lambda m: (m.start, m.end, m.key))
    return Extraction(entities=tuple(entities), relations=tuple(relations))
