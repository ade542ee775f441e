"""``graphmem import FILE`` and ``graphmem import-chroma DIR``: load conversations through the
normal ingest service, in-process (``open_runtime``, the server's own wiring, without HTTP),
with a progress bar and a summary. Re-running an import skips what is stored, so an interrupted import is resumed by
running it again. ``--dry-run`` parses and validates everything and writes nothing."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import TYPE_CHECKING, Any

from graphmem.errors import GraphmemError

if TYPE_CHECKING:  # the parser is built on every `graphmem` call: import the heavy parts late
    from rich.console import Console

    from graphmem.importers.runner import ImportSummary

__all__ = ["add_parsers", "import_file", "import_chroma", "finish_queued", "main_import", "main_import_chroma"]


def add_parsers(sub: Any) -> None:
    """Register ``import`` and ``import-chroma`` on the ``graphmem`` subparsers."""
    p = sub.add_parser("import", help="import conversations from JSONL (docs/import.md) or LoCoMo-layout JSON")
    p.add_argument("file", help="the file to import")
    p.add_argument("--format", default="auto", choices=["auto", "jsonl", "locomo"], help="default: guessed from the content")
    p.add_argument("--user", help="user id for lines that name none (JSONL)")
    _common(p)

    c = sub.add_parser("import-chroma", help="import a ChromaDB collection (needs graphmem[chroma])")
    c.add_argument("dir", help="the ChromaDB persistent directory")
    c.add_argument("--collection", required=True, help="the collection's name")
    c.add_argument("--user-field", default="user_id", help="metadata key holding the user id (default: user_id)")
    c.add_argument("--conversation-field", default="conversation_id", help="metadata key of the conversation id")
    c.add_argument("--role-field", default="role", help="metadata key of the role (user, assistant or other)")
    c.add_argument("--speaker-field", default="speaker", help="metadata key of the speaker's name")
    c.add_argument("--timestamp-field", default="timestamp", help="metadata key of the time (ISO 8601 or epoch seconds)")
    c.add_argument("--user", help="user id for entries without the user field")
    c.add_argument("--conversation", help="conversation id for entries without one (default: the collection name)")
    c.add_argument("--role", default="user", choices=["user", "assistant", "other"], help="role for entries without one")
    c.add_argument("--vectors", default="auto", choices=["auto", "reuse", "reembed"],
                   help="reuse the stored vectors (auto: when the collection's model is all-MiniLM-L6-v2)")
    _common(c)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user-prefix", default="", help="prepended to every user id")
    p.add_argument("--batch", type=int, help="messages per ingest call (default 64)")
    p.add_argument("--dry-run", action="store_true", help="parse, validate and count; write nothing")
    p.add_argument("--data-dir", help="data directory of the embedded database (GRAPHMEM_DATA_DIR)")


async def _ingest(items: Any, total: int, settings: Any, *, batch: int, dry_run: bool, embedder: Any = None,
                  vectors: Any = None, console: Console | None = None) -> ImportSummary:
    """Run the import against the services the server runs on, or none for a dry run."""
    from graphmem.cli.console import progress_bar
    from graphmem.importers.runner import DEFAULT_BATCH, run_import

    batch = batch or DEFAULT_BATCH
    label = "validating" if dry_run else "importing"
    if dry_run:
        with progress_bar(label, total, console) as advance:
            return await run_import(items, None, batch_size=batch, progress=advance)
    from graphmem.app import open_runtime

    async with open_runtime(settings, embedder=embedder) as runtime:
        with progress_bar(label, total, console) as advance:
            summary = await run_import(items, runtime.services.ingest, batch_size=batch, vectors=vectors,
                                       progress=advance)
        summary.jobs_finished = await finish_queued(runtime.runner)
        return summary


async def finish_queued(runner: Any) -> int:
    """Run the ingest jobs still queued, as ``graphmem worker --once`` would, and return how many.

    An interrupted import leaves stored messages whose job never ran; the re-run sees them as
    duplicates, and this is what makes them searchable without a server running.
    """
    from graphmem.services.worker import Worker

    worker = Worker(runner, stop_when_idle=True)
    await worker.run()
    return worker.processed


async def import_file(args: argparse.Namespace, settings: Any, *, embedder: Any = None,
                      console: Console | None = None) -> ImportSummary:
    """``embedder``: a loaded model to use instead of loading one (tests share theirs)."""
    from graphmem.importers.files import read_file
    from graphmem.importers.jsonl import Addressing

    start = time.perf_counter()
    items = list(read_file(args.file, args.format, Addressing(args.user, args.user_prefix)))
    parsed_s = time.perf_counter() - start
    summary = await _ingest(items, len(items), settings, batch=args.batch, dry_run=args.dry_run, embedder=embedder,
                            console=console)
    summary.seconds += parsed_s  # parsing counts; opening the database and loading the models do not
    return summary


async def import_chroma(args: argparse.Namespace, settings: Any, *, embedder: Any = None,
                        console: Console | None = None) -> ImportSummary:
    """Reuse or re-embed as ``--vectors`` says; reuse needs our model configured, as it is by default."""
    import anyio.to_thread
    from rich.console import Console

    from graphmem.embed.precomputed import PrecomputedEmbedder
    from graphmem.importers.chroma import ChromaOptions, model_matches, open_collection, read_chroma
    from graphmem.settings import DEFAULT_EMBEDDING_MODEL

    start = time.perf_counter()
    err = console or Console(stderr=True)
    collection = await anyio.to_thread.run_sync(open_collection, args.dir, args.collection)
    matches, why = model_matches(collection)
    ours = settings.embedding_model == DEFAULT_EMBEDDING_MODEL
    reuse = args.vectors == "reuse" or (args.vectors == "auto" and matches and ours)
    err.print(f"vectors: {'reuse the stored ones' if reuse else 're-embed'} ({why}"
              f"{'' if ours else f'; graphmem is configured with {settings.embedding_model!r}'}"
              f"{'' if args.vectors == 'auto' else f'; --vectors {args.vectors}'})", markup=False, highlight=False)
    options = ChromaOptions(args.user_field, args.conversation_field, args.role_field, args.speaker_field,
                            args.timestamp_field, args.user, args.conversation, args.role, args.user_prefix)
    total, items = await read_chroma(collection, options, reuse_vectors=reuse and not args.dry_run)
    ordered_s = time.perf_counter() - start
    vectors = None
    if reuse and not args.dry_run:
        vectors = PrecomputedEmbedder(embedder or await anyio.to_thread.run_sync(_load_model, settings))
    summary = await _ingest(items, total, settings, batch=args.batch, dry_run=args.dry_run,
                            embedder=vectors or embedder, vectors=vectors, console=console)
    summary.seconds += ordered_s  # the first pass over the collection counts, the startup does not
    return summary


def _load_model(settings: Any) -> Any:
    from graphmem.embed.sentence import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(settings.embedding_model, batch_size=settings.embedding_batch_size,
                                       threads=settings.torch_threads)


def _report(summary: ImportSummary, title: str) -> int:
    from rich.console import Console

    from graphmem.cli.console import import_summary_rows, print_failures, print_table

    print_failures(summary, Console(stderr=True))
    print_table(title, ["", ""], import_summary_rows(summary))
    return 1 if summary.failed else 0


def _main(run: Any, args: argparse.Namespace, title: str) -> int:
    from graphmem.cli.console import command_settings

    try:
        summary = asyncio.run(run(args, command_settings(args.data_dir)))
    except (OSError, ValueError) as exc:  # unreadable file, bad batch size
        print(f"graphmem import: {exc}", file=sys.stderr)
        return 2
    except GraphmemError as exc:  # missing extra or collection, database or model unusable
        print(f"graphmem import: {exc.message}", file=sys.stderr)
        return 2
    return _report(summary, title + (" (dry run: nothing written)" if args.dry_run else ""))


def main_import(args: argparse.Namespace) -> int:
    return _main(import_file, args, f"import {args.file}")


def main_import_chroma(args: argparse.Namespace) -> int:
    return _main(import_chroma, args, f"import {args.dir} collection {args.collection}")
