"""Token-to-phrase helpers: which span a token stands for, and what it is coordinated with."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["verb_lemma", "entity_index", "noun_phrase", "coordinated", "NON_OBJECT_LABELS", "PRONOUN_OBJECTS"]

# NER labels that are never a relation object except through age/birthday literals.
NON_OBJECT_LABELS: frozenset[str] = frozenset(
    {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"}
)
# Objects with no antecedent resolution yet: skipping them beats storing "it".
PRONOUN_OBJECTS: frozenset[str] = frozenset(
    "it this that these those them they one something anything everything nothing stuff thing things "
    "what which who whom lot lots bit".split()
)
_CHAT_VERBS = frozenset({"luv", "luvs", "love", "loves", "like", "likes", "hate", "hates", "want", "need"})
_MODIFIERS = frozenset({"compound", "amod", "nmod", "npadvmod", "poss"})


def entity_index(doc: Doc) -> dict[int, Span]:
    """Map each token inside a named entity to that entity, built once per doc."""
    index: dict[int, Span] = {}
    for ent in doc.ents:
        for i in range(ent.start, ent.end):
            index[i] = ent
    return index


def noun_phrase(token: Token, ents: dict[int, Span]) -> Span:
    """The entity the token is in, else the token with its pre-modifiers ("modern furniture")."""
    ent = ents.get(token.i)
    if ent is not None:
        return ent
    start = token.i
    for child in token.lefts:
        if child.dep_ in _MODIFIERS and not child.is_punct and child.pos_ != "PRON" and child.lower_ not in _CHAT_VERBS:
            start = min(start, child.left_edge.i)
    doc = token.doc
    while start < token.i and (doc[start].pos_ in ("DET", "PRON", "PUNCT") or doc[start].dep_ == "case"):
        start += 1
    return doc[start : token.i + 1]


def coordinated(token: Token) -> list[Token]:
    """The token and the tokens coordinated with it ("tea and coffee"), in text order."""
    items = [token, *(t for t in token.conjuncts if t.pos_ in ("NOUN", "PROPN", "PRON", "ADJ", "VERB", "NUM", "X"))]
    return sorted({t.i: t for t in items}.values(), key=lambda t: t.i)


def verb_lemma(token: Token, known: frozenset[str] | dict[str, str]) -> str:
    """The lemma, repaired when the small model strips too much ("hates" -> "hat")."""
    lemma = token.lemma_.lower()
    lower = token.lower_
    if lemma not in known and lower.endswith("s") and lower[:-1] in known:
        return lower[:-1]
    return lemma
