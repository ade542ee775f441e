from __future__ import annotations

import spacy

from graphmem.extract.records import ADDRESSEE, ENTITY, KIN, SPEAKER
from graphmem.extract.speakers import Referents

from .docs import parsed


def _marked(doc):  # type: ignore[no-untyped-def]
    nlp = spacy.blank("en")
    import graphmem.extract.speakers  # noqa: F401  (registers the factory)

    return nlp.add_pipe("graphmem_speakers")(doc)


def test_first_and_second_person_resolve_to_participants() -> None:
    doc = _marked(parsed(["I", "told", "you", "about", "my", "dog"], [1, 1, 1, 1, 5, 3],
                         ["nsubj", "ROOT", "dobj", "prep", "poss", "pobj"], ["PRON", "VERB", "PRON", "ADP", "PRON", "NOUN"]))
    refs = Referents(doc)
    assert refs.of(doc[0]).kind == SPEAKER  # type: ignore[union-attr]
    assert refs.of(doc[2]).kind == ADDRESSEE  # type: ignore[union-attr]
    assert doc._.gm_person == {0: SPEAKER, 2: ADDRESSEE, 4: SPEAKER}


def test_vocative_sets_the_addressee_of_its_sentence() -> None:
    # Ross , you are a paleontologist .
    doc = _marked(parsed(
        ["Ross", ",", "you", "are", "a", "paleontologist", "."], [3, 3, 3, 3, 5, 3, 3],
        ["npadvmod", "punct", "nsubj", "ROOT", "det", "attr", "punct"],
        ["PROPN", "PUNCT", "PRON", "AUX", "DET", "NOUN", "PUNCT"],
        ents=["B-PERSON", "O", "O", "O", "O", "O", "O"],
    ))
    ref = Referents(doc).of(doc[2])
    assert ref is not None and (ref.kind, ref.key, ref.label) == (ENTITY, "ross", "PERSON")


def test_reported_speech_binds_she_to_the_reporter() -> None:
    # Melanie said she loves pottery
    doc = _marked(parsed(
        ["Melanie", "said", "she", "loves", "pottery"], [1, 1, 3, 1, 3],
        ["nsubj", "ROOT", "nsubj", "ccomp", "dobj"], ["PROPN", "VERB", "PRON", "VERB", "NOUN"],
        lemmas=["Melanie", "say", "she", "love", "pottery"], ents=["B-PERSON", "O", "O", "O", "O"],
    ))
    ref = Referents(doc).of(doc[2])
    assert ref is not None and ref.key == "melanie"


def test_unnamed_relative_is_owned_and_named_relative_is_an_entity() -> None:
    # my sister Anna / my brother
    doc = _marked(parsed(
        ["my", "sister", "Anna", "and", "my", "brother"], [1, 1, 1, 1, 5, 1],
        ["poss", "ROOT", "appos", "cc", "poss", "conj"], ["PRON", "NOUN", "PROPN", "CCONJ", "PRON", "NOUN"],
        ents=["O", "O", "B-PERSON", "O", "O", "O"],
    ))
    refs = Referents(doc)
    named = refs.of(doc[1])
    unnamed = refs.of(doc[5])
    assert named is not None and named.key == "anna"
    assert unnamed is not None and (unnamed.kind, unnamed.key, unnamed.owner) == (KIN, "brother", SPEAKER)
