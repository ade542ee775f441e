"""``graphmem reembed``: give every memory a vector from the configured embedding model.

Run it after changing ``GRAPHMEM_EMBEDDING_MODEL`` (the new model must also make 384-dimension
vectors). Memories whose recorded model differs, or is unknown, are re-embedded in committed
batches; an interrupted run is resumed by running it again.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any, Sequence

from graphmem.errors import GraphmemError

if TYPE_CHECKING:  # the parser is built on every `graphmem` call: import the services late
    from graphmem.services.reembed import ReembedReport

__all__ = ["add_parser", "reembed", "main_reembed"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("reembed", help="re-embed memories made by another embedding model, resumably")
    p.add_argument("--batch", type=int, help="memories per committed batch (default 256)")
    p.add_argument("--user", action="append", dest="users", help="only this user's memories (repeatable)")
    p.add_argument("--dry-run", action="store_true", help="count the stale memories; change nothing")
    p.add_argument("--data-dir", help="data directory of the embedded database (GRAPHMEM_DATA_DIR)")


async def reembed(
    settings: Any, *, batch: int | None, users: Sequence[str] | None, dry_run: bool, embedder: Any = None
) -> tuple[int, ReembedReport | None]:
    """Return the number of stale memories found and, unless a dry run, the report.
    ``embedder``: the model to embed with instead of loading the configured one (tests)."""
    import anyio.to_thread

    from graphmem.cli.console import progress_bar
    from graphmem.services.reembed import DEFAULT_REEMBED_BATCH, ReembedService
    from graphmem.store.database import open_database

    if embedder is None:
        from graphmem.embed.sentence import SentenceTransformerEmbedder

        embedder = await anyio.to_thread.run_sync(lambda: SentenceTransformerEmbedder(
            settings.embedding_model, batch_size=settings.embedding_batch_size, threads=settings.torch_threads))
    db = await open_database(settings)
    try:
        service = ReembedService(db.engine, embedder, speaker_vectors=settings.speaker_vectors)  # owner engine: spans users
        stale = await service.pending(users)
        if dry_run or not stale:
            return stale, None
        with progress_bar(f"re-embedding with {service.model}", stale) as advance:
            report = await service.run(batch_size=batch or DEFAULT_REEMBED_BATCH, user_ids=users, progress=advance)
        return stale, report
    finally:
        await db.close()


def main_reembed(args: argparse.Namespace) -> int:
    from graphmem.cli.console import command_settings, print_table

    settings = command_settings(args.data_dir)
    try:
        stale, report = asyncio.run(reembed(settings, batch=args.batch, users=args.users, dry_run=args.dry_run))
    except GraphmemError as exc:
        print(f"graphmem reembed: {exc.message}", file=sys.stderr)
        return 2
    rows: list[tuple[str, object]] = [("model", settings.embedding_model), ("memories stale", stale)]
    if report is not None:
        rate = report.updated / report.seconds if report.seconds else 0.0
        rows += [("memories re-embedded", report.updated), ("batches committed", report.batches),
                 ("seconds", f"{report.seconds:.1f}"), ("memories/s", f"{rate:.1f}")]
    print_table("reembed" + (" (dry run: nothing changed)" if args.dry_run else ""), ["", ""], rows)
    return 0
