from __future__ import annotations

from graphmem.extract.predicates import (
    ADJ_PREP,
    PII_PREDICATES,
    PREDICATES,
    SINGLE_VALUED,
    VERB_OBJECT,
    VERB_PREP,
)


def test_flags_are_subsets_of_the_vocabulary() -> None:
    assert SINGLE_VALUED == {"name", "lives_in", "works_at", "works_as", "age", "email"}
    assert PII_PREDICATES == {"email", "phone"}
    assert SINGLE_VALUED <= PREDICATES and PII_PREDICATES <= PREDICATES


def test_every_mapping_targets_a_canonical_predicate() -> None:
    targets = set(VERB_OBJECT.values()) | set(VERB_PREP.values()) | set(ADJ_PREP.values())
    assert targets <= PREDICATES


def test_core_verb_mappings() -> None:
    assert {VERB_OBJECT[v] for v in ("love", "enjoy", "adore")} == {"likes"}
    assert {VERB_OBJECT[v] for v in ("hate", "detest")} == {"dislikes"}
    assert VERB_OBJECT["purchase"] == "bought" and VERB_OBJECT["need"] == "wants"
    assert VERB_PREP[("work", "at")] == "works_at" and VERB_PREP[("work", "as")] == "works_as"
    assert VERB_PREP[("live", "in")] == "lives_in" and ADJ_PREP[("allergic", "to")] == "allergic_to"
