"""Who "I", "you", "she" and "my sister" point at, sentence by sentence.

The component marks person pronouns and vocatives ("Ross, you ...") on the Doc; ``Referents``
turns a subject/object token into a ``Ref`` that ``rows`` later binds to the utterance's speaker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc

from .normalize import entity_key
from .phrases import NON_OBJECT_LABELS, PRONOUN_OBJECTS, entity_index, noun_phrase
from .predicates import FRIENDS, KINSHIP, PETS
from .records import ADDRESSEE, ENTITY, KIN, SPEAKER, Ref

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = ["SpeakerMarker", "Referents", "FIRST_PERSON", "SECOND_PERSON", "CHAT_FILLERS", "make_speaker_marker"]

FIRST_PERSON: frozenset[str] = frozenset(
    "i me my mine myself we us our ours ourselves im i'm i've i'd i'll".split()
)
SECOND_PERSON: frozenset[str] = frozenset("you your yours yourself yourselves u ur ya youre you're".split())
THIRD_PERSON: frozenset[str] = frozenset("he she him her his hers himself herself".split())
REPORTING_VERBS: frozenset[str] = frozenset(
    "say tell mention explain claim write text think believe admit add insist announce".split()
)
CHAT_FILLERS: frozenset[str] = frozenset("lol lmao haha hahaha tbh btw imo rn omg smh ikr xd".split())
_GREETINGS = frozenset("hey hi hello oh okay ok well thanks thank yes no yeah so and dear".split())
_VOCATIVE_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})


def _vocative(sent: Span, ents: dict[int, Span]) -> Span | None:
    """A PERSON name set off by commas at the edge of the sentence: "Ross, you ..." / "... right, Ross?"."""
    doc = sent.doc
    i = sent.start
    while i < sent.end and (doc[i].lower_ in _GREETINGS or doc[i].is_punct):
        i += 1
    ent = ents.get(i)
    if ent is not None and ent.label_ in _VOCATIVE_LABELS and ent.start == i:
        after = doc[ent.end] if ent.end < sent.end else None
        if after is not None and after.text in (",", "!", "?", ".") and ent.root.dep_ not in ("nsubj", "poss"):
            return ent
    last = sent.end - 1
    while last > sent.start and doc[last].is_punct:
        last -= 1
    ent = ents.get(last)
    if ent is not None and ent.label_ in _VOCATIVE_LABELS and ent.start > sent.start:
        if doc[ent.start - 1].text == ",":
            return ent
    return None


class SpeakerMarker:
    """Marks person pronouns and per-sentence vocatives on ``doc._.gm_person`` / ``doc._.gm_vocatives``."""

    def __call__(self, doc: Doc) -> Doc:
        person: dict[int, str] = {}
        for token in doc:
            lower = token.lower_
            if lower in FIRST_PERSON:
                person[token.i] = SPEAKER
            elif lower in SECOND_PERSON:
                person[token.i] = ADDRESSEE
        ents = entity_index(doc)
        vocatives: dict[int, tuple[int, int]] = {}
        if doc.ents:
            for sent in doc.sents:
                ent = _vocative(sent, ents)
                if ent is not None:
                    vocatives[sent.start] = (ent.start, ent.end)
        doc._.gm_person = person
        doc._.gm_vocatives = vocatives
        return doc


@Language.factory("graphmem_speakers", default_config={})
def make_speaker_marker(nlp: Language, name: str) -> SpeakerMarker:
    for ext in ("gm_person", "gm_vocatives"):
        if not Doc.has_extension(ext):
            Doc.set_extension(ext, default=None)
    return SpeakerMarker()


class Referents:
    """Resolves tokens of one Doc to ``Ref``s; build once per Doc after ``graphmem_speakers`` ran."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.ents = entity_index(doc)
        self.person: dict[int, str] = doc._.gm_person or {}
        self.vocatives: dict[int, tuple[int, int]] = doc._.gm_vocatives or {}

    def of(self, token: Token, as_object: bool = False) -> Ref | None:
        """The referent of a subject/object token, or None when it cannot be pinned down."""
        role = self.person.get(token.i)
        if role == ADDRESSEE:
            voc = self.vocatives.get(token.sent.start)
            if voc is not None:
                ent = self.ents.get(voc[0])
                return self._entity(ent, token) if ent is not None else None
            return Ref(ADDRESSEE, token.i, token.i + 1)
        if role == SPEAKER:
            return Ref(SPEAKER, token.i, token.i + 1)
        lower = token.lower_
        if lower in THIRD_PERSON:
            return self._reported_subject(token)
        if lower in CHAT_FILLERS:
            modifier = next((c for c in token.lefts if c.dep_ in ("amod", "compound", "nmod")), None)
            if modifier is None:
                return None
            token = modifier
            lower = token.lower_
        if lower in PRONOUN_OBJECTS or token.pos_ in ("PRON", "DET", "PUNCT", "SPACE", "SYM", "INTJ"):
            return None
        ent = self.ents.get(token.i)
        if ent is not None:
            if ent.label_ in NON_OBJECT_LABELS:
                return None
            return self._entity(ent, token)
        if token.lemma_.lower() in KINSHIP | PETS | FRIENDS:
            named = self._named_relative(token)
            if named is not None:
                return named
            owner = self._owner(token)
            if owner is not None and not as_object:
                return Ref(KIN, token.i, token.i + 1, key=token.lemma_.lower(), owner=owner)
        phrase = noun_phrase(token, self.ents)
        key = entity_key(phrase)
        if not key:
            return None
        return Ref(ENTITY, phrase.start, phrase.end, key=key, label="CONCEPT")

    def relative(self, token: Token, owner: str | None) -> Ref | None:
        """A relative/pet/friend noun as an object: its name if given, else "<owner>'s <role>" for family."""
        named = self._named_relative(token)
        if named is not None:
            return named
        lemma = token.lemma_.lower()
        if lemma in PETS:
            return Ref(ENTITY, token.i, token.i + 1, key=lemma, label="CONCEPT")
        if lemma in KINSHIP and owner is not None and (owner in (SPEAKER, ADDRESSEE) or owner.startswith("entity:")):
            return Ref(KIN, token.i, token.i + 1, key=lemma, owner=owner)
        return None

    def _entity(self, ent: Span, token: Token) -> Ref | None:
        key = entity_key(ent)
        return Ref(ENTITY, ent.start, ent.end, key=key, label=ent.label_) if key else None

    def _owner(self, token: Token) -> str | None:
        for child in token.children:
            if child.dep_ == "poss":
                role = self.person.get(child.i)
                if role is not None:
                    return role
        return None

    def named_relative_span(self, token: Token) -> Span | None:
        """ "my sister Anna" / "Anna, my sister" / "a cat named Max": the name span, if given."""
        for child in token.children:
            if child.dep_ in ("appos", "npadvmod") and child.pos_ == "PROPN":
                return noun_phrase(child, self.ents)
            if child.dep_ == "acl" and child.lemma_ in ("name", "call"):
                for grandchild in child.children:
                    if grandchild.dep_ in ("oprd", "attr", "dobj") and grandchild.pos_ == "PROPN":
                        return noun_phrase(grandchild, self.ents)
        head = token.head
        if token.dep_ == "compound" and head.pos_ == "PROPN":
            return noun_phrase(head, self.ents)
        if token.dep_ == "appos" and head.pos_ == "PROPN":
            return noun_phrase(head, self.ents)
        return None

    def _named_relative(self, token: Token) -> Ref | None:
        span = self.named_relative_span(token)
        if span is None:
            return None
        key = entity_key(span)
        return Ref(ENTITY, span.start, span.end, key=key, label="PERSON") if key else None

    def _reported_subject(self, token: Token) -> Ref | None:
        """ "Melanie said she loves pottery": she -> Melanie (subject of the reporting verb)."""
        clause = token.head
        while clause.dep_ not in ("ccomp", "ROOT") and clause.head.i != clause.i:
            clause = clause.head
        if clause.dep_ != "ccomp" or clause.head.lemma_ not in REPORTING_VERBS:
            return None
        for child in clause.head.children:
            if child.dep_ == "nsubj" and child.lower_ not in THIRD_PERSON:
                return self.of(child)
        return None

