"""Load the demo dataset through the ingest service, and the questions that show what it remembers.

The searches are data: each names a customer, an agent's question, and a phrase the best hit
should contain, so the tour and its test ask exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Callable

from graphmem.dto import SearchRequest, SearchResponse
from graphmem.importers.jsonl import Addressing, parse_lines
from graphmem.importers.runner import ImportSummary, Ingestor, run_import
from graphmem.services.search import SearchService

__all__ = ["DATASET", "DemoSearch", "SEARCHES", "CONTEXT_QUERY", "load_demo", "run_searches", "dataset_lines"]

DATASET: Traversable = files("graphmem.demo") / "support.jsonl"


@dataclass(frozen=True, slots=True)
class DemoSearch:
    user: str  # without the prefix the demo was loaded under
    query: str
    expect: str  # a phrase the top hit contains
    point: str  # what the hit shows, for the reader


SEARCHES: tuple[DemoSearch, ...] = (
    DemoSearch("maya-chen", "what is the customer's shipping address?", "Denver",
               "she moved from Austin in February: the hit is the new address"),
    DemoSearch("tom-okafor", "how much was refunded for the boots?", "$129",
               "the amount, from the ticket where the refund was decided"),
    DemoSearch("priya-nair", "is she allergic to anything?", "hazelnut",
               "a health fact said once, in passing, weeks ago"),
    DemoSearch("priya-nair", "where do we deliver Priya's coffee?", "Cascade Health",
               "the office address she asked for before her trip, not the flat"),
    DemoSearch("lucas-moreau", "who handles ordering for the café now?", "Elena Rossi",
               "the new contact person, not the owner who opened the account"),
)
# The customer context a support agent's tool would fetch when Maya writes in again.
CONTEXT_QUERY = ("maya-chen", "my replacement has not arrived")


def dataset_lines() -> list[str]:
    return DATASET.read_text(encoding="utf-8").splitlines()


async def load_demo(
    ingest: Ingestor | None, user_prefix: str = "demo-", progress: Callable[[int], None] = lambda n: None
) -> ImportSummary:
    """Import the dataset for users ``<user_prefix><customer>``; loading it again creates nothing."""
    items = list(parse_lines(dataset_lines(), Addressing(user_prefix=user_prefix), name="support.jsonl"))
    return await run_import(items, ingest, progress=progress)


async def run_searches(
    search: SearchService, user_prefix: str = "demo-", limit: int = 3
) -> list[tuple[DemoSearch, SearchResponse]]:
    return [(s, await search.search(f"{user_prefix}{s.user}", SearchRequest(query=s.query, limit=limit)))
            for s in SEARCHES]
