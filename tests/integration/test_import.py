"""Imports through the real ingest service: JSONL and LoCoMo, resumability, dry runs, the CLI."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest
from litestar.testing import TestClient

from graphmem.cli.main import main
from graphmem.dto import SearchRequest
from graphmem.importers.files import read_file
from graphmem.importers.jsonl import Addressing
from graphmem.importers.runner import ImportSummary, run_import


class Interrupted(Exception):
    """Stands for Ctrl-C or a crash between two batches."""


def _prefix() -> str:
    return f"imp-{uuid.uuid4().hex[:8]}-"


def _write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _support_file(tmp_path: Path) -> Path:
    """Two users, three conversations, seven good messages, two bad lines."""
    return _write_jsonl(tmp_path / "support.jsonl", [
        {"user_id": "dana", "conversation_id": "t1", "role": "user", "speaker": "Dana",
         "text": "My blender arrived broken. I live in Austin.", "timestamp": "2025-03-01T10:00:00Z"},
        {"user_id": "dana", "conversation_id": "t1", "role": "assistant", "speaker": "Sam",
         "text": "Sorry Dana, a replacement blender ships tomorrow.", "timestamp": "2025-03-01T10:02:00Z"},
        {"user_id": "dana", "conversation_id": "t1", "role": "robot", "text": "bad role"},
        {"user_id": "dana", "conversation_id": "t2", "messages": [
            {"role": "user", "speaker": "Dana", "text": "I moved to Denver last week.", "timestamp": "2025-04-01T09:00:00Z"},
            {"role": "assistant", "text": "Address updated to Denver.", "timestamp": "2025-04-01T09:01:00Z"},
        ]},
        "{broken json",
        {"user_id": "eli", "conversation_id": "t9", "role": "user", "text": "Where is my kettle order?",
         "timestamp": "2025-03-05T08:00:00Z", "client_id": "eli-1"},
        {"user_id": "eli", "conversation_id": "t9", "role": "assistant", "text": "The kettle ships Monday.",
         "timestamp": "2025-03-05T08:01:00Z", "client_id": "eli-2"},
        {"user_id": "eli", "conversation_id": "t9", "role": "user", "text": "Thanks!", "timestamp": "2025-03-05T08:02:00Z"},
    ])


def _import(client: TestClient, path: Path, prefix: str, *, dry_run: bool = False, batch: int = 64,
            progress: Callable[[int], None] = lambda n: None) -> ImportSummary:
    items = list(read_file(path, addressing=Addressing(user_prefix=prefix)))
    ingest = None if dry_run else client.app.state.services.ingest
    return client.blocking_portal.call(lambda: run_import(items, ingest, batch_size=batch, progress=progress))


def test_jsonl_import_stores_searchable_memories_and_reports_bad_lines(
    client: TestClient, tmp_path: Path, sql: Callable[..., list[Any]]
) -> None:
    prefix = _prefix()
    summary = _import(client, _support_file(tmp_path), prefix)
    assert (summary.created, summary.duplicate, summary.failed) == (7, 0, 2)
    assert (len(summary.users), len(summary.conversations)) == (2, 3)
    assert sorted(b.source for b in summary.failures) == ["support.jsonl:3", "support.jsonl:5"]
    rows = sql("SELECT user_id, count(*) FROM memories WHERE user_id LIKE :p GROUP BY user_id ORDER BY 1",
               p=prefix + "%")
    assert [tuple(r) for r in rows] == [(prefix + "dana", 4), (prefix + "eli", 3)]
    ids = sql("SELECT client_id FROM messages WHERE user_id = :u ORDER BY ts", u=prefix + "eli")
    assert [r[0] for r in ids][:2] == ["eli-1", "eli-2"]
    hits = client.blocking_portal.call(
        client.app.state.services.search.search, prefix + "dana", SearchRequest(query="where does Dana live now?"))
    assert any("Denver" in h.text for h in hits.hits[:3])

    again = _import(client, _support_file(tmp_path), prefix)  # the same file again: nothing new
    assert (again.created, again.duplicate, again.failed) == (0, 7, 2)
    assert sql("SELECT count(*) FROM messages WHERE user_id LIKE :p", p=prefix + "%")[0][0] == 7


def test_an_interrupted_import_resumes_where_it_stopped(client: TestClient, tmp_path: Path,
                                                        sql: Callable[..., list[Any]]) -> None:
    prefix = _prefix()
    path = _support_file(tmp_path)
    seen = []

    def stop_after_first_batch(n: int) -> None:
        seen.append(n)
        if sum(seen) >= 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        _import(client, path, prefix, batch=2, progress=stop_after_first_batch)
    stored = sql("SELECT count(*) FROM messages WHERE user_id LIKE :p", p=prefix + "%")[0][0]
    assert stored == 2

    resumed = _import(client, path, prefix, batch=2)
    assert (resumed.created, resumed.duplicate) == (5, 2)
    assert sql("SELECT count(*) FROM memories WHERE user_id LIKE :p", p=prefix + "%")[0][0] == 7


def test_dry_run_validates_and_counts_but_writes_nothing(client: TestClient, tmp_path: Path,
                                                         sql: Callable[..., list[Any]]) -> None:
    prefix = _prefix()
    summary = _import(client, _support_file(tmp_path), prefix, dry_run=True)
    assert summary.dry_run and (summary.valid, summary.failed, summary.created) == (7, 2, 0)
    assert sql("SELECT count(*) FROM users WHERE user_id LIKE :p", p=prefix + "%")[0][0] == 0


def test_locomo_file_imports_like_the_benchmark(client: TestClient, tmp_path: Path,
                                                sql: Callable[..., list[Any]]) -> None:
    prefix = _prefix()
    sample = {
        "sample_id": "s1",
        "conversation": {
            "speaker_a": "Caroline", "speaker_b": "Mel",
            "session_1_date_time": "1:56 pm on 8 May, 2023",
            "session_1": [
                {"speaker": "Caroline", "dia_id": "D1:1", "text": "I adopted a puppy called Rex."},
                {"speaker": "Mel", "dia_id": "D1:2", "text": "Rex is adorable!", "blip_caption": "a small dog"},
            ],
            "session_2_date_time": "10:00 am on 9 June, 2023",
            "session_2": [{"speaker": "Caroline", "dia_id": "D2:1", "text": "Rex learned to sit."}],
        },
        "qa": [{"question": "What is the puppy called?", "answer": "Rex", "evidence": ["D1:1"], "category": 4}],
    }
    path = tmp_path / "bench.json"
    path.write_text(json.dumps([sample]))
    summary = _import(client, path, prefix)
    assert (summary.created, summary.failed, len(summary.conversations)) == (3, 0, 2)
    rows = sql("SELECT conversation_id, client_id, role, speaker, ts::text FROM messages WHERE user_id = :u ORDER BY id",
               u=prefix + "s1")
    assert [tuple(r)[:4] for r in rows] == [
        ("session_1", "D1:1", "other", "Caroline"), ("session_1", "D1:2", "other", "Mel"),
        ("session_2", "D2:1", "other", "Caroline"),
    ]
    assert rows[0][4].startswith("2023-05-08 13:56")


def test_cli_import_prints_a_summary_and_fails_on_bad_lines(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    sql: Callable[..., list[Any]],
) -> None:
    monkeypatch.setenv("GRAPHMEM_DATABASE_URL", database_url)
    prefix = _prefix()
    path = _support_file(tmp_path)
    assert main(["import", str(path), "--user-prefix", prefix, "--dry-run"]) == 1  # two bad lines
    out = capsys.readouterr()
    assert "dry run" in out.out and "messages valid" in out.out and "support.jsonl:5" in out.err
    assert sql("SELECT count(*) FROM messages WHERE user_id LIKE :p", p=prefix + "%")[0][0] == 0

    good = _write_jsonl(tmp_path / "good.jsonl", path.read_text().splitlines()[:2])
    assert main(["import", str(good), "--user-prefix", prefix]) == 0
    out = capsys.readouterr().out
    assert re.search(r"messages created\s*│\s*2\s*│", out), out
    assert sql("SELECT count(*) FROM memories WHERE user_id LIKE :p", p=prefix + "%")[0][0] == 2
    assert main(["import", str(tmp_path / "missing.jsonl")]) == 2
