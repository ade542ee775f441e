"""Token counting for the context budget: a documented approximation, not a model's tokenizer.

Each run of letters and digits counts one token per four characters, rounded up; every other
non-space character counts one. Whitespace is free. For English this errs high against the BPE
tokenizers LLMs use (most words of up to four letters, and many longer ones, are one token
there), so a text within budget by this count is within budget for them too. The count is
additive over whitespace-joined pieces, which is what lets the renderer fill a budget line by line.
"""

from __future__ import annotations

import re

__all__ = ["TOKEN_METHOD", "count_tokens", "clip_to_tokens"]

TOKEN_METHOD = "approx-4chars: ceil(len/4) per run of letters/digits, 1 per other non-space character"

_PIECE = re.compile(r"\w+|[^\w\s]")
ELLIPSIS = "…"


def _cost(piece: str) -> int:
    return (len(piece) + 3) // 4


def count_tokens(text: str) -> int:
    return sum(_cost(p) for p in _PIECE.findall(text))


def clip_to_tokens(text: str, max_tokens: int) -> str:
    """``text`` if it fits, else its longest prefix that fits with an ellipsis added ("" if none does)."""
    if count_tokens(text) <= max_tokens:
        return text
    budget, end = max_tokens - 1, 0  # one token for the ellipsis
    for match in _PIECE.finditer(text):
        budget -= _cost(match.group())
        if budget < 0:
            break
        end = match.end()
    return text[:end].rstrip() + ELLIPSIS if end else ""
