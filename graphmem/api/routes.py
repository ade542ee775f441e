"""HTTP routes: each handler takes a struct, makes one service call and returns a struct."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from graphmem.dto import (
    Health,
    IngestRequest,
    IngestResponse,
    MessageDeleted,
    MessagePage,
    Readiness,
    SearchRequest,
    SearchResponse,
)
from graphmem.limits import MAX_PAGE_SIZE
from graphmem.services import Services

__all__ = ["MessageController", "MessageItemController", "SearchController", "health", "ready"]


class MessageController(Controller):
    path = "/v1/users/{user_id:str}/conversations/{conversation_id:str}/messages"
    tags = ["messages"]

    @post("/", summary="Ingest a batch of messages")
    async def ingest(
        self,
        user_id: FromPath[str],
        conversation_id: FromPath[str],
        data: JSONBody[IngestRequest],
        services: NamedDependency[Services],
        wait: Annotated[
            bool, QueryParameter(description="answer once the messages are searchable (201), not at once (202)")
        ] = False,
    ) -> Response[IngestResponse]:
        """Stores the batch whole or not at all, with a job that makes it searchable; 202 points
        to the job to poll. Re-sent client ids are reported as duplicates (200 if all are)."""
        result = await services.ingest.ingest(user_id, conversation_id, data, wait=wait)
        if result.job is None:
            return Response(result, status_code=200)
        return Response(result, status_code=201 if result.job.state == "done" else 202)

    @get("/", summary="List a conversation's messages in time order")
    async def list_messages(
        self,
        user_id: FromPath[str],
        conversation_id: FromPath[str],
        services: NamedDependency[Services],
        cursor: Annotated[str | None, QueryParameter(description="next_cursor of the previous page")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 50,
    ) -> MessagePage:
        return await services.conversations.messages(user_id, conversation_id, cursor, limit)


class MessageItemController(Controller):
    path = "/v1/users/{user_id:str}/messages/{message_id:int}"
    tags = ["messages"]

    @delete("/", status_code=200, summary="Delete one message and every row derived only from it")
    async def delete_message(
        self, user_id: FromPath[str], message_id: FromPath[int], services: NamedDependency[Services]
    ) -> MessageDeleted:
        return await services.conversations.delete_message(user_id, message_id)


class SearchController(Controller):
    path = "/v1/users/{user_id:str}/memories"
    tags = ["memories"]

    @post("/search", status_code=200, summary="Search a user's memories", opt={"scope": "read"})
    async def search(
        self, user_id: FromPath[str], data: JSONBody[SearchRequest], services: NamedDependency[Services]
    ) -> SearchResponse:
        return await services.search.search(user_id, data)


@get("/health", tags=["health"], summary="Liveness", opt={"public": True})
async def health() -> Health:
    return Health(status="ok")


@get("/ready", tags=["health"], summary="Readiness: database and models up", opt={"public": True})
async def ready(services: NamedDependency[Services]) -> Response[Readiness]:
    state = await services.health.readiness()
    if state.ready:
        return Response(state)
    return Response(state, status_code=503, headers={"Retry-After": "5"})
