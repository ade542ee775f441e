"""``graphmem bench``: one module per command, each driving a real server over HTTP.

Exit codes: 0 when the run checks out, 1 when it ran but the server lost or refused
messages (or failed), 2 for bad arguments or data, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys

import httpx

from graphmem.bench.server import ServerError

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    """Dispatch ``args.bench`` ("ingest", "search" or "extract") and turn failures into exit codes."""
    from graphmem.bench.erasure import run_erasure
    from graphmem.bench.extract import run_extract
    from graphmem.bench.ingest import run_ingest
    from graphmem.bench.load import run_load
    from graphmem.bench.retrieval import run_retrieval
    from graphmem.bench.scale import run_scale
    from graphmem.bench.search import run_search

    commands = {"ingest": run_ingest, "search": run_search, "extract": run_extract, "retrieval": run_retrieval,
                "erasure": run_erasure, "scale": run_scale, "load": run_load}
    if args.bench not in commands:
        print(f"graphmem bench: unknown benchmark {args.bench!r}", file=sys.stderr)
        return 2
    try:
        return commands[args.bench](args)
    except (OSError, ValueError, KeyError) as exc:  # unreadable or malformed data, bad arguments
        print(f"graphmem bench: {exc}", file=sys.stderr)
        return 2
    except (ServerError, httpx.HTTPError) as exc:
        detail = exc.response.text[:2000] if isinstance(exc, httpx.HTTPStatusError) else ""
        print(f"graphmem bench: {exc}\n{detail}".rstrip(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("graphmem bench: interrupted", file=sys.stderr)
        return 130
