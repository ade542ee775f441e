"""LoCoMo-layout data as flat turns and questions: pure, no I/O but ``load_samples``.

Shared by the benchmarks: throughput and latency runs replay the turns, and a retrieval
benchmark can score the questions' evidence against the same ``dia_id``s.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

__all__ = [
    "Turn",
    "Question",
    "RETRIEVAL_CATEGORIES",
    "load_samples",
    "parse_session_date",
    "turn_text",
    "flatten_turns",
    "flatten_questions",
]

# 5 is adversarial: unanswerable, with no evidence to retrieve.
RETRIEVAL_CATEGORIES: tuple[int, ...] = (1, 2, 3, 4)

_MONTHS = {
    name: i
    for i, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"),
        start=1,
    )
}
# "1:56 pm on 8 May, 2023"
_SESSION_DATE = re.compile(
    r"^\s*(\d{1,2}):(\d{2})\s*([ap]m)\s+on\s+(\d{1,2})\s+([a-z]+),?\s+(\d{4})\s*$", re.IGNORECASE
)
_SESSION_KEY = re.compile(r"^session_(\d+)$")


@dataclass(frozen=True, slots=True)
class Turn:
    """One turn, addressed the way the benchmarks ingest it: user = sample, conversation = session."""

    sample_id: str
    session: str  # "session_N": the graphmem conversation id
    dia_id: str  # "D<session>:<turn>": the client id, and what evidence refers to
    speaker: str
    text: str  # the turn's text, with the shared photo's caption appended
    timestamp: datetime  # the session's date, UTC


@dataclass(frozen=True, slots=True)
class Question:
    sample_id: str
    question: str
    answer: str
    evidence: tuple[str, ...]  # raw dia_ids, possibly malformed
    category: int


def load_samples(path: str | Path) -> list[dict[str, Any]]:
    """Read a LoCoMo-layout JSON file: a list of samples."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of samples")
    return data


_DAY_DATE = re.compile(r"^\s*([a-z]+)-(\d{1,2})-(\d{4})\s*$", re.IGNORECASE)  # BEAM: "March-15-2024"


def parse_session_date(value: str) -> datetime:
    """Parse ``"1:56 pm on 8 May, 2023"`` (LoCoMo) or ``"March-15-2024"`` (BEAM) as UTC.

    Written without ``strptime`` so that the result does not depend on the locale.
    """
    day = _DAY_DATE.match(value)
    if day and day.group(1).lower() in _MONTHS:
        return datetime(int(day.group(3)), _MONTHS[day.group(1).lower()], int(day.group(2)), tzinfo=timezone.utc)
    m = _SESSION_DATE.match(value)
    if not m or m.group(5).lower() not in _MONTHS:
        raise ValueError(f"not a LoCoMo session date: {value!r}")
    hour, minute, ampm, day, month, year = m.groups()
    if not 1 <= int(hour) <= 12:
        raise ValueError(f"not a 12-hour clock time: {value!r}")
    h = int(hour) % 12 + (12 if ampm.lower() == "pm" else 0)
    return datetime(int(year), _MONTHS[month.lower()], int(day), h, int(minute), tzinfo=timezone.utc)


def turn_text(turn: Mapping[str, Any]) -> str:
    caption = turn.get("blip_caption")
    text = str(turn.get("text", ""))
    return f"{text} [shares a photo: {caption}]" if caption else text


def _sessions(conversation: Mapping[str, Any]) -> list[int]:
    found = (_SESSION_KEY.match(key) for key in conversation)
    return sorted(int(m.group(1)) for m in found if m)


def flatten_turns(samples: Iterable[Mapping[str, Any]]) -> list[Turn]:
    """All turns in order: sample by sample, session by session (numerically), turn by turn."""
    out: list[Turn] = []
    for sample in samples:
        conversation = sample["conversation"]
        for n in _sessions(conversation):
            ts = parse_session_date(conversation[f"session_{n}_date_time"])
            for turn in conversation[f"session_{n}"]:
                out.append(
                    Turn(
                        sample_id=str(sample["sample_id"]),
                        session=f"session_{n}",
                        dia_id=str(turn["dia_id"]),
                        speaker=str(turn["speaker"]),
                        text=turn_text(turn),
                        timestamp=ts,
                    )
                )
    return out


def flatten_questions(
    samples: Iterable[Mapping[str, Any]], categories: Sequence[int] = RETRIEVAL_CATEGORIES
) -> list[Question]:
    """The questions of the given categories, in file order."""
    out: list[Question] = []
    for sample in samples:
        for qa in sample.get("qa", ()):
            category = int(qa.get("category", 0))
            if category not in categories:
                continue
            out.append(
                Question(
                    sample_id=str(sample["sample_id"]),
                    question=str(qa["question"]),
                    answer=str(qa.get("answer", "")),
                    evidence=tuple(str(e) for e in qa.get("evidence", ())),
                    category=category,
                )
            )
    return out
