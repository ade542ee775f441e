from __future__ import annotations

from datetime import datetime, timezone

import pytest

from graphmem.extract.dates import resolve_date

ANCHOR = datetime(2024, 5, 10, 15, 30, tzinfo=timezone.utc)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday", (2024, 5, 9)),
        ("today", (2024, 5, 10)),
        ("last month", (2024, 4, 1)),
        ("next Friday", (2024, 5, 17)),
        ("last Friday", (2024, 5, 3)),
        ("last week", (2024, 4, 29)),
        ("two weeks ago", (2024, 4, 26)),
        ("3 years ago", (2021, 5, 10)),
        ("a couple of days ago", (2024, 5, 8)),
        ("on 7 May", (2024, 5, 7)),
        ("May 3rd, 2019", (2019, 5, 3)),
        ("in 2021", (2021, 1, 1)),
        ("in March", (2024, 3, 1)),
        ("next year", (2025, 1, 1)),
        ("2023-11-02", (2023, 11, 2)),
    ],
)
def test_resolves_against_the_anchor(text: str, expected: tuple[int, int, int]) -> None:
    resolved = resolve_date(text, ANCHOR)
    assert resolved is not None
    assert (resolved.year, resolved.month, resolved.day) == expected
    assert resolved.tzinfo == ANCHOR.tzinfo and resolved.hour == 0


@pytest.mark.parametrize("text", ["sometime", "the other day", "", "February 31"])
def test_unresolvable_phrases_give_none(text: str) -> None:
    assert resolve_date(text, ANCHOR) is None
