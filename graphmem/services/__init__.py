"""Use cases, one per module. Services raise ``graphmem.errors``, never HTTP exceptions."""

from __future__ import annotations

from dataclasses import dataclass

from graphmem.services.conversations import ConversationService
from graphmem.services.health import HealthService
from graphmem.services.ingest import IngestService
from graphmem.services.search import SearchService

__all__ = ["Services", "ConversationService", "HealthService", "IngestService", "SearchService"]


@dataclass(frozen=True, slots=True)
class Services:
    """What the API calls; built once by ``create_app``."""

    ingest: IngestService
    search: SearchService
    conversations: ConversationService
    health: HealthService
