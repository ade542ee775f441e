"""``extraction_to_json``: exactly what would be stored for one utterance, as plain JSON data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .types import EntityMention, Extraction, Relation, Utterance

__all__ = ["extraction_to_json"]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _entity(mention: EntityMention, text: str) -> dict[str, Any]:
    return {
        "key": mention.key,
        "name": mention.name,
        "type": mention.type,
        "span": [mention.start, mention.end],
        "text": text[mention.start : mention.end],
        "is_speaker": mention.is_speaker,
    }


def _relation(relation: Relation, utterance: Utterance) -> dict[str, Any]:
    text = utterance.text
    return {
        "subject": relation.subject_key,
        "predicate": relation.predicate,
        "object": relation.object_key,
        "literal": relation.literal,
        "polarity": relation.polarity,
        "confidence": relation.confidence,
        "valid_from": _iso(relation.valid_from or utterance.timestamp),  # stored default: message time
        "valid_to": _iso(relation.valid_to),
        "closes": relation.closes,
        "span": [relation.start, relation.end],
        "text": text[relation.start : relation.end],
        "attributes": dict(relation.attributes),
    }


def extraction_to_json(utterance: Utterance, extraction: Extraction) -> dict[str, Any]:
    """The utterance header plus its entities and relations, ready for ``json.dumps``."""
    return {
        "text": utterance.text,
        "role": utterance.role,
        "speaker": utterance.speaker_key,
        "addressee": utterance.addressee_key,
        "timestamp": _iso(utterance.timestamp),
        "entities": [_entity(m, utterance.text) for m in extraction.entities],
        "relations": [_relation(r, utterance) for r in extraction.relations],
    }
