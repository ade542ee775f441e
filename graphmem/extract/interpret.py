"""Reads DependencyMatcher matches as relations: which predicate, which referents, which polarity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .modality import is_irrealis, is_negated, is_question
from .phrases import coordinated, verb_lemma
from .predicates import (
    ACTIVITY_PREDICATES,
    ADJ_PREP,
    CANONICAL_CONFIDENCE,
    FRIENDS,
    GENERIC_CONFIDENCE,
    GENERIC_SKIP_VERBS,
    KINSHIP,
    PETS,
    VERB_OBJECT,
    VERB_PREP,
)
from .records import ENTITY, RawRelation, Ref
from .speakers import Referents

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["Interpreter", "is_occupation"]

HAVE_VERBS = frozenset({"have", "own", "adopt"})
JOB_WORDS = frozenset({"job", "position", "role", "internship", "gig", "work", "career"})
JOB_VERBS = frozenset({"get", "quit", "leave", "start", "take", "land", "have", "lose", "accept"})
ENDING_VERBS = frozenset({"quit", "leave", "lose"})
MOVE_VERBS = frozenset({"move", "go", "travel", "visit", "relocate", "fly"})
PLAN_HEADS = frozenset({"plan", "intend", "want", "hope", "go", "need"})
_OCCUPATION_SUFFIXES = ("er", "or", "ist", "ian", "ant", "ent", "eer", "ect", "ive", "man", "woman", "ographer")
_NOT_OCCUPATIONS = frozenset(
    "vegetarian fan member lover beginner person kind type fighter sucker mother father brother sister "
    "daughter partner owner customer user winner loser talent weirdo monster number order idiot "
    "genius liar other".split()
)
_OCCUPATIONS = frozenset(
    "nurse chef doctor student teacher lawyer engineer barista dentist pilot cook waitress model "
    "actress actor nanny paleontologist scientist developer designer accountant architect "
    "paramedic firefighter electrician plumber librarian pharmacist surgeon vet veterinarian "
    "therapist intern professor".split()
)


_EVALUATIVE = frozenset("good great bad terrible amazing awesome lousy horrible wonderful such real total".split())


def is_occupation(token: Token) -> bool:
    """ "a nurse", "an engineer" (but not "a big fan", "a good cook" said as praise)."""
    lemma = token.lemma_.lower()
    if any(c.dep_ in ("amod", "predet") and c.lower_ in _EVALUATIVE for c in token.children):
        return False
    if lemma in _OCCUPATIONS:
        return True
    if lemma in _NOT_OCCUPATIONS or token.pos_ != "NOUN":
        return False
    has_article = any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in token.children)
    return has_article and lemma.endswith(_OCCUPATION_SUFFIXES)


class Interpreter:
    """Collects ``RawRelation``s for one Doc; one method per pattern label."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.refs = Referents(doc)
        self.found: dict[tuple[object, ...], RawRelation] = {}
        self._questions: dict[int, bool] = {}

    # -- gates -----------------------------------------------------------------------------------
    def asserted(self, head: Token) -> bool:
        start = head.sent.start
        if start not in self._questions:
            self._questions[start] = is_question(head.sent)
        return not self._questions[start] and not is_irrealis(head)

    def subjects(self, subj: Token) -> list[Ref]:
        """ "My wife and I ...": every coordinated subject."""
        refs = (self.refs.of(t) for t in coordinated(subj))
        return [r for r in refs if r is not None]

    def add_all(self, subj: Token, predicate: str, obj: Ref | None, head: Token, **kwargs: object) -> None:
        for subject in self.subjects(subj):
            self.add(subject, predicate, obj, head, **kwargs)  # type: ignore[arg-type]

    def add(
        self,
        subject: Ref | None,
        predicate: str,
        obj: Ref | None,
        head: Token,
        literal: str | None = None,
        polarity: int = 1,
        confidence: float = CANONICAL_CONFIDENCE,
        **flags: object,
    ) -> None:
        if subject is None or (obj is None and literal is None):
            return
        if obj is not None and obj.kind == subject.kind and obj.key == subject.key and obj.kind != ENTITY:
            return
        starts = [subject.start, head.i] + ([obj.start] if obj else [])
        ends = [subject.end, head.i + 1] + ([obj.end] if obj else [])
        span = self.doc[min(starts) : max(ends)]
        ident = (subject.kind, subject.key, subject.owner, predicate, obj and (obj.kind, obj.key), literal, polarity)
        if ident in self.found:
            return
        attributes = dict(flags.pop("attributes", {}) or {})  # type: ignore[call-overload]
        self.found[ident] = RawRelation(
            subject=subject,
            predicate=predicate,
            obj=obj,
            literal=literal,
            polarity=polarity,
            confidence=confidence,
            head=head.i,
            start_char=span.start_char,
            end_char=span.end_char,
            closes=bool(flags.get("closes", False)),
            past=bool(flags.get("past", False)),
            attributes=attributes,
        )

    def _polarity(self, head: Token) -> int:
        return -1 if is_negated(head) else 1

    # -- handlers ------------------------------------------------------------------------------------
    def dobj(self, head: Token, subj: Token, obj: Token, past: bool = False, gate: Token | None = None) -> None:
        if not self.asserted(gate or head):
            return
        lemma = verb_lemma(head, VERB_OBJECT)
        polarity = self._polarity(gate or head)
        if lemma == "stand" and polarity == -1:
            lemma, polarity = "hate", 1
        if lemma == "turn" and obj.text.isdigit() and 0 < int(obj.text) < 120:
            self.add_all(subj, "age", None, head, literal=obj.text)
            return
        for subject in self.subjects(subj):
            self._dobj_one(head, subject, obj, lemma, polarity, past)

    def _dobj_one(self, head: Token, subject: Ref, obj: Token, lemma: str, polarity: int, past: bool) -> None:
        for o in coordinated(obj):
            olemma = o.lemma_.lower()
            if lemma in HAVE_VERBS and olemma in KINSHIP | PETS:
                owner = subject.kind if subject is not None else None
                pred = "has_pet" if olemma in PETS else "has_family_member"
                attrs = {"role": olemma} if pred == "has_family_member" else {"species": olemma}
                self.add(subject, pred, self.refs.relative(o, owner), head, polarity=polarity, attributes=attrs)
            elif lemma in HAVE_VERBS and olemma in FRIENDS:
                self.add(subject, "friend_of", self.refs.relative(o, None), head, polarity=polarity)
            elif lemma in ENDING_VERBS and o.ent_type_ == "ORG":
                self.add(subject, "works_at", self.refs.of(o, as_object=True), head, closes=True)
            elif lemma == "visit" and olemma in KINSHIP | FRIENDS:
                place = next((g for c in (*o.children, *head.children) if c.lower_ == "in" for g in c.children
                              if g.dep_ == "pobj" and g.ent_type_ in ("GPE", "LOC")), None)
                if place is not None:
                    self.add(subject, "visited", self.refs.of(place, True), head, polarity=polarity, past=past)
            elif lemma in VERB_OBJECT:
                self.add(subject, VERB_OBJECT[lemma], self.refs.of(o, True), head, polarity=polarity, past=past)
            elif lemma in HAVE_VERBS:
                self.add(subject, "owns", self.refs.of(o, True), head, polarity=polarity, past=past)
            elif self._generic(head, o):
                ref = self.refs.of(o, True)
                self.add(subject, lemma, ref, head, polarity=polarity, confidence=GENERIC_CONFIDENCE, past=past)

    def relcl(self, head: Token, subj: Token, obj: Token) -> None:
        """ "the blender I bought": the modified noun is the verb's object."""
        if not any(c.dep_ in ("dobj", "prep") for c in head.children):
            self.dobj(head, subj, obj)

    @staticmethod
    def _generic(head: Token, obj: Token) -> bool:
        """Worth a verb-lemma relation: a content verb with a noun object that no job pattern reads."""
        lemma = verb_lemma(head, VERB_OBJECT)
        if head.pos_ != "VERB" or not lemma.isalpha() or lemma in GENERIC_SKIP_VERBS:
            return False
        return obj.pos_ in ("NOUN", "PROPN") and not (lemma in JOB_VERBS and obj.lemma_.lower() in JOB_WORDS)

    def prep(self, head: Token, subj: Token, prep: Token, obj: Token, past: bool = False, gate: Token | None = None) -> None:
        lemma, word = head.lemma_.lower(), prep.lower_
        job = any(c.dep_ == "dobj" and c.lemma_.lower() in JOB_WORDS for c in head.children)
        if lemma in JOB_VERBS and job and word in ("at", "with", "for"):
            pred, closes = "works_at", lemma in ENDING_VERBS
        elif lemma == "be" and word == "from":
            pred, closes = "from", False
        elif lemma == "be" and subj.lemma_.lower() in ("birthday", "bday") and word in ("on", "in"):
            owner = next((self.refs.of(c) for c in subj.children if c.dep_ == "poss"), None)
            if self.asserted(head):
                date = self.refs.ents.get(obj.i)
                self.add(owner, "birthday", None, head, literal=date.text if date is not None else obj.text)
            return
        elif lemma == "go" and word == "to" and head.tag_ == "VBG" and not any(c.dep_ == "xcomp" for c in head.children):
            pred, closes = "plans_to", False
        elif lemma == "be" and word == "to" and any(c.lemma_ == "have" for c in head.children):
            pred, closes = "visited", False
        elif lemma == "move" and word == "from":
            pred, closes = "lives_in", True
        elif (lemma, word) in VERB_PREP:
            pred, closes = VERB_PREP[(lemma, word)], False
            if pred == "visited" and head.tag_ != "VBD":
                return
            if (lemma, word) == ("work", "in") and obj.ent_type_ not in ("ORG", "FAC"):
                return
        else:
            return
        if not self.asserted(gate or head):
            return
        polarity = self._polarity(gate or head)
        for o in coordinated(obj):
            self.add_all(subj, pred, self.refs.of(o, True), head, polarity=polarity, closes=closes, past=past)

    def dobj_prep(self, head: Token, subj: Token, mid: Token, prep: Token, obj: Token) -> None:
        lemma = head.lemma_.lower()
        if lemma in JOB_VERBS and mid.lemma_.lower() in JOB_WORDS and prep.lower_ in ("at", "with", "for"):
            if self.asserted(head):
                closes = lemma in ENDING_VERBS
                self.add(self.refs.of(subj), "works_at", self.refs.of(obj, True), head, closes=closes)

    def pobj_prep(self, head: Token, subj: Token, prep1: Token, mid: Token, prep: Token, obj: Token) -> None:
        if head.lemma_ == "work" and prep1.lower_ == "as" and prep.lower_ in ("at", "for") and self.asserted(head):
            self.add(self.refs.of(subj), "works_at", self.refs.of(obj, True), head, polarity=self._polarity(head))

    def xcomp_dobj(self, head: Token, subj: Token, comp: Token, obj: Token) -> None:
        if head.lower_ == "used":
            self.dobj(comp, subj, obj, past=True, gate=head)
            return
        pred = VERB_OBJECT.get(head.lemma_.lower())
        if head.lemma_ == "go" and head.tag_ == "VBG":
            pred = "plans_to"
        if pred is None or not self.asserted(head):
            return
        subject, polarity = self.refs.of(subj), self._polarity(head)
        for o in coordinated(obj):
            target = self.refs.of(o, True)
            if target is not None and pred in ACTIVITY_PREDICATES:
                key = f"{comp.lemma_.lower()} {target.key}"
                target = Ref(ENTITY, min(comp.i, target.start), max(comp.i + 1, target.end), key=key)
            self.add(subject, pred, target, head, polarity=polarity)

    def xcomp_prep(self, head: Token, subj: Token, comp: Token, prep: Token, obj: Token) -> None:
        if head.lower_ == "used":
            self.prep(comp, subj, prep, obj, past=True, gate=head)
            return
        planning = head.lemma_ in PLAN_HEADS and (head.lemma_ != "go" or head.tag_ == "VBG")
        if planning and comp.lemma_ in MOVE_VERBS and prep.lower_ == "to" and self.asserted(head):
            subject, polarity = self.refs.of(subj), self._polarity(head)
            for o in coordinated(obj):
                self.add(subject, "plans_to", self.refs.of(o, True), head, polarity=polarity)

    def acomp_prep(self, head: Token, subj: Token, mid: Token, prep: Token, obj: Token) -> None:
        key = (mid.lemma_.lower(), prep.lower_)
        pred = "likes" if key == ("fan", "of") else ADJ_PREP.get(key)
        if pred is None and prep.lower_ in ("at", "for") and mid.dep_ == "attr" and is_occupation(mid):
            pred = "works_at"
        if pred is None or head.lemma_ not in ("be", "become", "get", "feel") or not self.asserted(head):
            return
        polarity = -1 if is_negated(head) or is_negated(mid) else 1
        for o in coordinated(obj):
            self.add_all(subj, pred, self.refs.of(o, True), head, polarity=polarity)
