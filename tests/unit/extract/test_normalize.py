from __future__ import annotations

from graphmem.extract.normalize import entity_key

from .docs import parsed


def test_plain_strings_are_cleaned_not_lemmatized() -> None:
    assert entity_key("Sarah Connor") == "sarah connor"
    assert entity_key("  The   Big Apple!! 😀 ") == "big apple"
    assert entity_key("my Sofas") == "sofas"
    assert entity_key("Sarah's") == "sarah"
    assert entity_key("🎉") == ""


def test_span_drops_determiners_and_possessives_and_singularizes_head() -> None:
    doc = parsed(
        ["my", "sectional", "sofas"], [2, 2, 2], ["poss", "amod", "ROOT"], ["PRON", "ADJ", "NOUN"],
        tags=["PRP$", "JJ", "NN"],
    )
    assert entity_key(doc[:]) == "sectional sofa"


def test_span_uses_tagger_lemma_for_plural_tags() -> None:
    doc = parsed(["the", "puppies"], [1, 1], ["det", "ROOT"], ["DET", "NOUN"], lemmas=["the", "puppy"], tags=["DT", "NNS"])
    assert entity_key(doc[:]) == "puppy"
    assert entity_key(doc[1]) == "puppy"


def test_proper_nouns_and_non_plurals_keep_their_s() -> None:
    doc = parsed(["Paris", "glass", "news"], [0, 2, 0], ["ROOT", "compound", "dobj"], ["PROPN", "NOUN", "NOUN"])
    assert entity_key(doc[0:1]) == "paris"
    assert entity_key(doc[1:2]) == "glass"
    assert entity_key(doc[2:3]) == "news"
