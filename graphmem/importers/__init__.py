"""Imports: sources (JSONL, LoCoMo-layout JSON, ChromaDB) turned into validated records, and the
runner that feeds them to the ingest service. See docs/import.md."""

from graphmem.importers.records import BadRecord, ImportRecord, Item
from graphmem.importers.runner import ImportSummary, Ingestor, run_import

__all__ = ["BadRecord", "ImportRecord", "Item", "ImportSummary", "Ingestor", "run_import"]
