"""The client API, declared once for both clients.

``Surface`` lists every operation as an ``Operation`` descriptor around a builder from
``memory``, ``graph`` or ``admin``. Read through a ``SyncRunner`` (``GraphmemClient``) the
attribute is a method returning the result; read through an ``AsyncRunner``
(``AsyncGraphmemClient``) it returns an awaitable. The builder's signature and docstring are
the method's, for type checkers (via ``ParamSpec``) and for ``help()`` alike.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Generic, ParamSpec, TypeVar, overload

from graphmem.client import admin, graph, memory
from graphmem.client.core import Call, Flow

__all__ = ["Operation", "SyncRunner", "AsyncRunner", "Surface"]

P = ParamSpec("P")
T = TypeVar("T")


class SyncRunner:
    fail_open: bool

    def _run(self, step: Call[T] | Flow[T]) -> T:
        raise NotImplementedError


class AsyncRunner:
    fail_open: bool

    async def _run(self, step: Call[T] | Flow[T]) -> T:
        raise NotImplementedError


class Operation(Generic[P, T]):
    def __init__(self, build: Callable[P, Call[T]] | Callable[P, Flow[T]]) -> None:
        self._build = build
        self.__doc__ = build.__doc__
        # help() and IDEs show the builder's parameters; its return (a Call) is an internal.
        self._signature = inspect.signature(build).replace(return_annotation=inspect.Signature.empty)

    @overload
    def __get__(self, client: None, owner: type) -> Operation[P, T]: ...

    @overload
    def __get__(self, client: SyncRunner, owner: type) -> Callable[P, T]: ...

    @overload
    def __get__(self, client: AsyncRunner, owner: type) -> Callable[P, Awaitable[T]]: ...

    def __get__(self, client: Any, owner: type) -> Any:
        if client is None:
            return self
        build = self._build

        @functools.wraps(build)
        def method(*args: P.args, **kwargs: P.kwargs) -> Any:
            return client._run(build(*args, **kwargs))

        method.__signature__ = self._signature  # type: ignore[attr-defined]
        return method


class Surface:
    """Every operation of the graphmem HTTP API (docs/api.md, docs/graph-api.md, docs/privacy.md)."""

    # conversations and memories
    add_messages = Operation(memory.add_messages)
    list_messages = Operation(memory.list_messages)
    delete_message = Operation(memory.delete_message)
    job = Operation(memory.job)
    wait_for_job = Operation(memory.wait_for_job)
    search = Operation(memory.search)
    get_context = Operation(memory.get_context)
    # the knowledge graph
    find_entities = Operation(graph.find_entities)
    get_entity = Operation(graph.get_entity)
    create_entity = Operation(graph.create_entity)
    update_entity = Operation(graph.update_entity)
    delete_entity = Operation(graph.delete_entity)
    neighbours = Operation(graph.neighbours)
    entity_path = Operation(graph.entity_path)
    mentions = Operation(graph.mentions)
    merges = Operation(graph.merges)
    merge_entities = Operation(graph.merge_entities)
    split_merge = Operation(graph.split_merge)
    find_relations = Operation(graph.find_relations)
    get_relation = Operation(graph.get_relation)
    create_relation = Operation(graph.create_relation)
    update_relation = Operation(graph.update_relation)
    delete_relation = Operation(graph.delete_relation)
    invalidate_relation = Operation(graph.invalidate_relation)
    # users, privacy and the server
    list_users = Operation(admin.list_users)
    get_user = Operation(admin.get_user)
    erase_user = Operation(admin.erase_user)
    export_user = Operation(admin.export_user)
    import_user = Operation(admin.import_user)
    status = Operation(admin.status)
    health = Operation(admin.health)
    ready = Operation(admin.ready)
