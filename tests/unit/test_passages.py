"""Splitting long messages into passages: pure."""

from graphmem.retrieve.documents import passages


def test_short_text_is_not_split() -> None:
    assert passages("Short message.", 1000) == []
    assert passages("x" * 5000, 0) == []


def test_spans_cover_the_text_and_cut_at_sentence_ends() -> None:
    text = " ".join(f"Sentence number {i} says something useful." for i in range(120))
    spans = passages(text, 400)
    assert len(spans) > 1 and all(end - start <= 400 for start, end in spans)
    covered = "".join(text[s:e] for s, e in spans)
    assert covered.replace(" ", "") == text.replace(" ", "")  # nothing lost but the spaces between
    assert all(text[e - 1] == "." for _, e in spans[:-1])  # each cut after a sentence


def test_a_text_without_breaks_is_cut_at_the_size() -> None:
    assert passages("a" * 1000, 400) == [(0, 400), (400, 800), (800, 1000)]
