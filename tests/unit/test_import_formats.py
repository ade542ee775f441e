"""Import sources, pure: the JSONL format, client ids, format detection, LoCoMo mapping, stored vectors."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from graphmem.embed.fake import FakeEmbedder
from graphmem.embed.precomputed import PrecomputedEmbedder
from graphmem.importers.files import detect_format, read_file
from graphmem.importers.jsonl import Addressing, parse_lines
from graphmem.importers.records import BadRecord, ImportRecord


def _lines(*rows: object) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in rows]


def test_message_and_conversation_lines_become_records() -> None:
    items = list(parse_lines(_lines(
        {"user_id": "ana", "conversation_id": "c1", "role": "user", "text": "I live in Lisbon.",
         "timestamp": "2025-01-02T10:00:00Z", "client_id": "m1", "metadata": {"channel": "chat"}},
        "",
        {"user_id": "ana", "conversation_id": "c2", "messages": [
            {"role": "user", "speaker": "Ana", "text": "Hello"}, {"role": "assistant", "text": "Hi Ana"}]},
    ), name="f.jsonl"))
    assert all(isinstance(i, ImportRecord) for i in items)
    assert [(i.user_id, i.conversation_id, i.message.text, i.source) for i in items] == [
        ("ana", "c1", "I live in Lisbon.", "f.jsonl:1"),
        ("ana", "c2", "Hello", "f.jsonl:3#0"),
        ("ana", "c2", "Hi Ana", "f.jsonl:3#1"),
    ]
    first = items[0]
    assert isinstance(first, ImportRecord)
    assert first.message.client_id == "m1" and first.message.metadata == {"channel": "chat"}
    assert first.message.timestamp == datetime(2025, 1, 2, 10, tzinfo=timezone.utc)


def test_bad_lines_are_reported_with_their_line_and_do_not_stop_the_rest() -> None:
    items = list(parse_lines(_lines(
        "{not json",
        {"user_id": "ana", "conversation_id": "c", "role": "robot", "text": "x"},
        {"conversation_id": "c", "role": "user", "text": "who am I?"},
        {"user_id": "ana", "conversation_id": "c", "role": "user", "text": "   "},
        {"user_id": "ana", "conversation_id": "c", "role": "user", "txt": "typo"},
        {"user_id": "a/b", "conversation_id": "c", "role": "user", "text": "slash"},
        {"user_id": "ana", "conversation_id": "c", "role": "user", "text": "fine"},
    ), name="f"))
    bad = [i for i in items if isinstance(i, BadRecord)]
    assert [b.source for b in bad] == ["f:1", "f:2", "f:3", "f:4", "f:5", "f:6"]
    assert "role" in bad[1].reason and "user_id" in bad[2].reason and "blank" in bad[3].reason
    assert "txt" in bad[4].reason
    assert [i.message.text for i in items if isinstance(i, ImportRecord)] == ["fine"]


def test_generated_client_ids_are_stable_and_tell_repeats_apart() -> None:
    rows = _lines(
        {"user_id": "u", "conversation_id": "c", "role": "user", "text": "ok"},
        {"user_id": "u", "conversation_id": "c", "role": "user", "text": "ok"},
        {"user_id": "u", "conversation_id": "d", "role": "user", "text": "ok"},
    )
    first = [i.message.client_id for i in parse_lines(rows) if isinstance(i, ImportRecord)]
    again = [i.message.client_id for i in parse_lines(rows) if isinstance(i, ImportRecord)]
    assert first == again
    assert first[0] != first[1] and first[1] == first[0] + "-1"
    assert first[2] == first[0]  # another conversation: client ids are unique per conversation only


def test_user_defaults_and_prefix() -> None:
    rows = _lines({"conversation_id": "c", "role": "user", "text": "a"},
                  {"user_id": "bo", "conversation_id": "c", "role": "user", "text": "b"})
    items = list(parse_lines(rows, Addressing(user="ana", user_prefix="t-")))
    assert [i.user_id for i in items if isinstance(i, ImportRecord)] == ["t-ana", "t-bo"]


def _locomo(tmp_path: Path) -> Path:
    sample = {
        "sample_id": "conv-9",
        "conversation": {
            "speaker_a": "Caroline", "speaker_b": "Mel",
            "session_1_date_time": "1:56 pm on 8 May, 2023",
            "session_1": [
                {"speaker": "Caroline", "dia_id": "D1:1", "text": "I moved to Boston."},
                {"speaker": "Mel", "dia_id": "D1:2", "text": "Nice!", "blip_caption": "a harbour"},
            ],
            "session_2_date_time": "10:00 am on 9 June, 2023",
            "session_2": [{"speaker": "user", "dia_id": "D2:1", "text": "Back again."}],
        },
        "qa": [],
    }
    path = tmp_path / "locomo.json"
    path.write_text(json.dumps([sample]))
    return path


def test_locomo_is_detected_and_mapped_as_the_benchmark_ingests_it(tmp_path: Path) -> None:
    path = _locomo(tmp_path)
    assert detect_format(path) == "locomo"
    items = [i for i in read_file(path, addressing=Addressing(user_prefix="bench-")) if isinstance(i, ImportRecord)]
    assert [(i.user_id, i.conversation_id, i.message.client_id, i.message.role, i.message.speaker) for i in items] == [
        ("bench-conv-9", "session_1", "D1:1", "other", "Caroline"),
        ("bench-conv-9", "session_1", "D1:2", "other", "Mel"),
        ("bench-conv-9", "session_2", "D2:1", "user", None),
    ]
    assert items[1].message.text == "Nice! [shares a photo: a harbour]"
    assert items[0].message.timestamp == datetime(2023, 5, 8, 13, 56, tzinfo=timezone.utc)


def test_jsonl_is_detected_even_when_a_line_is_a_list(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"user_id": "u", "conversation_id": "c", "role": "user", "text": "hi"}\n')
    assert detect_format(path) == "jsonl"
    path.write_text("[1, 2]\n[3]\n")  # not one JSON document: JSONL, whose reader rejects the lines
    assert detect_format(path) == "jsonl"
    assert all(isinstance(i, BadRecord) for i in read_file(path))


def test_precomputed_embedder_returns_registered_vectors_and_embeds_the_rest() -> None:
    fallback = FakeEmbedder()
    embedder = PrecomputedEmbedder(fallback)
    stored = np.full(384, 2.0, dtype=np.float32)  # not unit length: it is normalized
    embedder.register({"known": stored})
    out = embedder.embed(["unknown words", "known"])
    assert np.allclose(out[1], stored / np.linalg.norm(stored))
    assert np.allclose(out[0], fallback.embed(["unknown words"])[0])
    assert (embedder.reused, embedder.computed) == (1, 1)
    embedder.clear()
    assert np.allclose(embedder.embed(["known"])[0], fallback.embed(["known"])[0])
    with pytest.raises(ValueError):
        embedder.register({"short": np.ones(3)})
