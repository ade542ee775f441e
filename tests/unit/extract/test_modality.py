from __future__ import annotations

from graphmem.extract.modality import is_irrealis, is_negated, is_no_longer, is_question, is_used_to

from .docs import parsed


def test_question_mark_and_inverted_auxiliary_are_questions() -> None:
    marked = parsed(["you", "like", "sushi", "?"], [1, 1, 1, 1], ["nsubj", "ROOT", "dobj", "punct"], ["PRON", "VERB", "NOUN", "PUNCT"])
    inverted = parsed(["do", "you", "like", "sushi"], [2, 2, 2, 2], ["aux", "nsubj", "ROOT", "dobj"], ["AUX", "PRON", "VERB", "NOUN"])
    statement = parsed(["I", "like", "sushi", "."], [1, 1, 1, 1], ["nsubj", "ROOT", "dobj", "punct"], ["PRON", "VERB", "NOUN", "PUNCT"])
    assert is_question(marked[:]) and is_question(inverted[:])
    assert not is_question(statement[:])


def test_modal_hedge_and_conditional_are_irrealis() -> None:
    might = parsed(["I", "might", "try", "yoga"], [2, 2, 2, 2], ["nsubj", "aux", "ROOT", "dobj"], ["PRON", "AUX", "VERB", "NOUN"])
    maybe = parsed(["maybe", "I", "try", "yoga"], [2, 2, 2, 2], ["advmod", "nsubj", "ROOT", "dobj"], ["ADV", "PRON", "VERB", "NOUN"])
    # If I move to Paris , I buy a flat
    conditional = parsed(
        ["If", "I", "move", "to", "Paris", ",", "I", "buy", "a", "flat"],
        [2, 2, 7, 2, 3, 7, 7, 7, 9, 7],
        ["mark", "nsubj", "advcl", "prep", "pobj", "punct", "nsubj", "ROOT", "det", "dobj"],
        ["SCONJ", "PRON", "VERB", "ADP", "PROPN", "PUNCT", "PRON", "VERB", "DET", "NOUN"],
    )
    plain = parsed(["I", "tried", "yoga"], [1, 1, 1], ["nsubj", "ROOT", "dobj"], ["PRON", "VERB", "NOUN"])
    assert is_irrealis(might[2]) and is_irrealis(maybe[2])
    assert is_irrealis(conditional[2]) and is_irrealis(conditional[7])
    assert not is_irrealis(plain[1])


def test_negation_does_not_leak_across_coordinated_clauses() -> None:
    # I do n't like coffee but I love tea
    doc = parsed(
        ["I", "do", "n't", "like", "coffee", "but", "I", "love", "tea"],
        [3, 3, 3, 3, 3, 3, 7, 3, 7],
        ["nsubj", "aux", "neg", "ROOT", "dobj", "cc", "nsubj", "conj", "dobj"],
        ["PRON", "AUX", "PART", "VERB", "NOUN", "CCONJ", "PRON", "VERB", "NOUN"],
    )
    assert is_negated(doc[3])
    assert not is_negated(doc[7])


def test_no_longer_and_used_to() -> None:
    no_longer = parsed(
        ["I", "no", "longer", "work", "here"], [3, 2, 3, 3, 3], ["nsubj", "neg", "advmod", "ROOT", "advmod"],
        ["PRON", "ADV", "ADV", "VERB", "ADV"],
    )
    used_to = parsed(
        ["I", "used", "to", "live", "there"], [1, 1, 3, 1, 3], ["nsubj", "ROOT", "aux", "xcomp", "advmod"],
        ["PRON", "VERB", "PART", "VERB", "ADV"],
    )
    assert is_no_longer(no_longer[3]) and not is_negated(no_longer[3])
    assert is_used_to(used_to[3]) and not is_used_to(used_to[1])
