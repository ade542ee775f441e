"""``graphmem demo``: load the support dataset into the database and show what graphmem remembers.

One command against the embedded database (or ``GRAPHMEM_DATABASE_URL``): it imports the four
customers through the normal ingest path, then prints a few searches an agent would run, with
why each hit ranks where it does, and the customer context for one of them. Running it again
reuses what is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

from graphmem.errors import GraphmemError

if TYPE_CHECKING:  # the parser is built on every `graphmem` call: import rich late
    from rich.console import Console

__all__ = ["add_parser", "demo", "main_demo"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("demo", help="load a customer-support dataset and show example searches and a context")
    p.add_argument("--user-prefix", default="demo-", help="the customers are stored as <prefix><name> (default demo-)")
    p.add_argument("--data-dir", help="data directory of the embedded database (GRAPHMEM_DATA_DIR)")


def _show_search(console: Console, n: int, demo: Any, response: Any, prefix: str) -> None:
    from rich.markup import escape

    console.print(f"\n[bold]{n}. {escape(prefix + demo.user)}[/bold]: “{escape(demo.query)}”")
    console.print(f"   [dim]{escape(demo.point)}[/dim]")
    for rank, hit in enumerate(response.hits, start=1):
        channels = ", ".join(f"{name} #{c.rank}" for name, c in hit.why.channels.items())
        console.print(f"   {rank}. [cyan]{hit.timestamp:%d %b %Y}[/cyan] {escape(hit.speaker or hit.role or '')}: "
                      f"{escape(hit.text)}", highlight=False)
        console.print(f"      [dim]why: {escape(hit.why.fusion)} of {escape(channels)}"
                      f"{' · path ' + escape(' → '.join(hit.why.path)) if hit.why.path else ''}[/dim]", highlight=False)


def _show_context(console: Console, context: Any, query: str) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    console.print(f"\n[bold]Customer context[/bold] for {escape(context.user_id)}, query “{escape(query)}”:")
    for topic, facts in context.profile.items():
        shown = [f"{f.predicate} {f.value}" + ("" if f.current else " (past)") for f in facts[:6]]
        console.print(f"   [cyan]{escape(topic)}[/cyan]: {escape('; '.join(shown))}", highlight=False)
    console.print(Panel(escape(context.text), title=f"context text, {context.tokens.used} tokens", expand=False))


async def demo(settings: Any, *, user_prefix: str, console: Console, embedder: Any = None) -> int:
    """Load, search, show the context. Returns 1 if the dataset did not load whole."""
    from graphmem.app import open_runtime
    from graphmem.cli.console import import_summary_rows, print_failures, print_table, progress_bar
    from graphmem.cli.imports import finish_queued
    from graphmem.demo import CONTEXT_QUERY, load_demo, run_searches

    async with open_runtime(settings, embedder=embedder) as runtime:
        services = runtime.services
        with progress_bar("loading the demo dataset", len(_lines())) as advance:
            summary = await load_demo(services.ingest, user_prefix, advance)
        summary.jobs_finished = await finish_queued(runtime.runner)
        print_failures(summary, console)
        print_table("demo dataset", ["", ""], import_summary_rows(summary), console)
        console.print("\n[bold]Searches an agent might run[/bold] (top 3 of each)")
        for n, (search, response) in enumerate(await run_searches(services.search, user_prefix), start=1):
            _show_search(console, n, search, response, user_prefix)
        user, query = CONTEXT_QUERY
        context = await services.context.context(f"{user_prefix}{user}", query=query, conversation_id=None,
                                                 max_tokens=400, history=True, memories=3, recent=0)
        _show_context(console, context, query)
    return 1 if summary.failed else 0


def _lines() -> list[str]:
    from graphmem.demo import tour

    return tour.dataset_lines()


def main_demo(args: argparse.Namespace) -> int:
    from rich.console import Console

    from graphmem.cli.console import command_settings

    try:
        return asyncio.run(demo(command_settings(args.data_dir), user_prefix=args.user_prefix, console=Console()))
    except GraphmemError as exc:
        print(f"graphmem demo: {exc.message}", file=sys.stderr)
        return 2
