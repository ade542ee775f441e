"""The fenced code blocks of README.md and docs/*.md, and what the docs test does with each.

The conventions are written down for doc authors in docs/contributing-docs.md; this module is
their one implementation. It is pure: it reads Markdown text and classifies blocks, and the
checks that need no server (JSON, YAML) live here too. Running bash and Python is the test's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

__all__ = [
    "PARSED",
    "RUN_BASH",
    "RUN_PYTHON",
    "SHOWN",
    "Snippet",
    "check_json",
    "check_yaml",
    "collect",
    "curl_without_fail",
    "never_run",
    "parse_markdown",
    "point_at",
]

RUN_BASH = frozenset({"bash", "sh"})
RUN_PYTHON = frozenset({"python"})
PARSED = frozenset({"json", "yaml"})
SHOWN = frozenset({"text", "console", "mermaid"})  # output, trees, diagrams: read, never run
MARKER_KEYS = frozenset({"not-tested", "schema"})

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
_MARKER = re.compile(r"^\s*<!--\s*(?P<key>[a-z][a-z-]*)\s*:\s*(?P<value>.*?)\s*-->\s*$")
_SERVER = re.compile(r"(?:localhost|127\.0\.0\.1):8420\b")


@dataclass(frozen=True, slots=True)
class Snippet:
    path: str  # relative to the repository root, e.g. "docs/api.md"
    line: int  # 1-based line of the opening fence
    lang: str  # the first word of the info string, lower case; "" if none
    code: str  # the body, with the fence's indentation removed
    markers: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"

    def problem(self) -> str | None:
        """Why this block breaks the conventions, or None."""
        unknown = set(self.markers) - MARKER_KEYS
        if unknown:
            return f"unknown marker(s) {sorted(unknown)}; known: {sorted(MARKER_KEYS)}"
        if "not-tested" in self.markers:
            return None if self.markers["not-tested"] else "`not-tested:` needs a reason"
        if "schema" in self.markers and self.lang != "json":
            return "`schema:` applies to json blocks only"
        if self.lang in RUN_BASH | RUN_PYTHON | PARSED | SHOWN:
            return None
        return (
            f"a ```{self.lang or '(no language)'} block can be neither run nor parsed: give it a language "
            f"the docs test runs ({sorted(RUN_BASH | RUN_PYTHON | PARSED)}), a shown-only one "
            f"({sorted(SHOWN)}), or a `<!-- not-tested: reason -->` line above it"
        )


def _markers(lines: list[str], fence_index: int) -> dict[str, str]:
    """The `<!-- key: value -->` lines right above a fence (blank lines in between allowed)."""
    found: dict[str, str] = {}
    i = fence_index - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    while i >= 0 and (m := _MARKER.match(lines[i])):
        found.setdefault(m["key"], m["value"])
        i -= 1
    return found


def parse_markdown(text: str, path: str) -> list[Snippet]:
    lines = text.splitlines()
    snippets: list[Snippet] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            closing = _FENCE.match(lines[j])
            if closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence) \
                    and not closing["info"].strip():
                break
            line = lines[j]
            body.append(line[indent:] if line[:indent].isspace() or not indent else line.lstrip())
            j += 1
        info = opening["info"].strip().split()
        snippets.append(Snippet(path, i + 1, info[0].lower() if info else "", "\n".join(body) + "\n",
                                _markers(lines, i)))
        i = j + 1
    return snippets


def collect(root: Path) -> list[Snippet]:
    """Every fenced block of README.md and docs/*.md, in file order."""
    files = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return [s for f in files for s in parse_markdown(f.read_text(encoding="utf-8"), f.relative_to(root).as_posix())]


def _fields_missing(raw: Any, value: Any, where: str = "$") -> list[str]:
    """Keys of the example that the struct does not have (msgspec ignores them on responses)."""
    if isinstance(value, msgspec.Struct) and isinstance(raw, dict):
        names = dict(zip(value.__struct_encode_fields__, value.__struct_fields__))
        missing = [f"{where}.{k}" for k in raw if k not in names]
        for key, name in names.items():
            if key in raw:
                missing += _fields_missing(raw[key], getattr(value, name), f"{where}.{key}")
        return missing
    if isinstance(value, list) and isinstance(raw, list):
        return [m for n, (r, v) in enumerate(zip(raw, value)) for m in _fields_missing(r, v, f"{where}[{n}]")]
    if isinstance(value, dict) and isinstance(raw, dict):
        return [m for k, v in value.items() if k in raw for m in _fields_missing(raw[k], v, f"{where}.{k}")]
    return []


def check_json(snippet: Snippet) -> None:
    """Parse the block; with `schema: Name`, decode it into graphmem.dto.Name and insist that
    every key of the example is a field of the struct. Raises on failure."""
    raw = msgspec.json.decode(snippet.code.encode())
    name = snippet.markers.get("schema")
    if not name:
        return
    from graphmem import dto

    struct = getattr(dto, name, None)
    if not (isinstance(struct, type) and issubclass(struct, msgspec.Struct)):
        raise TypeError(f"schema: {name!r} is not a struct in graphmem.dto")
    decoded = msgspec.json.decode(snippet.code.encode(), type=struct)
    missing = _fields_missing(raw, decoded)
    if missing:
        raise AssertionError(f"keys not in {name}: {missing}")


def check_yaml(snippet: Snippet) -> None:
    import yaml

    yaml.safe_load(snippet.code)


def curl_without_fail(code: str) -> list[str]:
    """curl commands that lack -f/--fail, so an HTTP error would not fail the snippet. A curl that
    prints ``%{http_code}`` checks the status itself and is left alone."""
    joined = code.replace("\\\n", " ")
    bad = []
    for m in re.finditer(r"(?:^|[\s;&|(])curl\s(?P<args>[^\n;|&)]*)", joined):
        args = m["args"]
        short_f = re.search(r"(?:^|\s)-[a-zA-Z]*f[a-zA-Z]*(?=\s|$)", args)
        if not short_f and "--fail" not in args and "%{http_code}" not in args:
            bad.append("curl " + args.strip()[:60])
    return bad


# Commands that must never run unmarked: they change the environment, never exit, or take long.
_NEVER_RUN = re.compile(
    r"\b(?:pip3?|uv pip) install\b|-m venv\b|\bvirtualenv\b|\bdocker\b|\bapt(?:-get)? install\b"
    r"|\bgraphmem (?:serve|bench|mcp)\b|\bplaywright install\b"
)


def never_run(code: str) -> list[str]:
    """What in a bash block would install packages, start a server that never exits or run a
    benchmark: such a block needs a `not-tested` marker, and is refused rather than run."""
    return sorted({m.group(0).strip() for m in _NEVER_RUN.finditer(code)})


def point_at(code: str, base_url: str) -> str:
    """Rewrite the documented server address (localhost:8420, 127.0.0.1:8420) to the test server."""
    return _SERVER.sub(base_url.removeprefix("http://"), code)
