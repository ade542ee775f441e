"""Is a clause asserted as fact? Questions, conditionals, maybes and "would" plans are not.

Also reads polarity: "don't like" is -1, "can't stand" is a positive dislike, "no longer" closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = ["is_question", "is_irrealis", "is_negated", "is_no_longer", "is_used_to", "HEDGES"]

HEDGES: frozenset[str] = frozenset(
    "maybe perhaps probably possibly hopefully might may could would should 'd".split()
)
_MODALS = frozenset({"would", "could", "might", "may", "should", "will", "shall", "'d", "'ll", "wo", "must"})
_CONDITIONAL_MARKS = frozenset({"if", "unless", "whether", "once", "when", "whenever", "til", "until"})
_WH = frozenset({"WP", "WRB", "WDT", "WP$"})
_NEGATORS = frozenset({"not", "n't", "never", "no", "nt", "dont", "didnt", "cant"})


def is_question(sent: Span) -> bool:
    """Ends with "?", or opens with an inverted auxiliary ("do you like ...") or a wh-word + aux."""
    last = sent[-1]
    for token in reversed(sent):
        if not (token.is_space or token.pos_ in ("SYM", "X") or (token.is_punct and token.text not in "?.!")):
            last = token
            break
    if "?" in last.text:
        return True
    first = sent[0]
    second = sent[1] if len(sent) > 1 else None
    if first.pos_ == "AUX" and first.lower_ not in ("'m", "'s", "'re") and second is not None:
        return second.dep_ in ("nsubj", "expl") or second.pos_ == "PRON"
    return first.tag_ in _WH and second is not None and second.pos_ == "AUX"


def _clause_chain(head: Token) -> list[Token]:
    """The head and its governing verbs up to the sentence root (xcomp/ccomp/conj links)."""
    chain = [head]
    while head.dep_ in ("xcomp", "conj", "ccomp", "acomp", "prep", "pobj", "dobj", "attr") and head.head.i != head.i:
        head = head.head
        chain.append(head)
    return chain


def is_irrealis(head: Token) -> bool:
    """Hypothetical, conditional, hedged or future: "If I move ...", "I might ...", "maybe I'll ..."."""
    for verb in _clause_chain(head):
        for child in verb.children:
            lower = child.lower_
            if child.dep_ == "aux" and (lower in _MODALS or child.lemma_ in ("would", "could", "might", "will")):
                return True
            if child.dep_ in ("advmod", "intj", "npadvmod") and lower in HEDGES:
                return True
            if child.dep_ == "mark" and lower in _CONDITIONAL_MARKS:
                return True
            if child.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in ("if", "unless") for g in child.children):
                return True
    sent = head.sent
    return sent[0].lower_ in HEDGES or sent[0].lower_ in ("if", "unless")


def is_negated(head: Token) -> bool:
    """A negator on the clause head or an auxiliary/complement link above it."""
    chain = [head, head.head] if head.dep_ in ("xcomp", "acomp", "attr") else [head]
    for verb in chain:
        for child in verb.children:
            if child.dep_ == "neg" or (child.dep_ in ("advmod", "aux") and child.lower_ in _NEGATORS):
                if child.lower_ == "no" and any(g.lower_ == "longer" for g in child.head.children):
                    continue
                return True
    return False


def is_no_longer(head: Token) -> bool:
    """ "I no longer work at X" / "I don't live there anymore": the fact ends now."""
    lowers = {child.lower_ for child in head.children}
    return "longer" in lowers or "anymore" in lowers


def is_used_to(head: Token) -> bool:
    """ "I used to live in Chicago": head is the xcomp of "used" with "to"."""
    return head.dep_ == "xcomp" and head.head.lower_ == "used" and any(c.lower_ == "to" for c in head.children)
