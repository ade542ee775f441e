"""Entity resolution rules and speaker assignment on literal values."""

from __future__ import annotations

from datetime import datetime, timezone

from graphmem.resolve.entities import names_compatible, pick
from graphmem.services.graph_stage import speaker_identity, utterances
from graphmem.services.pipeline import PendingMessage


def test_names_compatible() -> None:
    assert names_compatible("sarah", "sarah connor")
    assert names_compatible("sarah connor", "sarah")
    assert not names_compatible("sarah connor", "sarah lee")
    assert not names_compatible("sarah", "sarah")
    assert not names_compatible("connor", "sarah connor")


def test_pick_prefers_type_then_mentions_then_age() -> None:
    assert pick([(1, "max", "ORG", 9), (2, "max", "PERSON", 1)], "PERSON") == 2
    assert pick([(1, "max", "PERSON", 1), (2, "max", "PERSON", 5)], "PERSON") == 2
    assert pick([(3, "max", "GPE", 2), (2, "max", "GPE", 2)], "PERSON") == 2


def _m(role: str, speaker: str | None) -> PendingMessage:
    return PendingMessage(0, role, "text", speaker, datetime(2024, 1, 1, tzinfo=timezone.utc), None, {})


def test_speakers_and_addressees() -> None:
    assert speaker_identity("user", None) == ("user", "User")
    assert speaker_identity("user", "Dana Scully") == ("dana scully", "Dana Scully")
    assert speaker_identity("other", None) == ("someone", "Someone")
    support = utterances([_m("user", "Dana"), _m("assistant", None), _m("user", None), _m("assistant", None)])
    assert [(u.speaker_key, u.addressee_key) for u in support] == [
        ("dana", "assistant"),
        ("assistant", "dana"),
        ("user", "assistant"),
        ("assistant", "user"),
    ]
    party = utterances([_m("other", "Caroline"), _m("other", "Melanie"), _m("other", "Melanie"), _m("other", "Caroline")])
    assert [(u.speaker_key, u.addressee_key) for u in party] == [
        ("caroline", None),
        ("melanie", "caroline"),
        ("melanie", "caroline"),
        ("caroline", "melanie"),
    ]
