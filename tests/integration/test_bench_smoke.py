"""``graphmem bench``: the LoCoMo flattening on literal data, and both commands end to end against
a real server subprocess (slow: each starts its own embedded PostgreSQL and loads the model)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from graphmem.bench.ingest import request_batches
from graphmem.bench.locomo import flatten_questions, flatten_turns, parse_session_date
from graphmem.bench.stats import percentile, summarize

ROOT = Path(__file__).resolve().parents[2]
LOCOMO = ROOT.parent / "shared" / "data" / "locomo" / "locomo-dev.json"

SAMPLES: list[dict[str, Any]] = [
    {
        "sample_id": "conv-x",
        "conversation": {
            "speaker_a": "Ann",
            "speaker_b": "Bob",
            # Out of order, and 10 after 2: sessions sort numerically, not by key or text.
            "session_10_date_time": "12:05 am on 1 January, 2024",
            "session_10": [{"speaker": "Bob", "dia_id": "D10:1", "text": "Happy new year!"}],
            "session_2_date_time": "1:56 pm on 8 May, 2023",
            "session_2": [
                {"speaker": "Ann", "dia_id": "D2:1", "text": "Look at my garden."},
                {"speaker": "Ann", "dia_id": "D2:2", "text": "Here it is.", "img_url": ["http://x"],
                 "blip_caption": "a photo of red roses"},  # fmt: skip
            ],
            "session_1_date_time": "12:30 pm on 7 May, 2023",
            "session_1": [{"speaker": "Bob", "dia_id": "D1:1", "text": "Hi Ann!"}],
        },
        "qa": [
            {"question": "What does Ann grow?", "answer": "roses", "evidence": ["D2:2"], "category": 4},
            {"question": "When did Bob greet?", "answer": 2023, "evidence": ["D1:1"], "category": 2},
            {"question": "What car does Ann drive?", "adversarial_answer": "a Ford", "evidence": [], "category": 5},
        ],
    },
    {
        "sample_id": "conv-y",
        "conversation": {
            "session_1_date_time": "9:00 AM on 29 February, 2024",
            "session_1": [{"speaker": "Cy", "dia_id": "D1:1", "text": "Leap day."}],
        },
        "qa": [{"question": "What day was it?", "answer": "leap day", "evidence": ["D1:1"], "category": 1}],
    },
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:56 pm on 8 May, 2023", datetime(2023, 5, 8, 13, 56, tzinfo=timezone.utc)),
        ("12:05 am on 1 January, 2024", datetime(2024, 1, 1, 0, 5, tzinfo=timezone.utc)),
        ("12:30 pm on 7 May, 2023", datetime(2023, 5, 7, 12, 30, tzinfo=timezone.utc)),
        ("9:00 AM on 29 February, 2024", datetime(2024, 2, 29, 9, 0, tzinfo=timezone.utc)),
        ("10:04 am on 19 December 2023", datetime(2023, 12, 19, 10, 4, tzinfo=timezone.utc)),
    ],
)
def test_session_dates_parse_to_utc(text: str, expected: datetime) -> None:
    parsed = parse_session_date(text)
    assert parsed == expected
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text", ["", "8 May 2023", "13:00 pm on 8 May, 2023", "1:56 pm on 8 Mai, 2023", "1:56 pm on 31 April, 2023"]
)
def test_bad_session_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_session_date(text)


def test_turns_flatten_in_sample_session_turn_order() -> None:
    turns = flatten_turns(SAMPLES)
    assert [(t.sample_id, t.session, t.dia_id) for t in turns] == [
        ("conv-x", "session_1", "D1:1"),
        ("conv-x", "session_2", "D2:1"),
        ("conv-x", "session_2", "D2:2"),
        ("conv-x", "session_10", "D10:1"),
        ("conv-y", "session_1", "D1:1"),
    ]
    assert turns[2].text == "Here it is. [shares a photo: a photo of red roses]"
    assert turns[1].text == "Look at my garden."
    assert turns[2].speaker == "Ann"
    assert turns[2].timestamp == datetime(2023, 5, 8, 13, 56, tzinfo=timezone.utc)
    assert turns[3].timestamp == datetime(2024, 1, 1, 0, 5, tzinfo=timezone.utc)


def test_questions_skip_adversarial_ones() -> None:
    questions = flatten_questions(SAMPLES)
    assert [(q.sample_id, q.question, q.category) for q in questions] == [
        ("conv-x", "What does Ann grow?", 4),
        ("conv-x", "When did Bob greet?", 2),
        ("conv-y", "What day was it?", 1),
    ]
    assert questions[1].answer == "2023" and questions[0].evidence == ("D2:2",)


def test_request_batches_never_cross_a_session() -> None:
    batches = request_batches(flatten_turns(SAMPLES), 1) + request_batches(flatten_turns(SAMPLES), 32)
    assert [len(b) for b in batches] == [1, 1, 1, 1, 1] + [1, 2, 1, 1]
    assert all(len({(t.sample_id, t.session) for t in b}) == 1 for b in batches)


def test_percentiles_interpolate_like_numpy() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 50) == 2.5
    assert percentile(values, 95) == pytest.approx(3.85)
    assert percentile([7.0], 95) == 7.0
    assert summarize(values) == {"p50": 2.5, "p95": pytest.approx(3.85), "mean": 2.5, "min": 1.0, "max": 4.0}


def _bench(*args: str) -> dict[str, Any]:
    if not LOCOMO.exists():
        pytest.skip(f"{LOCOMO} is not here")
    cmd = [sys.executable, "-m", "graphmem.cli.main", "bench", *args, "--data", str(LOCOMO)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(results) == 1, done.stdout
    result: dict[str, Any] = json.loads(results[0].removeprefix("RESULT "))
    assert result["cpu_count"] >= 1 and "bench" in result["command"]
    assert result["server_stopped_cleanly"] is True
    return result


@pytest.mark.slow
def test_bench_ingest_reports_throughput() -> None:
    result = _bench("ingest", "--messages", "64", "--batch", "16")
    assert result["ok"] is True
    assert result["created"] == result["stored"] == result["messages"] == 64
    assert result["duplicates"] == 0
    assert result["requests"] >= 64 // 16
    assert result["http_msgs_per_s"] > 0 and result["embed_msgs_per_s"] > 0
    assert result["ratio"] == pytest.approx(result["http_msgs_per_s"] / result["embed_msgs_per_s"])


@pytest.mark.slow
def test_bench_search_reports_latency() -> None:
    result = _bench("search", "--messages", "64", "--queries", "10")
    assert result["ok"] is True
    assert result["created"] == result["stored"] == 64
    assert result["queries"] == 10
    assert result["mean_hits"] > 0
    for side in ("http_ms", "embed_ms"):
        assert result[side]["p95"] >= result[side]["p50"] > 0
    assert result["ratio_p50"] > 0 and result["ratio_p95"] > 0
