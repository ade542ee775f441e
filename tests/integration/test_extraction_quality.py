"""Relation and entity quality of ``SpacyExtractor`` on the hand-written gold set.

Relations are scored on the canonical vocabulary only: generic verb-lemma relations are outside what
the gold annotates, so they are counted and printed but neither right nor wrong.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from graphmem.extract import PREDICATES, SpacyExtractor, Utterance, entity_key
from graphmem.extract.types import Extraction

GOLD = Path(__file__).resolve().parents[1] / "data" / "extraction_gold.jsonl"


def _utterance(item: dict[str, Any]) -> Utterance:
    moment = datetime.fromisoformat(item["timestamp"])
    if item["role"] == "user":
        return Utterance(item["text"], "user", moment, "user", "User", "assistant", "Assistant")
    if item["role"] == "assistant":
        return Utterance(item["text"], "assistant", moment, "assistant", "Assistant", "user", "User")
    addressee = item.get("addressee")
    return Utterance(
        item["text"], "other", moment, entity_key(item["speaker"]), item["speaker"],
        entity_key(addressee) if addressee else None, addressee,
    )


LITERAL_PREDICATES = frozenset({"name", "age", "birthday", "email", "phone"})


def _gold_matches(gold: dict[str, Any], predicted: dict[str, Any]) -> bool:
    obj = entity_key(gold["object"]) if gold["predicate"] in LITERAL_PREDICATES else gold["object"]
    if (gold["subject"], gold["predicate"], obj, gold.get("polarity", 1)) != (
        predicted["subject"], predicted["predicate"], predicted["object"], predicted["polarity"]
    ):
        return False
    if "role" in gold and gold["role"] != predicted["role"]:
        return False
    if "valid_to_set" in gold and gold["valid_to_set"] != predicted["valid_to_set"]:
        return False
    return "closes" not in gold or gold["closes"] == predicted["closes"]


def _predicted(extraction: Extraction) -> list[dict[str, Any]]:
    return [
        {
            "subject": r.subject_key,
            "predicate": r.predicate,
            "object": r.object_key if r.object_key is not None else entity_key(r.literal or ""),
            "polarity": r.polarity,
            "role": r.attributes.get("role"),
            "valid_to_set": r.valid_to is not None,
            "closes": r.closes,
        }
        for r in extraction.relations
        if r.predicate in PREDICATES
    ]


def score(items: list[dict[str, Any]], extractions: list[Extraction]) -> dict[str, float]:
    """Micro precision/recall of relations and entities over the gold items."""
    gold_types = {ent["type"] for item in items for ent in item["entities"]}
    rel_tp = rel_pred = rel_gold = rel_hit = 0
    ent_tp = ent_pred = ent_gold = ent_hit = 0
    for item, extraction in zip(items, extractions):
        predicted = _predicted(extraction)
        rel_pred += len(predicted)
        rel_gold += len(item["relations"])
        rel_tp += sum(any(_gold_matches(g, p) for g in item["relations"]) for p in predicted)
        rel_hit += sum(any(_gold_matches(g, p) for p in predicted) for g in item["relations"])
        gold_ents = {(ent["key"], ent["type"]) for ent in item["entities"]}
        found = {(m.key, m.type) for m in extraction.entities if not m.is_speaker and m.type in gold_types}
        ent_pred += len(found)
        ent_gold += len(gold_ents)
        ent_tp += len(found & gold_ents)
        ent_hit += len(found & gold_ents)
    return {
        "relation_precision": rel_tp / max(rel_pred, 1),
        "relation_recall": rel_hit / max(rel_gold, 1),
        "entity_precision": ent_tp / max(ent_pred, 1),
        "entity_recall": ent_hit / max(ent_gold, 1),
    }


@pytest.fixture(scope="module")
def gold_run() -> tuple[list[dict[str, Any]], list[Extraction]]:
    items = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items, SpacyExtractor().extract([_utterance(item) for item in items])


def test_gold_set_is_large_and_varied(gold_run: tuple[list[dict[str, Any]], list[Extraction]]) -> None:
    items, _ = gold_run
    assert len(items) >= 90
    assert {item["role"] for item in items} == {"user", "assistant", "other"}
    assert sum(not item["relations"] for item in items) >= 15


def test_relation_and_entity_quality(gold_run: tuple[list[dict[str, Any]], list[Extraction]]) -> None:
    items, extractions = gold_run
    scores = score(items, extractions)
    generic = sum(r.predicate not in PREDICATES for x in extractions for r in x.relations)
    print("\nextraction quality:", {k: round(v, 3) for k, v in scores.items()}, "generic relations:", generic)
    assert scores["relation_precision"] >= 0.85
    assert scores["relation_recall"] >= 0.70
    assert scores["entity_recall"] >= 0.70
    assert scores["entity_precision"] >= 0.70
