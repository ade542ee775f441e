"""Copular and possessive statements about people: names, ages, jobs, contacts, relatives, pets."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .interpret import Interpreter, is_occupation
from .modality import is_question
from .normalize import entity_key
from .phrases import coordinated, noun_phrase
from .predicates import FRIENDS, KINSHIP, PETS
from .records import ADDRESSEE, ENTITY, SPEAKER, Ref

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["attr", "call_me", "kin", "contacts", "PHONE"]

PHONE = re.compile(r"(?<![\w@.])\+?\(?\d[\d\s().-]{5,}\d(?![\w@])")
_DATE_LIKE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
_NAME_NOUNS = frozenset({"name", "nickname"})
_EMAIL_NOUNS = frozenset({"email", "e-mail", "mail", "address"})
_BIRTHDAY_NOUNS = frozenset({"birthday", "bday", "b-day"})
_FAVORITE = frozenset({"favorite", "favourite", "fave", "fav"})


def _owner(interp: Interpreter, noun: Token) -> Ref | None:
    for child in noun.children:
        if child.dep_ == "poss":
            return interp.refs.of(child)
    return None


_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}


def number_value(text: str) -> int | None:
    """ "32", "thirty-five", "forty two" -> int; None for anything else."""
    if text.isdigit():
        return int(text)
    parts = text.lower().replace("-", " ").split()
    if len(parts) == 1:
        return _TENS.get(parts[0], _UNITS.get(parts[0]))
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS and _UNITS[parts[1]] < 10:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    return None


def _age(obj: Token) -> str | None:
    """ "32" / "thirty-five" as attr, or "32 years old" as acomp."""
    if not (obj.like_num or obj.lemma_ == "old"):
        return None
    candidates = [obj] if obj.like_num else [t for t in obj.subtree if t.like_num]
    for token in candidates:
        value = number_value(token.doc[token.left_edge.i : token.i + 1].text) or number_value(token.text)
        if value is not None and 0 < value < 120 and not any(c.text == "%" for c in token.rights):
            return str(value)
    return None


def _name_literal(span: Span) -> str:
    return " ".join(t.text for t in span if not t.is_punct)


def attr(interp: Interpreter, head: Token, subj: Token, obj: Token) -> None:
    if head.lemma_ not in ("be", "become") or not interp.asserted(head):
        return
    slemma = subj.lemma_.lower()
    polarity = interp._polarity(head)
    past = head.tag_ == "VBD"
    ents = interp.refs.ents
    if slemma in _NAME_NOUNS and (obj.pos_ == "PROPN" or obj.i in ents):
        interp.add(_owner(interp, subj), "name", None, head, literal=_name_literal(noun_phrase(obj, ents)))
    elif slemma in _EMAIL_NOUNS and obj.like_email:
        interp.add(_owner(interp, subj), "email", None, head, literal=obj.text, attributes={"pii": True})
    elif slemma in _BIRTHDAY_NOUNS:
        ent = ents.get(obj.i)
        text = ent.text if ent is not None else obj.doc[obj.left_edge.i : obj.right_edge.i + 1].text
        interp.add(_owner(interp, subj), "birthday", None, head, literal=text)
    elif any(c.lower_ in _FAVORITE for c in subj.children) and _owner(interp, subj) is not None:
        for o in coordinated(obj):
            interp.add(_owner(interp, subj), "likes", interp.refs.of(o, True), head, polarity=polarity)
    else:
        _about_person(interp, head, subj, obj, polarity, past)


def _about_person(interp: Interpreter, head: Token, subj: Token, obj: Token, polarity: int, past: bool) -> None:
    subject = interp.refs.of(subj)
    if subject is None or (subject.kind == ENTITY and subject.label != "PERSON"):
        return
    age = _age(obj)
    olemma = obj.lemma_.lower()
    if age is not None and obj.dep_ in ("attr", "acomp"):
        interp.add(subject, "age", None, head, literal=age, polarity=polarity, past=past)
    elif olemma in KINSHIP | FRIENDS and subject.kind == ENTITY:
        owner = _owner(interp, obj)
        if owner is not None:
            pred = "friend_of" if olemma in FRIENDS else "has_family_member"
            attrs = {"role": olemma} if pred == "has_family_member" else {}
            interp.add(owner, pred, subject, head, attributes=attrs)
    elif subject.kind in (SPEAKER, ADDRESSEE) and obj.dep_ == "attr" and (obj.ent_type_ == "PERSON" or (
        obj.pos_ == "PROPN" and not any(c.dep_ == "det" for c in obj.children)
    )):
        interp.add(subject, "name", None, head, literal=_name_literal(noun_phrase(obj, interp.refs.ents)))
    elif obj.dep_ == "attr" and is_occupation(obj):
        span = noun_phrase(obj, interp.refs.ents)
        ref = Ref(ENTITY, span.start, span.end, key=entity_key(span), label="CONCEPT")
        interp.add(subject, "works_as", ref, head, polarity=polarity, past=past)


def call_me(interp: Interpreter, head: Token, subj: Token, obj: Token) -> None:
    if (obj.pos_ == "PROPN" or obj.ent_type_ == "PERSON") and not is_question(head.sent):
        interp.add(interp.refs.of(subj), "name", None, head, literal=_name_literal(noun_phrase(obj, interp.refs.ents)))


def kin(interp: Interpreter, head: Token, subj: Token, name: Token | None = None) -> None:
    """ "my sister Anna" -> has_family_member(speaker, anna, role=sister); holds even inside a question."""
    owner = interp.refs.of(subj)
    if owner is None or (owner.kind == ENTITY and owner.label != "PERSON"):
        return
    lemma = head.lemma_.lower()
    target = interp.refs.relative(head, owner.kind if owner.kind != ENTITY else f"entity:{owner.key}")
    if lemma in PETS:
        interp.add(owner, "has_pet", target, head, attributes={"species": lemma})
    elif lemma in KINSHIP:
        interp.add(owner, "has_family_member", target, head, attributes={"role": lemma})
    elif lemma in FRIENDS and target is not None and target.kind == ENTITY:
        interp.add(owner, "friend_of", target, head)


def contacts(interp: Interpreter, doc: Doc) -> None:
    """Email addresses and phone numbers stated by (or to) a participant."""
    person = interp.refs.person
    for sent in doc.sents:
        if is_question(sent):
            continue
        mine = [i for i in range(sent.start, sent.end) if person.get(i) == SPEAKER]
        yours = [i for i in range(sent.start, sent.end) if person.get(i) == ADDRESSEE]
        if not mine and not yours:
            continue
        owner = Ref(SPEAKER, mine[0], mine[0] + 1) if mine else Ref(ADDRESSEE, yours[0], yours[0] + 1)
        for token in sent:
            if token.like_email:
                interp.add(owner, "email", None, token, literal=token.text, attributes={"pii": True})
        for match in PHONE.finditer(sent.text):
            if not 7 <= sum(ch.isdigit() for ch in match.group(0)) <= 15 or _DATE_LIKE.match(match.group(0)):
                continue
            start = sent.start_char + match.start()
            span = doc.char_span(start, sent.start_char + match.end(), alignment_mode="expand")
            if span is not None:
                interp.add(owner, "phone", None, span[0], literal=match.group(0), attributes={"pii": True})
