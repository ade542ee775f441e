"""The memory explorer at /ui, end to end: a real server under uvicorn, driven by headless Chromium.

Screenshots are kept in tests/artifacts/ui/ (ignored by git) to be looked at.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import serving

from graphmem.api.ui import STATIC_DIR
from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.settings import Settings
from graphmem.store.engine import ensure_database

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "ui"
XSS = 'Ship it to <img src=x onerror="window.__xss=1"> and <script>window.__xss=2</script> please'

pytestmark = pytest.mark.slow


# ---- a live server ------------------------------------------------------------------------------
@contextmanager
def _serve(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    with serving(create_app(settings, embedder=embedder), startup_timeout_s=180) as base:
        yield base


@pytest.fixture(scope="module")
def live(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    """Open mode: loopback and no keys in the shared test database."""
    with _serve(settings, embedder) as base:
        yield base


def _ingest(base: str, user: str, conversation: str, messages: list[dict[str, Any]], key: str | None = None) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    # ?wait=true: the data is searchable when the call returns, also once ingest goes through a queue.
    response = httpx.post(f"{base}/v1/users/{user}/conversations/{conversation}/messages?wait=true",
                          json={"messages": messages}, headers=headers, timeout=120)
    assert response.status_code in (200, 201), response.text


def _ana_messages() -> dict[str, list[dict[str, Any]]]:
    return {
        "support-1": [
            {"role": "user", "speaker": "Ana", "text": "I live in Porto.", "timestamp": "2024-01-10T10:00:00Z", "client_id": "a1"},
            {"role": "assistant", "text": "Thanks, noted.", "timestamp": "2024-01-10T10:00:05Z", "client_id": "a2"},
            {"role": "user", "speaker": "Ana", "text": "My sister Maria works at Google.",
             "timestamp": "2024-01-10T10:01:00Z", "client_id": "a3"},
        ],
        "support-2": [
            {"role": "user", "speaker": "Ana", "text": "I moved to Lisbon in May.", "timestamp": "2024-06-01T09:00:00Z", "client_id": "b1"},
            {"role": "user", "speaker": "Ana", "text": XSS, "timestamp": "2024-06-01T09:01:00Z", "client_id": "b2"},
        ],
    }


@pytest.fixture(scope="module")
def ana(live: str) -> str:
    user = f"ui-ana-{uuid.uuid4().hex[:8]}"
    for conversation, messages in _ana_messages().items():
        _ingest(live, user, conversation, messages)
    return user


# ---- the browser --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # The README's test command installs it; a missing browser is a failure, not a skip.
    assert CHROMIUM.exists(), "needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


class Watched:
    """A page that records console errors, dialogs and any request that leaves the server."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1440, "height": 1000})
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)

    def _dialog(self, dialog: Any) -> None:
        self.errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.base + "/"):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@contextmanager
def _watched(browser: Any, base: str) -> Iterator[Watched]:
    watched = Watched(browser, base)
    try:
        yield watched
    finally:
        watched.close()


def _open_user(w: Watched, user: str) -> None:
    w.page.goto(f"{w.base}/ui")
    w.page.locator(f'#user-list button[data-user="{user}"]').click()
    w.page.locator("#user-title").filter(has_text=user).wait_for()


def _click_node(w: Watched, label: str) -> None:
    """A real mouse click on the node's rendered position in the canvas."""
    w.page.wait_for_function("() => window.graphmemExplorer && window.graphmemExplorer.graph.nodes().length > 0")
    pos = w.page.evaluate(
        """(label) => { const n = window.graphmemExplorer.graph.nodes().filter(n => n.data('label') === label)[0];
                        return n ? n.renderedPosition() : null; }""", label)
    assert pos is not None, f"no node labelled {label!r}"
    box = w.page.locator("#graph").bounding_box()
    w.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


# ---- tests --------------------------------------------------------------------------------------
def test_static_files_are_public_pinned_and_self_contained(live: str) -> None:
    with httpx.Client(base_url=live) as http:
        for path in ("/ui", "/ui/", "/ui/index.html"):
            page = http.get(path)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
            assert "memory explorer" in page.text
            assert "script-src 'self'" in page.headers["content-security-policy"]
        assert http.get("/ui/app.js").headers["content-type"].startswith(("application/javascript", "text/javascript"))
        assert http.get("/ui/app.css").headers["content-type"].startswith("text/css")
        assert http.get("/ui/nothing-here.js").status_code == 404
        assert "/ui" not in http.get("/schema/openapi.json").json()["paths"]
    # Every asset is ours: no CDN, no external font, no absolute URL anywhere in our files.
    for name in ("index.html", "app.js", "app.css"):
        text = (STATIC_DIR / name).read_text()
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE), name
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, name
    for ref in re.findall(r'(?:src|href)="([^"]+)"', (STATIC_DIR / "index.html").read_text()):
        assert ref.startswith("/ui/") and (STATIC_DIR / ref.removeprefix("/ui/")).is_file(), ref
    vendor = STATIC_DIR / "vendor" / "cytoscape"
    pinned = re.search(r"sha256 of `cytoscape.min.js`: `([0-9a-f]{64})`", (vendor / "VERSION.md").read_text())
    assert pinned and hashlib.sha256((vendor / "cytoscape.min.js").read_bytes()).hexdigest() == pinned.group(1)
    assert "MIT" in (vendor / "LICENSE").read_text() or "Permission is hereby granted" in (vendor / "LICENSE").read_text()


def test_search_shows_each_hit_with_its_why(browser: Any, live: str, ana: str) -> None:
    with _watched(browser, live) as w:
        _open_user(w, ana)
        counts = w.page.locator("#user-counts").inner_text()
        assert re.search(r"messages\s*5", counts), counts
        w.page.fill("#query", "Which city did Ana move to?")
        w.page.click("#search-form button[type=submit]")
        w.page.locator("#hits li").first.wait_for()
        hits = w.page.locator("#hits li")
        texts = [hits.nth(i).locator(".text").inner_text() for i in range(hits.count())]
        assert hits.count() == 5 and any("Lisbon" in t for t in texts[:2]), texts
        first_why = hits.first.locator(".why").inner_text()
        # The fusion, then each channel that found the hit with its rank and score, as the API says.
        response = httpx.post(f"{live}/v1/users/{ana}/memories/search", json={"query": "Which city did Ana move to?", "limit": 20})
        why = response.json()["hits"][0]["why"]
        assert first_why.startswith(f"why:\n{why['fusion']}\n"), first_why
        for channel, found in why["channels"].items():
            shown = re.search(rf"^{channel} #(\d+) \((-?[\d.]+)\)$", first_why, re.MULTILINE)
            assert shown and int(shown[1]) == found["rank"], (channel, first_why)
            assert abs(float(shown[2]) - found["score"]) <= 0.0006, (channel, first_why)
        assert "vector #" in first_why
        assert w.page.locator("#search-note").inner_text().startswith("5 hits")
        w.shot("search")
        assert w.errors == [] and w.foreign == [], (w.errors, w.foreign)


def test_graph_click_shows_entity_facts_with_history(browser: Any, live: str, ana: str) -> None:
    with _watched(browser, live) as w:
        _open_user(w, ana)
        w.page.wait_for_function("() => window.graphmemExplorer && window.graphmemExplorer.graph.nodes().length >= 4")
        labels = w.page.evaluate("() => window.graphmemExplorer.graph.nodes().map(n => n.data('label'))")
        assert {"Ana", "Lisbon", "Porto", "Maria"} <= set(labels), labels
        assert w.page.evaluate("() => window.graphmemExplorer.graph.edges().length") >= 2
        w.shot("graph")

        _click_node(w, "Ana")
        w.page.locator("#entity h4").filter(has_text="Ana").wait_for()
        lives = w.page.locator("#entity table.facts tbody tr").filter(has_text="lives_in")
        assert lives.count() == 2, lives.all_inner_texts()
        porto, lisbon = lives.filter(has_text="Porto"), lives.filter(has_text="Lisbon")
        assert porto.get_attribute("class") == "ended" and "ended" in porto.inner_text()
        assert lisbon.get_attribute("class") == "current" and "current" in lisbon.inner_text()
        lisbon.get_by_role("button", name="evidence").click()
        assert "I moved to Lisbon" in w.page.locator("#entity .provenance").inner_text()
        entity_text = w.page.locator("#entity").inner_text()
        assert "MENTIONED IN" in entity_text.upper() and "null" not in entity_text
        assert w.page.locator("#entity .mentions li").filter(has_text="I moved to Lisbon in May.").count() == 1
        w.shot("entity")

        # An entity in a fact opens that entity; the neighbourhood redraws the graph around it.
        w.page.locator("#entity table.facts").get_by_role("button", name="Maria").first.click()
        w.page.locator("#entity h4").filter(has_text="Maria").wait_for()
        w.page.get_by_role("button", name="Show neighbourhood in graph").click()
        w.page.locator("#graph-note").filter(has_text="within 2 hops of Maria").wait_for()
        assert "Google" in w.page.evaluate("() => window.graphmemExplorer.graph.nodes().map(n => n.data('label'))")
        assert w.errors == [] and w.foreign == [], (w.errors, w.foreign)


def test_conversation_and_user_text_is_shown_as_text(browser: Any, live: str, ana: str) -> None:
    with _watched(browser, live) as w:
        _open_user(w, ana)
        w.page.fill("#query", "ship it please")
        w.page.click("#search-form button[type=submit]")
        hit = w.page.locator("#hits li").filter(has_text="Ship it to")
        hit.wait_for()
        assert hit.locator(".text").inner_text() == XSS  # the markup shows as the characters typed
        hit.get_by_role("button", name="conversation support-2").click()
        w.page.locator("#conversation-note").filter(has_text="2 messages in support-2").wait_for()
        messages = w.page.locator("#messages li")
        assert "I moved to Lisbon in May." in messages.nth(0).inner_text()
        assert messages.nth(1).locator(".text").inner_text() == XSS
        assert messages.nth(1).get_attribute("class") == "focus"
        # Nothing of it became markup, and nothing ran.
        assert w.page.locator("#hits img, #messages img, #hits script, #messages script").count() == 0
        assert w.page.evaluate("() => window.__xss") is None
        w.shot("conversation")

        w.page.fill("#conversation-id", "support-1")
        w.page.click("#conversation-form button[type=submit]")
        w.page.locator("#conversation-note").filter(has_text="3 messages in support-1").wait_for()
        w.page.fill("#conversation-id", "no-such-conversation")
        w.page.click("#conversation-form button[type=submit]")
        w.page.locator("#conversation-note").filter(has_text='No conversation "no-such-conversation"').wait_for()
        w.page.fill("#user-id", "nobody-" + ana)
        w.page.click("#user-form button[type=submit]")
        w.page.locator("#banner").filter(has_text=f'There is no user "nobody-{ana}"').wait_for()
        assert w.page.locator("#workspace").is_hidden()
        assert [e for e in w.errors if "404" not in e] == [] and w.foreign == []


def test_erasure_asks_for_the_user_id_first(browser: Any, live: str) -> None:
    user = f"ui-erase-{uuid.uuid4().hex[:8]}"
    _ingest(live, user, "c1", [{"role": "user", "text": "I live in Oslo and my dog is called Rex."}])
    with _watched(browser, live) as w:
        _open_user(w, user)
        w.page.click("#erase-user")
        dialog = w.page.locator("#erase-dialog")
        assert dialog.is_visible() and user in dialog.inner_text()
        assert w.page.locator("#erase-go").is_disabled()
        w.page.fill("#erase-confirm", user[:-1])
        assert w.page.locator("#erase-go").is_disabled()
        w.shot("erase-dialog")
        w.page.click("#erase-cancel")
        assert not dialog.is_visible()
        assert httpx.get(f"{live}/v1/users/{user}").status_code == 200  # cancelling erased nothing

        w.page.click("#erase-user")
        w.page.fill("#erase-confirm", user)
        w.page.click("#erase-go")
        w.page.locator("#banner").filter(has_text=f'Erased "{user}"').wait_for()
        assert w.page.locator("#workspace").is_hidden()
        assert w.page.locator(f'#user-list button[data-user="{user}"]').count() == 0
        w.shot("erased")
        assert w.errors == [] and w.foreign == [], (w.errors, w.foreign)
    assert httpx.get(f"{live}/v1/users/{user}").status_code == 404


# ---- a server with keys -------------------------------------------------------------------------
def _keys_cli(url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "graphmem.cli.main", "keys", *args],
                          env={**os.environ, "GRAPHMEM_DATABASE_URL": url}, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def keyed(database_url: str, tmp_path_factory: pytest.TempPathFactory,
          embedder: SentenceTransformerEmbedder) -> Iterator[tuple[str, dict[str, str]]]:
    """A server on its own database with a read key and an admin key."""
    name = f"ui_keys_{uuid.uuid4().hex[:10]}"
    admin = database_url.replace("/graphmem_test?", "/postgres?", 1)
    # In a thread: Playwright's sync API keeps an event loop running on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, ensure_database(admin, name)).result()
    url = database_url.replace("/graphmem_test?", f"/{name}?", 1)
    keys = {scope: _keys_cli(url, "create", "--name", f"ui {scope}", "--scope", scope) for scope in ("read", "admin")}
    settings = Settings(database_url=url, data_dir=tmp_path_factory.mktemp("ui-keyed"), rate_limit_per_minute=0)
    with _serve(settings, embedder) as base:
        yield base, keys


def test_without_a_key_the_page_says_a_key_is_required(browser: Any, keyed: tuple[str, dict[str, str]]) -> None:
    base, keys = keyed
    user = "keyed-user"
    _ingest(base, user, "c1", [{"role": "user", "text": "I work at Acme."}], key=keys["admin"])
    assert httpx.get(f"{base}/ui").status_code == 200  # the files are public; the data is not
    assert httpx.get(f"{base}/v1/users").status_code == 401
    with _watched(browser, base) as w:
        w.page.goto(f"{base}/ui")
        w.page.locator("#key-required").wait_for()
        assert "API key required" in w.page.locator("#key-required").inner_text()
        assert w.page.locator("#main").is_hidden()
        assert w.page.locator("#key-state").inner_text() == "key required"
        w.shot("key-required")

        w.page.fill("#api-key", "gm_not-a-real-key")
        w.page.click("#key-form button[type=submit]")
        w.page.locator("#key-state").filter(has_text="key rejected").wait_for()
        assert w.page.locator("#main").is_hidden()

        # A read key browses a user by id but may not list users.
        w.page.fill("#api-key", keys["read"])
        w.page.click("#key-form button[type=submit]")
        w.page.locator("#users-note").filter(has_text="needs an admin key").wait_for()
        assert w.page.locator("#key-required").is_hidden()
        w.page.fill("#user-id", user)
        w.page.click("#user-form button[type=submit]")
        w.page.locator("#user-title").filter(has_text=user).wait_for()
        w.page.click("#erase-user")
        w.page.fill("#erase-confirm", user)
        w.page.click("#erase-go")
        w.page.locator("#banner").filter(has_text="Erasing needs an admin key").wait_for()

        w.page.fill("#api-key", keys["admin"])
        w.page.click("#key-form button[type=submit]")
        w.page.locator(f'#user-list button[data-user="{user}"]').wait_for()
        assert w.page.evaluate("() => sessionStorage.getItem('graphmem.apiKey')") == keys["admin"]
        w.page.reload()  # the key lives for the tab's session, and the open user in the address
        w.page.locator(f'#user-list button[data-user="{user}"]').wait_for()
        w.page.locator("#graph-note").filter(has_text="most mentioned entities").wait_for()
        w.shot("keyed-users")
        # The browser logs refused requests (401/403) as console errors; nothing else may appear.
        assert all(re.search(r"status of 40[13]", e) for e in w.errors), w.errors
        assert w.foreign == []
    assert httpx.get(f"{base}/v1/users/{user}", headers={"Authorization": f"Bearer {keys['admin']}"}).status_code == 200
