"""Token counting, clipping and filling the context text within a budget."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from graphmem.context.profile import group_profile, topic_of
from graphmem.context.render import Section, fit
from graphmem.context.tokens import clip_to_tokens, count_tokens
from graphmem.dto import ProfileFact


def test_count_tokens_is_documented_arithmetic() -> None:
    assert count_tokens("") == 0 and count_tokens("   \n ") == 0
    assert count_tokens("I am ok") == 3
    assert count_tokens("customer") == 2  # 8 letters: two tokens
    assert count_tokens("hello, world!") == 2 + 1 + 2 + 1
    assert count_tokens("a\nb") == count_tokens("a") + count_tokens("b")


@pytest.mark.parametrize("budget", [0, 1, 2, 5, 9, 50])
def test_clip_fits_the_budget(budget: int) -> None:
    text = "The replacement standing desk has not arrived at the Seattle address yet."
    clipped = clip_to_tokens(text, budget)
    assert count_tokens(clipped) <= budget
    if clipped and clipped != text:
        assert clipped.endswith("…") and text.startswith(clipped[:-1])


def test_fit_fills_sections_in_order_and_never_overflows() -> None:
    sections = [
        Section("Profile:", ["- lives in: Seattle", "- works at: Globex"]),
        Section("Memories:", ["- " + "word " * 50]),
        Section("Empty:", []),
        Section("Recent:", ["user: hi"]),
    ]
    whole = fit(sections, 10_000)
    assert whole.splitlines()[0] == "Profile:" and "Empty:" not in whole and whole.endswith("user: hi")
    for budget in range(0, 120):
        text = fit(sections, budget)
        assert count_tokens(text) <= budget, budget
    small = fit(sections, 12)
    assert small.startswith("Profile:\n- lives in: Seattle") and "Memories:" not in small


def _fact(i: int, predicate: str, current: bool = True, day: int = 1) -> ProfileFact:
    ts = datetime(2024, 1, day, tzinfo=timezone.utc)
    return ProfileFact(i, predicate, f"v{i}", None, 1, 0.85, ts, None if current else ts, current, "extracted")


def test_profile_topics_are_ordered_and_current_first() -> None:
    grouped = group_profile(
        [_fact(1, "likes"), _fact(2, "lives_in", current=False), _fact(3, "lives_in", day=5), _fact(4, "sings"), _fact(5, "name")]
    )
    assert list(grouped) == ["identity", "location", "preferences", "other"]
    assert [f.relation_id for f in grouped["location"]] == [3, 2]
    assert topic_of("allergic_to") == "allergies" and topic_of("ordered") == "purchases"
