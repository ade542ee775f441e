"""Every fenced block of README.md and docs/*.md, checked: bash and Python run against a live
server, JSON and YAML parse (JSON marked `schema: Name` decodes into graphmem.dto.Name), the
rest is shown-only or marked `not-tested` with a reason. The rules: docs/contributing-docs.md.

Each doc file gets its own server on its own fresh database, started when the file's first
runnable snippet comes up: a file's snippets run in order and may build on each other, and no
file sees another's users, keys or jobs.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
from doc_snippets import (
    PARSED,
    RUN_BASH,
    RUN_PYTHON,
    SHOWN,
    Snippet,
    check_json,
    check_yaml,
    collect,
    curl_without_fail,
    never_run,
    parse_markdown,
    point_at,
)
from live_server import serving

from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.settings import Settings
from graphmem.store.engine import ensure_database

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = collect(ROOT)
SNIPPET_TIMEOUT_S = 180.0


@dataclass(frozen=True, slots=True)
class DocServer:
    path: str
    base_url: str
    database_url: str
    data_dir: Path


class DocServers:
    """At most one live server at a time: the one of the doc file whose snippets are running."""

    def __init__(self, admin_url: str, embedder: SentenceTransformerEmbedder, tmp: pytest.TempPathFactory) -> None:
        self._admin_url = admin_url
        self._embedder = embedder
        self._tmp = tmp
        self._current: DocServer | None = None
        self._stack = ExitStack()

    def for_file(self, path: str) -> DocServer:
        if self._current is not None and self._current.path == path:
            return self._current
        self.close()
        name = "docs_" + re.sub(r"\W", "_", path.lower())
        asyncio.run(ensure_database(self._admin_url, name))
        database_url = self._admin_url.replace("/postgres?", f"/{name}?", 1)
        data_dir = self._tmp.mktemp(name)
        settings = Settings(database_url=database_url, data_dir=data_dir, rate_limit_per_minute=0)
        base_url = self._stack.enter_context(serving(create_app(settings, embedder=self._embedder)))
        self._current = DocServer(path, base_url, database_url, data_dir)
        return self._current

    def close(self) -> None:
        self._stack.close()
        self._stack = ExitStack()
        self._current = None


@pytest.fixture(scope="session")
def doc_servers(
    database_url: str, embedder: SentenceTransformerEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DocServers]:
    # Same embedded PostgreSQL as the other tests, but a database per doc file.
    servers = DocServers(database_url.replace("/graphmem_test?", "/postgres?", 1), embedder, tmp_path_factory)
    yield servers
    servers.close()


def _environment(server: DocServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHMEM_")}
    env.update(
        GRAPHMEM_URL=server.base_url,
        GRAPHMEM_DATABASE_URL=server.database_url,  # `graphmem keys`, `backup` … reach the same database
        GRAPHMEM_DATA_DIR=str(server.data_dir),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",  # this venv's `graphmem`
        HF_HUB_OFFLINE="1",
    )
    return env


def _run(argv: list[str], snippet: Snippet, server: DocServer, cwd: Path) -> None:
    done = subprocess.run(
        argv, check=False, cwd=cwd, env=_environment(server), capture_output=True, text=True, timeout=SNIPPET_TIMEOUT_S
    )
    assert done.returncode == 0, (
        f"{snippet.id} exited {done.returncode}\n--- snippet ---\n{snippet.code}"
        f"--- stdout ---\n{done.stdout[-4000:]}\n--- stderr ---\n{done.stderr[-4000:]}"
    )


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.id for s in SNIPPETS])
def test_snippet(snippet: Snippet, doc_servers: DocServers, tmp_path: Path) -> None:
    check(snippet, doc_servers, tmp_path)


def check(snippet: Snippet, doc_servers: DocServers, tmp_path: Path) -> None:
    problem = snippet.problem()
    assert problem is None, f"{snippet.id}: {problem}"
    if "not-tested" in snippet.markers:
        pytest.skip(f"not-tested: {snippet.markers['not-tested']}")
    if snippet.lang in SHOWN:
        return  # output and diagrams: nothing to run
    if snippet.lang == "json":
        check_json(snippet)
        return
    if snippet.lang in PARSED:
        check_yaml(snippet)
        return
    if snippet.lang in RUN_BASH:  # refused before a server starts for it
        assert not never_run(snippet.code), f"mark this block `not-tested`; it would run {never_run(snippet.code)}"
        lax = curl_without_fail(snippet.code)
        assert not lax, f"use `curl -sf` so HTTP errors fail: {lax}"
    server = doc_servers.for_file(snippet.path)
    code = point_at(snippet.code, server.base_url)
    if snippet.lang in RUN_BASH:
        _run(["bash", "-euo", "pipefail", "-c", code], snippet, server, tmp_path)
    else:
        assert snippet.lang in RUN_PYTHON
        script = tmp_path / "snippet.py"
        script.write_text(code, encoding="utf-8")
        _run([sys.executable, str(script)], snippet, server, tmp_path)


def test_every_doc_is_linked_from_the_index() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([\w.-]+\.md)(?:#[\w-]*)?\)", index))
    docs = sorted(p.name for p in (ROOT / "docs").glob("*.md") if p.name != "index.md")
    assert [name for name in docs if name not in linked] == []


def test_the_route_table_of_api_md_is_the_openapi_document() -> None:
    """docs/api.md lists every route the server documents in /schema/openapi.json, and no other
    (but /metrics, which Prometheus scrapes and the OpenAPI document leaves out)."""
    schema = create_app(Settings(database_url="postgresql://docs@/unused")).openapi_schema.to_schema()  # starts nothing
    served = {
        (method.upper(), re.sub(r"\{(\w+):\w+\}", r"{\1}", path).rstrip("/"))
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    table = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([A-Z, ]+) \| `([^`]+)` \|", table, re.MULTILINE)
    listed = {(m.strip(), path.split("?")[0].rstrip("/")) for methods, path in rows for m in methods.split(",")}
    assert sorted(served - listed) == [], "routes missing from the table in docs/api.md"
    assert sorted(listed - served) == [("GET", "/metrics")], "docs/api.md lists routes the server does not have"


FALSE_CLAIM = """\
from graphmem.client import GraphmemClient
assert GraphmemClient("http://127.0.0.1:8420").ready().ready is False  # it is ready
"""


@pytest.mark.parametrize(
    "lang, code",
    [
        ("bash", "curl -sf localhost:8420/v1/users/nobody\n"),  # 404
        ("bash", "curl -sf localhost:8420/ready\nfalse\n"),
        ("python", FALSE_CLAIM),
    ],
)
def test_a_failing_snippet_fails(lang: str, code: str, doc_servers: DocServers, tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="exited 1|exited 22"):
        check(Snippet("docs/failing.md", 1, lang, code), doc_servers, tmp_path)


# The conventions themselves, on literal Markdown: a harness that let a bad block through would
# pass every doc.

SAMPLE = """\
Intro.

```python
with open("x") as f:
    print(f.read())
```

<!-- not-tested: starts a server that never exits -->
```bash
graphmem serve
```

<!-- schema: SearchRequest -->

```json
{"query": "where?", "limit": 5}
```

- a list item

  ```sql
  SELECT 1;

    -- indented
  ```

````text
```nested```
````
"""


def test_blocks_markers_and_lines_are_read() -> None:
    found = parse_markdown(SAMPLE, "x.md")
    assert [(s.line, s.lang) for s in found] == [(3, "python"), (9, "bash"), (15, "json"), (21, "sql"), (27, "text")]
    assert found[0].code == 'with open("x") as f:\n    print(f.read())\n' and found[0].markers == {}
    found = found[1:]
    assert found[0].markers == {"not-tested": "starts a server that never exits"}
    assert found[1].markers == {"schema": "SearchRequest"} and found[1].code == '{"query": "where?", "limit": 5}\n'
    assert found[2].code == "SELECT 1;\n\n  -- indented\n" and found[2].markers == {}
    assert found[3].code == "```nested```\n"
    assert [s.problem() is None for s in found] == [True, True, False, True]


def test_unclassifiable_blocks_and_bad_markers_fail() -> None:
    assert "neither run nor parsed" in (Snippet("x.md", 1, "", "x\n").problem() or "")
    assert "needs a reason" in (Snippet("x.md", 1, "bash", "x\n", {"not-tested": ""}).problem() or "")
    assert "unknown marker" in (Snippet("x.md", 1, "bash", "x\n", {"skip": "y"}).problem() or "")
    assert "json blocks only" in (Snippet("x.md", 1, "bash", "x\n", {"schema": "Job"}).problem() or "")


def test_json_examples_must_fit_their_struct() -> None:
    check_json(Snippet("x.md", 1, "json", '{"query": "q", "limit": 3}', {"schema": "SearchRequest"}))
    with pytest.raises(msgspec.ValidationError, match="limit"):
        check_json(Snippet("x.md", 1, "json", '{"query": "q", "limit": 0}', {"schema": "SearchRequest"}))
    with pytest.raises(AssertionError, match=r"\$\.error\.stale"):  # a response field the struct lost
        check_json(Snippet("x.md", 1, "json", '{"error": {"code": "c", "message": "m", "stale": 1}}',
                           {"schema": "ErrorResponse"}))
    with pytest.raises(TypeError, match="not a struct"):
        check_json(Snippet("x.md", 1, "json", "{}", {"schema": "Nope"}))
    with pytest.raises(msgspec.DecodeError):  # a fragment, not a document
        check_json(Snippet("x.md", 1, "json", '"why": {}'))


def test_installs_servers_and_benchmarks_are_refused_unmarked() -> None:
    assert never_run("pip install 'graphmem[chroma]'\ngraphmem serve &\ngraphmem bench scale") == [
        "graphmem bench", "graphmem serve", "pip install"]
    assert never_run("python3.11 -m venv .venv") == ["-m venv"]
    assert never_run("graphmem worker --once\ngraphmem backup x.dump\ncurl -sf localhost:8420/ready") == []


def test_curl_must_fail_on_http_errors_and_the_address_is_rewritten() -> None:
    assert curl_without_fail("curl -sf localhost:8420/health\ncurl --fail -s x") == []
    assert curl_without_fail("curl -s -X POST x \\\n  -d '{\"recipe\": \"fast\"}'") != []
    assert point_at("curl -sf localhost:8420/a http://127.0.0.1:8420/b", "http://127.0.0.1:5555") == (
        "curl -sf 127.0.0.1:5555/a http://127.0.0.1:5555/b"
    )
