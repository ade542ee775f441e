"""End to end on real sentences with the real model, plus the contract every Extractor keeps."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from graphmem.extract import Extraction, Extractor, FakeExtractor, SpacyExtractor, Utterance, extraction_to_json

NOW = datetime(2024, 5, 10, 12, tzinfo=timezone.utc)


def _user(text: str) -> Utterance:
    return Utterance(text, "user", NOW, "user", "User", "assistant", "Assistant")


@pytest.fixture(scope="module")
def spacy_extractor() -> SpacyExtractor:
    return SpacyExtractor()


def _triples(extraction: Extraction) -> set[tuple[str, str, str | None, int]]:
    return {(r.subject_key, r.predicate, r.object_key or r.literal, r.polarity) for r in extraction.relations}


@pytest.mark.parametrize("make", [FakeExtractor, SpacyExtractor])
def test_contract_one_extraction_per_utterance_and_keys_are_entities(make: type) -> None:
    extractor: Extractor = make()
    utterances = [_user("I like tea."), _user(""), _user("🎉🎉"), _user("I love Paris and Rome.")]
    extractions = extractor.extract(utterances)
    assert len(extractions) == len(utterances)
    for extraction in extractions:
        keys = {m.key for m in extraction.entities}
        for relation in extraction.relations:
            assert relation.subject_key in keys
            assert relation.object_key is None or relation.object_key in keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I like tea and coffee.", {("user", "likes", "tea", 1), ("user", "likes", "coffee", 1)}),
        ("I don't like horror movies.", {("user", "likes", "horror movie", -1)}),
        ("I can't stand cilantro", {("user", "dislikes", "cilantro", 1)}),
        ("I'm not allergic to nuts.", {("user", "allergic_to", "nut", -1)}),
        ("My name is Sarah.", {("user", "name", "Sarah", 1)}),
        ("I am 32 years old", {("user", "age", "32", 1)}),
        ("i live in nyc lol", {("user", "lives_in", "nyc", 1)}),
        ("Melanie said she loves pottery.", {("melanie", "likes", "pottery", 1)}),
        ("My email is sarah.c@example.com", {("user", "email", "sarah.c@example.com", 1)}),
    ],
)
def test_real_sentences(spacy_extractor: SpacyExtractor, text: str, expected: set[tuple[str, str, str, int]]) -> None:
    assert _triples(spacy_extractor.extract([_user(text)])[0]) >= expected


@pytest.mark.parametrize(
    "text",
    ["Do you like sushi?", "do you like sushi", "If I move to Paris, I will buy a flat.", "Maybe I'll try yoga.",
     "I might move to Seattle.", "I would love to visit Japan.", "😀😀😀"],
)
def test_non_facts_yield_no_relations(spacy_extractor: SpacyExtractor, text: str) -> None:
    assert spacy_extractor.extract([_user(text)])[0].relations == ()


def test_family_move_and_past_facts(spacy_extractor: SpacyExtractor) -> None:
    sister, moved, used, quit_ = spacy_extractor.extract([
        _user("My sister Anna loves horses."),
        _user("I moved from Boston to Austin last month."),
        _user("I used to live in Chicago."),
        _user("I quit my job at Amazon."),
    ])
    family = [r for r in sister.relations if r.predicate == "has_family_member"]
    assert [(r.object_key, r.attributes) for r in family] == [("anna", {"role": "sister"})]
    assert ("anna", "likes", "horse", 1) in _triples(sister)
    by_object = {r.object_key: r for r in moved.relations}
    assert by_object["boston"].closes and not by_object["austin"].closes
    assert by_object["austin"].valid_from == datetime(2024, 4, 1, tzinfo=timezone.utc)
    assert used.relations[0].valid_to == NOW
    assert [(r.predicate, r.object_key, r.closes) for r in quit_.relations] == [("works_at", "amazon", True)]


def test_speaker_mentions_and_addressee(spacy_extractor: SpacyExtractor) -> None:
    assistant = Utterance("You mentioned that you live in Leeds.", "assistant", NOW, "assistant", "Assistant", "user", "Dana")
    (extraction,) = spacy_extractor.extract([assistant])
    assert ("user", "lives_in", "leeds", 1) in _triples(extraction)
    you = [m for m in extraction.entities if m.is_speaker]
    assert you and all(m.key == "user" and m.name == "Dana" and assistant.text[m.start : m.end].lower() == "you" for m in you)


def test_render_is_plain_json(spacy_extractor: SpacyExtractor) -> None:
    utterance = _user("I bought a sectional sofa two weeks ago. My phone is 555-123-4567.")
    rendered = extraction_to_json(utterance, spacy_extractor.extract([utterance])[0])
    relations = {r["predicate"]: r for r in rendered["relations"]}
    assert relations["bought"]["object"] == "sectional sofa"
    assert relations["bought"]["valid_from"] == "2024-04-26T00:00:00+00:00"
    assert relations["phone"]["attributes"] == {"pii": True} and relations["phone"]["literal"] == "555-123-4567"
    assert {"key": "sectional sofa", "type": "CONCEPT"}.items() <= next(
        e for e in rendered["entities"] if e["key"] == "sectional sofa"
    ).items()
