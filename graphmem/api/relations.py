"""Relation routes: query a user's facts by subject, predicate, object and time, and correct them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from graphmem.dto import InvalidateRequest, RelationCreate, RelationDetail, RelationOut, RelationPage, RelationUpdate
from graphmem.limits import MAX_NAME_CHARS, MAX_PAGE_SIZE
from graphmem.services import Services
from graphmem.services.relations import RelationQuery

__all__ = ["RelationController"]

Name = Annotated[str | None, QueryParameter(min_length=1, max_length=MAX_NAME_CHARS, description="name or alias")]


class RelationController(Controller):
    path = "/v1/users/{user_id:str}/relations"
    tags = ["relations"]

    @get("/", summary="Query facts; current ones unless as_of or include_history says otherwise")
    async def find(
        self,
        user_id: FromPath[str],
        services: NamedDependency[Services],
        subject_id: Annotated[int | None, QueryParameter(description="the subject entity's id")] = None,
        subject: Name = None,
        predicate: Annotated[list[str] | None, QueryParameter(description="repeat to allow several")] = None,
        object_id: Annotated[int | None, QueryParameter(description="the object entity's id")] = None,
        object: Annotated[str | None, QueryParameter(min_length=1, max_length=MAX_NAME_CHARS, description="entity name or literal value")] = None,
        polarity: Annotated[Literal[1, -1] | None, QueryParameter(description="-1 for negated facts")] = None,
        source: Annotated[Literal["extracted", "manual"] | None, QueryParameter(description="who stated it")] = None,
        as_of: Annotated[datetime | None, QueryParameter(description="facts valid at this moment")] = None,
        include_history: Annotated[bool, QueryParameter(description="also facts that have ended")] = False,
        cursor: Annotated[str | None, QueryParameter(description="next_cursor of the previous page")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 50,
    ) -> RelationPage:
        query = RelationQuery(
            subject_id, subject, predicate, object_id, object, polarity, source, as_of, include_history
        )
        return await services.relations.find(user_id, query, cursor, limit)

    @post("/", summary="Add a fact by hand (source: manual)")
    async def create(self, user_id: FromPath[str], data: JSONBody[RelationCreate], services: NamedDependency[Services]) -> RelationOut:
        return await services.relations.create(user_id, data)

    @get("/{relation_id:int}", summary="One fact with its provenance")
    async def get_relation(self, user_id: FromPath[str], relation_id: FromPath[int], services: NamedDependency[Services]) -> RelationDetail:
        return await services.relations.get(user_id, relation_id)

    @patch("/{relation_id:int}", summary="Correct a fact")
    async def update(
        self, user_id: FromPath[str], relation_id: FromPath[int], data: JSONBody[RelationUpdate], services: NamedDependency[Services]
    ) -> RelationOut:
        return await services.relations.update(user_id, relation_id, data)

    @delete("/{relation_id:int}", summary="Delete a fact")
    async def delete_relation(self, user_id: FromPath[str], relation_id: FromPath[int], services: NamedDependency[Services]) -> None:
        await services.relations.delete(user_id, relation_id)

    @post("/{relation_id:int}/invalidate", status_code=200, summary="End a fact now (or at a given time)")
    async def invalidate(
        self,
        user_id: FromPath[str],
        relation_id: FromPath[int],
        services: NamedDependency[Services],
        data: JSONBody[InvalidateRequest | None] = None,
    ) -> RelationOut:
        return await services.relations.invalidate(user_id, relation_id, data.at if data else None)
