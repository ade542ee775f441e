"""The ``graphmem_relations`` component: DependencyMatcher patterns -> ``doc._.gm_relations``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator

from spacy.language import Language
from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc

from . import identity
from .interpret import Interpreter
from .patterns import PATTERNS

if TYPE_CHECKING:
    from spacy.tokens import Token

__all__ = ["RelationMatcher", "make_relation_matcher"]

Handler = Callable[..., None]


def _handlers(interp: Interpreter) -> dict[str, Handler]:
    return {
        "dobj": interp.dobj,
        "compound_verb": interp.dobj,
        "relcl": interp.relcl,
        "prep": interp.prep,
        "dobj_prep": interp.dobj_prep,
        "pobj_prep": interp.pobj_prep,
        "xcomp_dobj": interp.xcomp_dobj,
        "xcomp_prep": interp.xcomp_prep,
        "acomp_prep": interp.acomp_prep,
        "attr": lambda **t: identity.attr(interp, **t),
        "call_me": lambda **t: identity.call_me(interp, **t),
        "kin": lambda **t: identity.kin(interp, **t),
    }


LONG_DOC_TOKENS = 200
LONG_SENTENCE_TOKENS = 60


class RelationMatcher:
    """Runs the compiled patterns once per Doc and reads each match through ``Interpreter``."""

    def __init__(self, matcher: DependencyMatcher, right_ids: dict[int, tuple[list[str], str]]) -> None:
        self.matcher = matcher
        self.right_ids = right_ids

    def __call__(self, doc: Doc) -> Doc:
        interp = Interpreter(doc)
        handlers = _handlers(interp)
        for match_id, token_ids in self._matches(doc):
            names, label = self.right_ids[match_id]
            tokens: dict[str, Token] = {name: doc[i] for name, i in zip(names, token_ids) if name != "gov"}
            if label != "relcl" and "gov" in names and any(c.dep_.startswith("nsubj") for c in tokens["head"].children):
                continue  # the conjunct has its own subject; the plain pattern reads it
            handlers[label](**tokens)
        identity.contacts(interp, doc)
        doc._.gm_relations = list(interp.found.values())
        return doc

    def _matches(self, doc: Doc) -> Iterator[tuple[int, list[int]]]:
        """Match a chat turn whole. A long text (a pasted document, code) is matched sentence by
        sentence, skipping run-on "sentences" (a 148-token one took 3 s): the matcher's work grows
        steeply with tree size, and facts about people are stated in short sentences."""
        if len(doc) <= LONG_DOC_TOKENS and all(len(s) <= LONG_SENTENCE_TOKENS for s in doc.sents):
            yield from self.matcher(doc)
            return
        for sent in doc.sents:
            if len(sent) > LONG_SENTENCE_TOKENS:
                continue
            for match_id, token_ids in self.matcher(sent):
                yield match_id, [sent.start + i for i in token_ids]


@Language.factory("graphmem_relations", default_config={})
def make_relation_matcher(nlp: Language, name: str) -> RelationMatcher:
    if not Doc.has_extension("gm_relations"):
        Doc.set_extension("gm_relations", default=None)
    matcher = DependencyMatcher(nlp.vocab)
    right_ids: dict[int, tuple[list[str], str]] = {}
    for label, patterns in PATTERNS.items():
        for n, pattern in enumerate(patterns):
            key = f"{label}#{n}"
            matcher.add(key, [pattern])
            right_ids[nlp.vocab.strings[key]] = ([node["RIGHT_ID"] for node in pattern], label)
    return RelationMatcher(matcher, right_ids)
