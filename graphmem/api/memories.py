"""Routes for one memory's lifecycle: change kind, importance or expiry; archive; delete."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, patch
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from graphmem.dto import MemoryState, MemoryUpdate
from graphmem.services import Services

__all__ = ["MemoryItemController"]


class MemoryItemController(Controller):
    path = "/v1/users/{user_id:str}/memories/{memory_id:int}"
    tags = ["memories"]

    @patch("/", summary="Change a memory's kind, importance or expiry, or archive / restore it")
    async def update(
        self, user_id: FromPath[str], memory_id: FromPath[int], data: JSONBody[MemoryUpdate],
        services: NamedDependency[Services],
    ) -> MemoryState:
        return await services.memories.update(user_id, memory_id, data)

    @delete("/", status_code=200, summary="Delete a memory, or archive it (kept, out of retrieval)")
    async def remove(
        self, user_id: FromPath[str], memory_id: FromPath[int], services: NamedDependency[Services],
        archive: Annotated[bool, QueryParameter(description="archive instead of delete")] = False,
    ) -> Response[MemoryState | None]:
        state = await services.memories.delete(user_id, memory_id, archive=archive)
        return Response(state, status_code=200 if state is not None else 204)
