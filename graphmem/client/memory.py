"""Operations on conversations and memories: ingest, ingest jobs, search and the customer context.

Each function builds a ``Call`` or a ``Flow``; the clients expose them as methods, so the
docstrings here are what ``help(client.search)`` shows.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import msgspec

from graphmem.client.core import Call, Flow, Pause, decoder, encode, path, query_params
from graphmem.client.errors import JobFailed, JobTimeout
from graphmem.client.structs import Context, empty_context
from graphmem.dto import (
    IngestRequest,
    IngestResponse,
    Job,
    MessageDeleted,
    MessageIn,
    MessagePage,
    SearchFilters,
    SearchRequest,
    SearchResponse,
)

__all__ = [
    "add_messages",
    "list_messages",
    "delete_message",
    "job",
    "wait_for_job",
    "search",
    "get_context",
]

Recipe = Literal["fast", "balanced", "deep"]


def _message(value: MessageIn | Mapping[str, Any]) -> MessageIn:
    return value if isinstance(value, MessageIn) else msgspec.convert(value, MessageIn)


def add_messages(user_id: str, conversation_id: str, messages: Sequence[MessageIn | Mapping[str, Any]], *,
                 wait: bool = False, wait_timeout: float = 60.0) -> Flow[IngestResponse]:
    """Store a batch of messages (1-256), whole or not at all. Messages are ``MessageIn`` structs or
    dicts with the same fields (``role`` and ``text`` required; ``client_id`` makes a retry safe).

    Without ``wait`` the server answers ``202`` at once: the messages are stored and
    ``result.job`` (``queued``) is the job that makes them searchable; see ``wait_for_job``.
    With ``wait=True`` it answers once they are searchable; if the server's own wait runs out
    first (it answers 202 then), this keeps polling the job for up to ``wait_timeout`` seconds.
    ``job`` is None when every message was a duplicate.
    """
    body = encode(IngestRequest(messages=[_message(m) for m in messages]))
    result: IngestResponse = yield Call(
        "POST", path("v1", "users", user_id, "conversations", conversation_id, "messages"),
        decoder(IngestResponse), query_params(wait=True if wait else None), body)
    if wait and result.job is not None and result.job.state != "done":
        finished = yield from wait_for_job(user_id, result.job.id, timeout=wait_timeout)
        result = msgspec.structs.replace(result, job=msgspec.structs.replace(result.job, state=finished.state))
    return result


def list_messages(user_id: str, conversation_id: str, *, cursor: str | None = None,
                  limit: int | None = None) -> Call[MessagePage]:
    """One page of a conversation's messages in time order; pass ``next_cursor`` back for the next."""
    return Call("GET", path("v1", "users", user_id, "conversations", conversation_id, "messages"),
                decoder(MessagePage), query_params(cursor=cursor, limit=limit))


def delete_message(user_id: str, message_id: int) -> Call[MessageDeleted]:
    """Delete one message and every row derived only from it."""
    return Call("DELETE", path("v1", "users", user_id, "messages", message_id), decoder(MessageDeleted))


def job(user_id: str, job_id: int) -> Call[Job]:
    """The state of an ingest job: ``queued``, ``running``, ``done`` or ``failed``."""
    return Call("GET", path("v1", "users", user_id, "jobs", job_id), decoder(Job))


def wait_for_job(user_id: str, job_id: int, *, timeout: float = 60.0, interval: float = 0.25) -> Flow[Job]:
    """Poll an ingest job until it is ``done`` (returned) or ``failed`` (``JobFailed``); after
    ``timeout`` seconds raise ``JobTimeout``. The interval doubles up to 2 s."""
    started = time.monotonic()
    while True:
        state: Job = yield job(user_id, job_id)
        if state.state == "done":
            return state
        if state.state == "failed":
            raise JobFailed(state)
        waited = time.monotonic() - started
        if waited >= timeout:
            raise JobTimeout(state, waited)
        yield Pause(min(interval, timeout - waited))
        interval = min(interval * 2, 2.0)


def search(user_id: str, query: str, *, limit: int = 10, recipe: Recipe | None = None,
           filters: SearchFilters | None = None, as_of: datetime | None = None,
           context_turns: int = 0) -> Call[SearchResponse]:
    """Search a user's memories. Every hit carries its ``why``: the rank and score in each channel."""
    body = SearchRequest(query=query, limit=limit, recipe=recipe, filters=filters, as_of=as_of,
                         context_turns=context_turns)
    return Call("POST", path("v1", "users", user_id, "memories", "search"), decoder(SearchResponse),
                body=encode(body))


def get_context(user_id: str, query: str | None = None, *, conversation_id: str | None = None,
                max_tokens: int | None = None, include_history: bool | None = None,
                memories: int | None = None, recent: int | None = None) -> Call[Context]:
    """What an agent should know about the user right now: profile facts, relevant memories,
    related entities, the recent turns, and all of it as one ``text`` block within ``max_tokens``
    (server default 1000). A fail-open client returns an empty context with ``degraded=True``
    when the server cannot be reached, times out or answers 5xx."""
    params = query_params(query=query, conversation_id=conversation_id, max_tokens=max_tokens,
                   include_history=include_history, memories=memories, recent=recent)
    return Call("GET", path("v1", "users", user_id, "context"), decoder(Context), params,
                fallback=functools.partial(empty_context, user_id, max_tokens))
