"""How a benchmark reports: a plain-text table for people, then one ``RESULT {json}`` line for tools.

Every report starts with the exact command and the machine, since figures mean nothing without them.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
from typing import Any, Sequence

__all__ = ["environment", "print_header", "print_table", "print_result"]


def environment() -> dict[str, Any]:
    """The command line and the machine, as they go into the RESULT line."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    return {
        "command": shlex.join(sys.argv),
        "cwd": os.getcwd(),
        "cpu_count": os.cpu_count() or 0,
        "cpus_usable": usable,
        "python": platform.python_version(),
        "loadavg_start": _loadavg(),
    }


def _loadavg() -> list[float]:
    """Other processes share these cores; a busy machine explains noisy figures."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def print_header(title: str, env: dict[str, Any], settings: Sequence[tuple[str, object]]) -> None:
    print(f"graphmem bench {title}")
    print(f"  command : {env['command']}")
    print(f"  cwd     : {env['cwd']}")
    print(f"  cpus    : {env['cpu_count']} (usable: {env['cpus_usable']}), Python {env['python']}")
    print(f"  load    : {env['loadavg_start']} (1, 5, 15 min, at start)")
    for name, value in settings:
        print(f"  {name:<8}: {value}")
    print(flush=True)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Left-aligned first column, right-aligned figures."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        first, rest = row[0].ljust(widths[0]), [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        return "  ".join([first, *rest]).rstrip()

    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
    print(flush=True)


def print_result(payload: dict[str, Any]) -> None:
    payload = payload | {"loadavg_end": _loadavg()}
    print(f"load at end: {payload['loadavg_end']}")
    print("RESULT " + json.dumps(payload, sort_keys=True), flush=True)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)
