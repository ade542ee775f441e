"""Entity routes: search and browse a user's graph, and correct it by hand."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from graphmem.dto import (
    EntityCreate,
    EntityDeleted,
    EntityDetail,
    EntityPage,
    EntityPath,
    EntityUpdate,
    MentionPage,
    MergeList,
    MergeOut,
    MergeRequest,
    Neighbourhood,
    SplitOut,
)
from graphmem.limits import MAX_NAME_CHARS, MAX_PAGE_SIZE
from graphmem.services import Services
from graphmem.services.explore import MAX_DEPTH, MAX_PATH_HOPS

__all__ = ["EntityController"]

Cursor = Annotated[str | None, QueryParameter(description="next_cursor of the previous page")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)]
Predicates = Annotated[list[str] | None, QueryParameter(name="predicate", description="repeat to allow several")]
History = Annotated[bool, QueryParameter(name="include_history", description="also walk facts that have ended")]


class EntityController(Controller):
    path = "/v1/users/{user_id:str}/entities"
    tags = ["entities"]

    @get("/", summary="List or search a user's entities")
    async def search(
        self,
        user_id: FromPath[str],
        services: NamedDependency[Services],
        q: Annotated[str | None, QueryParameter(min_length=1, max_length=MAX_NAME_CHARS, description="name or alias")] = None,
        match: Annotated[Literal["prefix", "fuzzy"], QueryParameter(description="how q matches")] = "prefix",
        type_: Annotated[str | None, QueryParameter(name="type", description="e.g. PERSON")] = None,
        min_mentions: Annotated[int, QueryParameter(ge=0)] = 0,
        sort: Annotated[Literal["mentions", "recent"], QueryParameter()] = "mentions",
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> EntityPage:
        return await services.entities.search(
            user_id, q=q, match=match, type_=type_, min_mentions=min_mentions, sort=sort, cursor=cursor, limit=limit
        )

    @post("/", summary="Create an entity by hand")
    async def create(self, user_id: FromPath[str], data: JSONBody[EntityCreate], services: NamedDependency[Services]) -> EntityDetail:
        return await services.entities.create(user_id, data)

    @get("/{entity_id:int}", summary="One entity: aliases, mentions, first/last seen, strongest relations")
    async def get_entity(self, user_id: FromPath[str], entity_id: FromPath[int], services: NamedDependency[Services]) -> EntityDetail:
        return await services.entities.get(user_id, entity_id)

    @patch("/{entity_id:int}", summary="Rename or update an entity")
    async def update(
        self, user_id: FromPath[str], entity_id: FromPath[int], data: JSONBody[EntityUpdate], services: NamedDependency[Services]
    ) -> EntityDetail:
        return await services.entities.update(user_id, entity_id, data)

    @delete("/{entity_id:int}", status_code=200, summary="Delete an entity with its aliases, mentions and relations")
    async def delete_entity(self, user_id: FromPath[str], entity_id: FromPath[int], services: NamedDependency[Services]) -> EntityDeleted:
        return await services.entities.delete(user_id, entity_id)

    @get("/{entity_id:int}/neighbours", summary="Entities within a few hops")
    async def neighbours(
        self,
        user_id: FromPath[str],
        entity_id: FromPath[int],
        services: NamedDependency[Services],
        depth: Annotated[int, QueryParameter(ge=1, le=MAX_DEPTH)] = 1,
        predicate: Predicates = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 50,
        history: History = False,
    ) -> Neighbourhood:
        return await services.explore.neighbours(
            user_id, entity_id, depth=depth, predicates=predicate, limit=limit, history=history
        )

    @get("/{entity_id:int}/path", summary="The shortest path to another entity")
    async def shortest_path(
        self,
        user_id: FromPath[str],
        entity_id: FromPath[int],
        to: Annotated[int, QueryParameter(description="the target entity id")],
        services: NamedDependency[Services],
        max_hops: Annotated[int, QueryParameter(ge=1, le=MAX_PATH_HOPS)] = 4,
        predicate: Predicates = None,
        history: History = False,
    ) -> EntityPath:
        return await services.explore.path(
            user_id, entity_id, to, max_hops=max_hops, predicates=predicate, history=history
        )

    @get("/{entity_id:int}/mentions", summary="The memories and messages that mention an entity, newest first")
    async def mentions(
        self,
        user_id: FromPath[str],
        entity_id: FromPath[int],
        services: NamedDependency[Services],
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> MentionPage:
        return await services.entities.mentions(user_id, entity_id, cursor, limit)

    @get("/{entity_id:int}/merges", summary="The merges into this entity, newest first")
    async def merges(self, user_id: FromPath[str], entity_id: FromPath[int], services: NamedDependency[Services]) -> MergeList:
        return await services.entities.merges(user_id, entity_id)

    @post("/{entity_id:int}/merges", summary="Merge another entity into this one (logged; a split undoes it)")
    async def merge(
        self, user_id: FromPath[str], entity_id: FromPath[int], data: JSONBody[MergeRequest], services: NamedDependency[Services]
    ) -> MergeOut:
        return await services.entities.merge(user_id, entity_id, data.merged_id)

    @post("/{entity_id:int}/merges/{merge_id:int}/split", status_code=200, summary="Undo a merge")
    async def split(
        self, user_id: FromPath[str], entity_id: FromPath[int], merge_id: FromPath[int], services: NamedDependency[Services]
    ) -> SplitOut:
        return await services.entities.split(user_id, entity_id, merge_id)
