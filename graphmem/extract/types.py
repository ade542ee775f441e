"""Plain data that crosses the extraction seam: what goes in, what comes out.

Spans are character offsets into the message text. Entity keys are normalized
(see ``graphmem.extract.normalize``) so that the store can resolve them per user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, Sequence

__all__ = ["Utterance", "EntityMention", "Relation", "Extraction", "Extractor"]


@dataclass(frozen=True, slots=True)
class Utterance:
    """One message as the extractor sees it.

    ``speaker_key``/``speaker_name`` name the entity that first-person words resolve to;
    ``addressee_key``/``addressee_name`` the entity that "you" resolves to (None when unknown).
    """

    text: str
    role: str  # "user" | "assistant" | "other"
    timestamp: datetime
    speaker_key: str
    speaker_name: str
    addressee_key: str | None = None
    addressee_name: str | None = None


@dataclass(frozen=True, slots=True)
class EntityMention:
    key: str  # normalized key used for resolution, e.g. "sectional sofa"
    name: str  # surface form to display, e.g. "Sectional sofa"
    type: str  # PERSON, ORG, GPE, ..., CONCEPT for noun phrases
    start: int
    end: int
    is_speaker: bool = False  # a first-person/second-person reference to a participant


@dataclass(frozen=True, slots=True)
class Relation:
    subject_key: str
    predicate: str
    object_key: str | None  # an entity key, or None when the object is a literal
    literal: str | None  # e.g. an age "32" or an email
    polarity: int  # 1 or -1
    confidence: float
    start: int
    end: int
    valid_from: datetime | None = None
    valid_to: datetime | None = None  # set for facts stated as past ("I used to live in Chicago")
    closes: bool = False  # ends the current fact (subject, predicate, object): "I quit my job at X"
    attributes: dict[str, Any] = field(default_factory=dict)  # e.g. {"role": "sister"}, {"pii": True}


@dataclass(frozen=True, slots=True)
class Extraction:
    entities: tuple[EntityMention, ...] = ()
    relations: tuple[Relation, ...] = ()


class Extractor(Protocol):
    """Turns utterances into entities and relations. Pure CPU work, no I/O."""

    def extract(self, utterances: Sequence[Utterance]) -> list[Extraction]: ...
