"""Speaker-agnostic relation records that our spaCy components leave on ``Doc._.gm_relations``.

Components never see who is talking (a Doc is shared by ``nlp.pipe``); first- and second-person
references stay symbolic here and are bound to the utterance's keys in ``rows``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Ref", "RawRelation", "SPEAKER", "ADDRESSEE", "ENTITY", "KIN"]

SPEAKER = "speaker"  # I / me / my / we ...
ADDRESSEE = "addressee"  # you / your ... (no vocative in the sentence)
ENTITY = "entity"  # a named entity or concept phrase, keyed here
KIN = "kin"  # an unnamed relative or pet of a participant: "my sister" -> "<speaker key>'s sister"


@dataclass(frozen=True, slots=True)
class Ref:
    """What a subject or object points at; ``start``/``end`` are token offsets of its surface."""

    kind: str
    start: int
    end: int
    key: str = ""  # ENTITY: the entity key; KIN: the role noun ("sister")
    label: str = "CONCEPT"  # entity type for ENTITY refs
    owner: str = SPEAKER  # KIN only: whose relative (SPEAKER or ADDRESSEE)


@dataclass(slots=True)
class RawRelation:
    subject: Ref
    predicate: str
    obj: Ref | None
    literal: str | None
    polarity: int
    confidence: float
    head: int  # token index of the clause head (verb or copula)
    start_char: int
    end_char: int
    when: str | None = None  # DATE text to resolve against the message time
    past: bool = False  # stated as over: gets valid_to = message time
    closes: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)
