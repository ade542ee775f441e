"""Entity keys: one normalized string per real-world thing, so mentions resolve across messages."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = ["entity_key", "singular", "STRIP_WORDS"]

# Leading words that never distinguish one entity from another ("my sofa" is "the sofa").
STRIP_WORDS: frozenset[str] = frozenset(
    "the a an my our your his her their its this that these those some any mine yours ours "
    "theirs every each another".split()
)
_POSSESSIVE = re.compile(r"(?:'s|’s|s'|s’)(?=\s|$)")
_SPACES = re.compile(r"\s+")
_NOT_PLURAL = ("ss", "us", "is", "ics", "news", "'s")


def _clean_char(ch: str) -> str:
    """Keep letters, digits and a few in-word joiners; everything else (emoji, punctuation) is a gap."""
    if ch.isalnum() or ch in "&+@.-'":
        return ch
    category = unicodedata.category(ch)
    if category.startswith("M"):
        return ""
    return " "


def _normalize_words(words: list[str]) -> str:
    text = " ".join(words).lower().replace("’", "'")
    text = _POSSESSIVE.sub("", text)
    text = "".join(_clean_char(ch) for ch in text)
    parts = [p.strip(".-'") for p in _SPACES.split(text)]
    parts = [p for p in parts if p]
    while parts and parts[0] in STRIP_WORDS:
        parts.pop(0)
    return " ".join(parts)


def singular(token: Token) -> str:
    """The head noun's singular form; the small model often tags plurals as NN, so back it with rules."""
    if token.tag_ == "NNS" and token.lemma_ and token.lemma_ != token.text:
        return token.lemma_
    word = token.text
    lower = word.lower()
    if (token.pos_ != "NOUN" and not (token.pos_ == "PROPN" and word.islower())) or len(lower) <= 3 or not lower.endswith("s") or lower.endswith(_NOT_PLURAL):
        return word
    if lower.endswith("ies"):
        return word[:-3] + "y"
    if lower.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    return word[:-1]


def _span_words(span: Span) -> list[str]:
    """Lemmatize only the head noun when it is a plural common noun: "sectional sofas" -> "sectional sofa"."""
    root = span.root
    words: list[str] = []
    for token in span:
        if token.is_punct or token.dep_ in ("det", "poss", "case") or token.lower_ in STRIP_WORDS:
            continue
        if token.i == root.i:
            words.append(singular(token))
        else:
            words.append(token.text)
    return words


def entity_key(text_or_span: str | Span | Token) -> str:
    """Return the resolution key: lowercase, no determiners/possessives/punctuation/emoji.

    Plain strings (speaker names) are only cleaned; spaCy spans also get plural heads lemmatized.
    """
    if isinstance(text_or_span, str):
        return _normalize_words(text_or_span.split())
    if hasattr(text_or_span, "root"):
        return _normalize_words(_span_words(text_or_span))  # type: ignore[arg-type]
    token = text_or_span
    return _normalize_words([singular(token)])
