"""Hand-built parsed Docs, so component logic is tested without a trained model."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

_VOCAB = spacy.blank("en").vocab


def parsed(
    words: list[str],
    heads: list[int],
    deps: list[str],
    pos: list[str],
    lemmas: list[str] | None = None,
    tags: list[str] | None = None,
    ents: list[str] | None = None,
) -> Doc:
    """A Doc with a dependency parse; ``heads`` are absolute token indices."""
    return Doc(
        _VOCAB,
        words=words,
        heads=heads,
        deps=deps,
        pos=pos,
        lemmas=lemmas or [w.lower() for w in words],
        tags=tags,
        ents=ents,
    )
