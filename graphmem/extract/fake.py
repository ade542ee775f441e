"""``FakeExtractor``: deterministic, spaCy-free, for unit tests of code that consumes extractions."""

from __future__ import annotations

from typing import Sequence

from .normalize import entity_key
from .types import EntityMention, Extraction, Relation, Utterance

__all__ = ["FakeExtractor"]

_VERBS = {"like": "likes", "likes": "likes", "love": "likes", "hate": "dislikes", "own": "owns"}
_FIRST_PERSON = {"i", "we"}


class FakeExtractor:
    """Capitalised words (not sentence-initial "I") are PERSON entities; "I like X" yields likes(speaker, x)."""

    def extract(self, utterances: Sequence[Utterance]) -> list[Extraction]:
        return [self._one(u) for u in utterances]

    def _one(self, utterance: Utterance) -> Extraction:
        entities: list[EntityMention] = []
        relations: list[Relation] = []
        words = _words(utterance.text)
        for n, (word, start, end) in enumerate(words):
            bare = word.strip(".,!?;:")
            if bare.lower() in _FIRST_PERSON:
                entities.append(EntityMention(utterance.speaker_key, utterance.speaker_name, "PERSON", start, end, True))
            elif bare[:1].isupper() and n > 0 and bare.isalpha():
                entities.append(EntityMention(entity_key(bare), bare, "PERSON", start, start + len(bare)))
            if bare.lower() in _FIRST_PERSON and n + 2 < len(words) and words[n + 1][0].lower() in _VERBS:
                obj, o_start, o_end = words[n + 2]
                key = entity_key(obj)
                if key:
                    entities.append(EntityMention(key, obj.strip(".,!?"), "CONCEPT", o_start, o_end))
                    predicate = _VERBS[words[n + 1][0].lower()]
                    relations.append(Relation(utterance.speaker_key, predicate, key, None, 1, 0.9, start, o_end))
        return Extraction(entities=tuple(entities), relations=tuple(relations))


def _words(text: str) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    position = 0
    for word in text.split():
        start = text.index(word, position)
        position = start + len(word)
        out.append((word, start, position))
    return out
