"""Client-side views of responses that ``graphmem.dto`` does not describe.

``Context`` extends the server's ``ContextResponse`` with ``degraded``, which only a fail-open
client sets, so everything the server sends still decodes into it.
"""

from __future__ import annotations

from graphmem.dto import ContextResponse, TokenCount

__all__ = ["Context", "empty_context"]


class Context(ContextResponse):
    # True only when a fail-open client could not reach the server and returned an empty context.
    degraded: bool = False


def empty_context(user_id: str, max_tokens: int | None) -> Context:
    """What a fail-open ``get_context`` returns when the server is down: nothing known, marked degraded."""
    tokens = TokenCount(method="approx-4chars", max_tokens=max_tokens or 1000, used=0)
    return Context(user_id=user_id, user=None, profile={}, memories=[], entities=[], recent=[], text="",
                   tokens=tokens, degraded=True)
