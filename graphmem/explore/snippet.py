"""A short piece of a message around the words that are a fact's evidence."""

from __future__ import annotations

__all__ = ["snippet"]

ELLIPSIS = "…"


def snippet(text: str, start: int | None, end: int | None, width: int = 80) -> str:
    """The span with up to ``width`` characters either side, cut at word boundaries and marked
    with an ellipsis where text was left out. Without a span, the start of the text."""
    if start is None or end is None or not 0 <= start <= end <= len(text):
        start, end = 0, 0
    left, right = max(0, start - width), min(len(text), end + width)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    piece = text[left:right].strip()
    return f"{ELLIPSIS if left > 0 else ''}{piece}{ELLIPSIS if right < len(text) else ''}"
