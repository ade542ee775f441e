"""Use cases, one per module. Services raise ``graphmem.errors``, never HTTP exceptions."""

from __future__ import annotations

from dataclasses import dataclass

from graphmem.services.context import ContextService
from graphmem.services.conversations import ConversationService
from graphmem.services.entities import EntityService
from graphmem.services.erasure import ErasureService
from graphmem.services.explore import ExploreService
from graphmem.services.health import HealthService
from graphmem.services.ingest import IngestService
from graphmem.services.keys import KeyService
from graphmem.services.lifecycle import MemoryService
from graphmem.services.portability import PortabilityService
from graphmem.services.queue import QueueService
from graphmem.services.relations import RelationService
from graphmem.services.search import SearchService
from graphmem.services.users import UserService

__all__ = [
    "Services",
    "ContextService",
    "ConversationService",
    "EntityService",
    "ErasureService",
    "ExploreService",
    "HealthService",
    "IngestService",
    "KeyService",
    "MemoryService",
    "PortabilityService",
    "QueueService",
    "RelationService",
    "SearchService",
    "UserService",
]


@dataclass(frozen=True, slots=True)
class Services:
    """What the API calls; built once by ``create_app``."""

    ingest: IngestService
    search: SearchService
    conversations: ConversationService
    health: HealthService
    entities: EntityService
    explore: ExploreService
    relations: RelationService
    context: ContextService
    users: UserService
    erasure: ErasureService
    portability: PortabilityService
    keys: KeyService
    queue: QueueService
    memories: MemoryService
