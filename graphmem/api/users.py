"""Routes for the customer context, the user list and the server status."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from graphmem.dto import ContextResponse, ErasureReceipt, Status, UserDetail, UserPage
from graphmem.limits import MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_SEARCH_LIMIT
from graphmem.services import Services

__all__ = ["UserController", "ContextController", "status"]

MAX_CONTEXT_TOKENS = 32_000
MAX_RECENT = 100


class UserController(Controller):
    path = "/v1/users"
    tags = ["users"]

    @get("/", summary="List users in user_id order (admin: it spans every user)", opt={"scope": "admin"})
    async def list_users(
        self,
        services: NamedDependency[Services],
        cursor: Annotated[str | None, QueryParameter(description="next_cursor of the previous page")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 50,
    ) -> UserPage:
        return await services.users.list_users(cursor, limit)

    @get("/{user_id:str}", summary="One user's counts and first/last seen")
    async def get_user(self, user_id: FromPath[str], services: NamedDependency[Services]) -> UserDetail:
        return await services.users.get(user_id)

    @delete("/{user_id:str}", status_code=200, summary="Erase everything stored about a user; returns a receipt",
            opt={"scope": "admin"})
    async def erase(self, user_id: FromPath[str], services: NamedDependency[Services]) -> ErasureReceipt:
        """One transaction over every table keyed by user_id; repeating it is safe."""
        return await services.erasure.erase(user_id)


class ContextController(Controller):
    path = "/v1/users/{user_id:str}/context"
    tags = ["context"]

    @get("/", summary="What a support agent should know about this user right now")
    async def context(
        self,
        user_id: FromPath[str],
        services: NamedDependency[Services],
        text: Annotated[
            str | None, QueryParameter(name="query", min_length=1, max_length=MAX_QUERY_CHARS, description="what the customer asks")
        ] = None,
        conversation_id: Annotated[str | None, QueryParameter(description="for the recent turns")] = None,
        max_tokens: Annotated[int, QueryParameter(ge=1, le=MAX_CONTEXT_TOKENS, description="budget of `text`")] = 1000,
        include_history: Annotated[bool, QueryParameter(description="also past facts in the profile")] = False,
        memories: Annotated[int, QueryParameter(ge=1, le=MAX_SEARCH_LIMIT)] = 8,
        recent: Annotated[int, QueryParameter(ge=0, le=MAX_RECENT)] = 10,
    ) -> ContextResponse:
        return await services.context.context(
            user_id,
            query=text,
            conversation_id=conversation_id,
            max_tokens=max_tokens,
            history=include_history,
            memories=memories,
            recent=recent,
        )


@get("/v1/status", tags=["status"], summary="Versions, model names, database mode and counts")
async def status(services: NamedDependency[Services]) -> Status:
    return await services.users.status()
