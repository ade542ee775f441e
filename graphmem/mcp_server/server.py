"""The MCP server: graphmem's memory as tools for an LLM, a thin layer over the async SDK client.

Every tool makes one SDK call and returns short text for the model plus the full result as
structured content. SDK errors become tool errors (``is_error``) carrying the server's message,
so the model can read what went wrong.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from graphmem import __version__
from graphmem.client import AsyncGraphmemClient, ClientError
from graphmem.dto import MessageIn, SearchFilters
from graphmem.mcp_server import render
from graphmem.mcp_server.settings import McpSettings

__all__ = ["build_server", "Message"]

INSTRUCTIONS = (
    "graphmem is the long-term memory of this assistant about its users. Call get_context before answering "
    "a user to recall what is known about them; call remember with what was said so it is known next time; "
    "use search_memory, find_entities and get_relations to look up specifics."
)

READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
UserId = Annotated[str | None, Field(description="The user the memory belongs to. Leave out if the server is pinned to one user.")]
ConversationId = Annotated[str | None, Field(description="The conversation (chat session) id, if known.")]


class Message(BaseModel):
    """One chat message to remember."""

    role: Literal["user", "assistant", "other"] = Field("user", description="Who said it: the user, the assistant, or another person.")
    text: str = Field(description="What was said, verbatim.", min_length=1)
    speaker: str | None = Field(None, description="The speaker's name, if known (e.g. 'Dana').")
    timestamp: datetime | None = Field(None, description="When it was said (RFC 3339); default now.")


def _result(text: str, value: object) -> CallToolResult:
    structured = msgspec.to_builtins(value)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def build_server(client: AsyncGraphmemClient, settings: McpSettings) -> MCPServer:
    """The MCP server for one SDK client. ``forget_user`` is registered only with ``allow_forget``."""
    server = MCPServer("graphmem", instructions=INSTRUCTIONS, version=__version__)

    def user(given: str | None) -> str:
        if settings.user_id is None:
            if not given:
                raise ToolError("user_id is required: say whose memory this is")
            return given
        if given and given != settings.user_id:
            raise ToolError(f"this memory server is pinned to one user; leave user_id out (got {given!r})")
        return settings.user_id

    async def call(request: Awaitable[Any]) -> Any:
        try:
            return await request
        except ClientError as exc:
            raise ToolError(f"graphmem: {exc}") from exc

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False))
    async def remember(
        messages: Annotated[list[Message], Field(description="The messages to store, oldest first (1-256).", min_length=1)],
        conversation_id: ConversationId = None,
        user_id: UserId = None,
    ) -> CallToolResult:
        """Store chat messages in the user's long-term memory. graphmem extracts people, places,
        preferences and facts from them (no LLM involved) so that later searches and contexts
        find them. Call it with what the user said that is worth keeping; it returns once the
        messages are searchable."""
        batch = [MessageIn(role=m.role, text=m.text, speaker=m.speaker, timestamp=m.timestamp) for m in messages]
        result = await call(client.add_messages(user(user_id), conversation_id or settings.conversation_id, batch,
                                                wait=True))
        return _result(render.stored(result), result)

    @server.tool(annotations=READ)
    async def search_memory(
        query: Annotated[str, Field(description="What to look for, in natural language.", min_length=1, max_length=2000)],
        limit: Annotated[int, Field(description="How many memories to return.", ge=1, le=50)] = 5,
        conversation_id: Annotated[str | None, Field(description="Only memories from this conversation.")] = None,
        user_id: UserId = None,
    ) -> CallToolResult:
        """Search the user's memories (past messages) by meaning and keywords. Returns the best
        matches with their date and speaker. Use it for specific questions ("what did they say
        about the refund?"); for a general briefing use get_context instead."""
        filters = SearchFilters(conversation_id=conversation_id) if conversation_id else None
        result = await call(client.search(user(user_id), query, limit=limit, filters=filters))
        return _result(render.hits(result), result)

    @server.tool(annotations=READ)
    async def get_context(
        query: Annotated[str | None, Field(description="The user's current question or topic, to pick relevant memories.")] = None,
        conversation_id: Annotated[str | None, Field(description="The current conversation, to include its recent turns.")] = None,
        max_tokens: Annotated[int, Field(description="Budget for the returned text.", ge=50, le=8000)] = 1000,
        user_id: UserId = None,
    ) -> CallToolResult:
        """Everything worth knowing about the user right now, as one text block ready to read:
        known facts about them (where they live, work, what they own or like), the memories most
        relevant to the query, related people and things, and the recent turns. Call it before
        answering a user. If memory is down it says so instead of failing."""
        result = await call(client.get_context(user(user_id), query, conversation_id=conversation_id,
                                               max_tokens=max_tokens))
        return _result(render.context(result), result)

    @server.tool(annotations=READ)
    async def find_entities(
        name: Annotated[str | None, Field(description="A name or part of one; typos are tolerated. Leave out to list the most mentioned.")] = None,
        type: Annotated[str | None, Field(description="Only this type: PERSON, GPE (place), ORG, PRODUCT, CONCEPT, ...")] = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 10,
        user_id: UserId = None,
    ) -> CallToolResult:
        """Find the people, places, organisations and things the user has talked about, with how
        often they were mentioned. Use it to check whether something is known and to get its id."""
        result = await call(client.find_entities(user(user_id), name, match="fuzzy" if name else None, type_=type,
                                                 limit=limit))
        return _result(render.entities(result), result)

    @server.tool(annotations=READ)
    async def get_relations(
        subject: Annotated[str | None, Field(description="Who or what the fact is about, by name ('user' is the user).")] = None,
        predicate: Annotated[str | None, Field(description="The kind of fact, e.g. lives_in, works_at, likes, has_pet.")] = None,
        object: Annotated[str | None, Field(description="The other side of the fact, by name or value.")] = None,
        include_history: Annotated[bool, Field(description="Also facts that are no longer true (e.g. a previous address).")] = False,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
        user_id: UserId = None,
    ) -> CallToolResult:
        """Look up facts from the user's knowledge graph as subject - predicate - object, with when
        they became true (and stopped being true). Only current facts unless include_history."""
        result = await call(client.find_relations(
            user(user_id), subject=subject, predicates=[predicate] if predicate else None, object_=object,
            include_history=include_history or None, limit=limit))
        return _result(render.relations(result), result)

    if settings.allow_forget:
        _add_forget(server, client, user, call)
    return server


def _add_forget(server: MCPServer, client: AsyncGraphmemClient, user: Callable[[str | None], str],
                call: Callable[[Awaitable[Any]], Awaitable[Any]]) -> None:
    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True))
    async def forget_user(
        confirm: Annotated[bool, Field(description="Must be true: the erasure cannot be undone.")],
        user_id: UserId = None,
    ) -> CallToolResult:
        """Permanently erase everything stored about a user (messages, memories, entities, facts),
        e.g. when they ask to be forgotten. It cannot be undone. Only use it on the user's
        explicit request."""
        if not confirm:
            raise ToolError("nothing erased: set confirm to true to erase the user for good")
        receipt = await call(client.erase_user(user(user_id)))
        return _result(render.erased(receipt), receipt)
