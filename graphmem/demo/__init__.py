"""``graphmem demo``: a customer-support dataset written for graphmem, and a short tour of it.

``support.jsonl`` (package data, in the import format of docs/import.md) holds four customers of
an online coffee-and-kitchen shop over February to April 2025: 15 tickets, 165 messages, with
orders, a move to another city, changing preferences, refunds and a warranty claim.
"""

from graphmem.demo.tour import (
    CONTEXT_QUERY,
    DATASET,
    SEARCHES,
    DemoSearch,
    load_demo,
    run_searches,
)

__all__ = ["DATASET", "SEARCHES", "CONTEXT_QUERY", "DemoSearch", "load_demo", "run_searches"]
