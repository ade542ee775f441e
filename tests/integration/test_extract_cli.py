"""``graphmem extract`` prints what ingest would store, and stores nothing."""

from __future__ import annotations

import json
import subprocess
import sys


def _run(*args: str, stdin: str | None = None) -> object:
    done = subprocess.run(
        [sys.executable, "-m", "graphmem.cli.main", "extract", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_one_message_with_a_named_speaker() -> None:
    out = _run("--speaker", "Sarah", "I moved to Lisbon last month and I don't eat meat.")
    assert isinstance(out, dict)
    rels = {(r["subject"], r["predicate"], r["object"]) for r in out["relations"]}
    assert ("sarah", "lives_in", "lisbon") in rels
    lisbon = next(r for r in out["relations"] if r["object"] == "lisbon")
    assert lisbon["valid_from"] and lisbon["valid_to"] is None
    assert out["text"][lisbon["span"][0] : lisbon["span"][1]].startswith("I moved")


def test_a_conversation_file_resolves_you_to_the_user() -> None:
    conversation = [
        {"role": "user", "speaker": "Dana", "text": "Hello!", "timestamp": "2024-03-01T10:00:00Z"},
        {"role": "assistant", "text": "I see you live in Denver.", "timestamp": "2024-03-01T10:00:05Z"},
    ]
    out = _run("--file", "-", stdin=json.dumps(conversation))
    assert isinstance(out, list) and len(out) == 2
    rels = {(r["subject"], r["predicate"], r["object"]) for r in out[1]["relations"]}
    assert ("dana", "lives_in", "denver") in rels
    assert out[1]["relations"][0]["valid_from"].startswith("2024-03-01")
