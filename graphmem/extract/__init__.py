"""Entity and relation extraction from chat messages, with no LLM.

Importing this package does not import spaCy: ``SpacyExtractor`` loads it on first use.
"""

from __future__ import annotations

from .dates import resolve_date
from .fake import FakeExtractor
from .normalize import entity_key
from .pipeline import SpacyExtractor
from .predicates import PII_PREDICATES, PREDICATES, SINGLE_VALUED
from .render import extraction_to_json
from .types import EntityMention, Extraction, Extractor, Relation, Utterance

__all__ = [
    "Utterance",
    "EntityMention",
    "Relation",
    "Extraction",
    "Extractor",
    "SpacyExtractor",
    "FakeExtractor",
    "entity_key",
    "resolve_date",
    "extraction_to_json",
    "PREDICATES",
    "SINGLE_VALUED",
    "PII_PREDICATES",
]
