"""DependencyMatcher patterns, as data: each label names a clause shape that ``interpret`` reads."""

from __future__ import annotations

from typing import Any

from .predicates import FRIENDS, KINSHIP, PETS

__all__ = ["PATTERNS", "POSSESSIVES"]

Pattern = list[dict[str, Any]]

POSSESSIVES: list[str] = ["my", "our", "your", "ur", "his", "her", "their"]
_REL_NOUNS: list[str] = sorted(KINSHIP | PETS | FRIENDS)

_CHAT_VERBS: list[str] = ["luv", "love", "like", "hate", "luvs", "loves", "likes", "hates", "want", "need"]
_HEAD: dict[str, Any] = {"RIGHT_ID": "head", "RIGHT_ATTRS": {"POS": {"IN": ["VERB", "AUX", "ADP", "NOUN", "PROPN", "ADJ"]}}}


def _child(left: str, right: str, deps: list[str], **attrs: Any) -> dict[str, Any]:
    return {"LEFT_ID": left, "REL_OP": ">", "RIGHT_ID": right, "RIGHT_ATTRS": {"DEP": {"IN": deps}, **attrs}}


_SUBJ = _child("head", "subj", ["nsubj", "nsubjpass"])

# A verb coordinated with one that has the subject: "I love X and hate Y".
_CONJ_HEAD: list[dict[str, Any]] = [
    {"RIGHT_ID": "gov", "RIGHT_ATTRS": {"POS": {"IN": ["VERB", "AUX"]}}},
    _child("gov", "subj", ["nsubj", "nsubjpass"]),
    _child("gov", "head", ["conj"], POS={"IN": ["VERB", "AUX"]}),
]

PATTERNS: dict[str, list[Pattern]] = {
    # I love sushi / I bought a sofa / I have a cat
    "dobj": [
        [_HEAD, _SUBJ, _child("head", "obj", ["dobj"])],
        [*_CONJ_HEAD, _child("head", "obj", ["dobj"])],
    ],
    # "i luv pizza": the verb parsed as a compound of its object
    "compound_verb": [
        [
            {"RIGHT_ID": "obj", "RIGHT_ATTRS": {"POS": {"IN": ["NOUN", "PROPN"]}}},
            _child("obj", "subj", ["nsubj"]),
            _child("obj", "head", ["compound", "amod"], LOWER={"IN": _CHAT_VERBS}),
        ]
    ],
    # I live in Austin / I work at Acme / I'm from Ohio / ... and works for Boeing
    "prep": [
        [_HEAD, _SUBJ, _child("head", "prep", ["prep"]), _child("prep", "obj", ["pobj"])],
        [*_CONJ_HEAD, _child("head", "prep", ["prep"]), _child("prep", "obj", ["pobj"])],
    ],
    # the blender I bought
    "relcl": [
        [
            {"RIGHT_ID": "obj", "RIGHT_ATTRS": {"POS": {"IN": ["NOUN", "PROPN"]}}},
            _child("obj", "head", ["relcl"], POS="VERB"),
            _child("head", "subj", ["nsubj"]),
        ]
    ],
    # I quit my job at Acme / I got a job at Dell
    "dobj_prep": [
        [
            _HEAD,
            _SUBJ,
            _child("head", "mid", ["dobj"]),
            _child("mid", "prep", ["prep"]),
            _child("prep", "obj", ["pobj"]),
        ]
    ],
    # I work as a nurse at Mercy Hospital
    "pobj_prep": [
        [
            _HEAD,
            _SUBJ,
            _child("head", "prep1", ["prep"]),
            _child("prep1", "mid", ["pobj"]),
            _child("mid", "prep", ["prep"]),
            _child("prep", "obj", ["pobj"]),
        ]
    ],
    # I love to cook pasta / I want to buy a laptop / I'm going to visit Japan
    "xcomp_dobj": [[_HEAD, _SUBJ, _child("head", "comp", ["xcomp"]), _child("comp", "obj", ["dobj"])]],
    # I used to live in Chicago / I plan to move to Denver
    "xcomp_prep": [
        [
            _HEAD,
            _SUBJ,
            _child("head", "comp", ["xcomp"]),
            _child("comp", "prep", ["prep"]),
            _child("prep", "obj", ["pobj"]),
        ]
    ],
    # I'm a nurse / My name is Sarah / I'm 32 / My email is ...
    "attr": [[_HEAD, _SUBJ, _child("head", "obj", ["attr", "acomp"])]],
    # I'm allergic to nuts / I'm a big fan of jazz
    "acomp_prep": [
        [
            _HEAD,
            _SUBJ,
            _child("head", "mid", ["acomp", "attr"]),
            _child("mid", "prep", ["prep"]),
            _child("prep", "obj", ["pobj"]),
        ]
    ],
    # call me Sarah
    "call_me": [
        [
            {"RIGHT_ID": "head", "RIGHT_ATTRS": {"LEMMA": "call"}},
            _child("head", "subj", ["dobj", "nsubj"], LOWER={"IN": ["me", "us"]}),
            _child("head", "obj", ["oprd", "attr", "dobj", "npadvmod", "xcomp", "ccomp"]),
        ]
    ],
    # my sister (Anna) / your dog Max / my friend Jo
    "kin": [
        [
            {"RIGHT_ID": "head", "RIGHT_ATTRS": {"LEMMA": {"IN": _REL_NOUNS}}},
            _child("head", "subj", ["poss"], LOWER={"IN": POSSESSIVES}),
        ],
        [
            {"RIGHT_ID": "name", "RIGHT_ATTRS": {"POS": "PROPN"}},
            _child("name", "subj", ["poss"], LOWER={"IN": POSSESSIVES}),
            _child("name", "head", ["compound", "amod", "nmod"], LEMMA={"IN": _REL_NOUNS}),
        ],
    ],
}
