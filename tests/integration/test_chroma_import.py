"""``graphmem import-chroma`` on a store built here with chromadb: stored vectors reused when the
collection's model is ours, re-embedded otherwise; ids, metadata and order kept.

It runs on a database of its own: the session app's workers poll the shared one, and a job they
claimed would be embedded by their model instead of reusing the stored vectors.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
import sqlalchemy as sa

from graphmem.cli.main import main
from graphmem.embed.fake import FakeEmbedder
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.retrieve.documents import index_text
from graphmem.store.engine import create_engine, ensure_database

chromadb = pytest.importorskip("chromadb")

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
ENTRIES = [  # (id, document, metadata): stored out of time order on purpose
    ("m3", "The new kettle ships on Monday.", {"user_id": "ana", "conversation_id": "c1", "role": "assistant",
                                              "speaker": "Sam", "timestamp": "2025-03-01T09:02:00+00:00"}),
    ("m1", "My kettle arrived with a dent.", {"user_id": "ana", "conversation_id": "c1", "speaker": "Ana",
                                             "timestamp": T0.timestamp(), "channel": "chat"}),
    ("m2", "Can you send a new one?", {"user_id": "ana", "conversation_id": "c1", "speaker": "Ana",
                                      "timestamp": "2025-03-01T09:01:00Z"}),
    ("b1", "I prefer delivery on Saturdays.", {"user_id": "bo", "timestamp": "2025-03-02T10:00:00Z"}),
    ("x1", "Nobody owns this entry.", {"conversation_id": "c9"}),
]


class Db:
    """A database of this module's own, on the session's embedded server."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, query: str, **params: Any) -> list[Any]:
        async def go() -> list[Any]:
            engine = create_engine(self.url, pool_size=1)
            try:
                async with engine.connect() as conn:
                    return list((await conn.execute(sa.text(query), params)).all())
            finally:
                await engine.dispose()

        return asyncio.run(go())


@pytest.fixture(scope="module")
def db(database_url: str) -> Db:
    asyncio.run(ensure_database(database_url.replace("/graphmem_test?", "/postgres?", 1), "graphmem_chroma_test"))
    return Db(database_url.replace("/graphmem_test?", "/graphmem_chroma_test?", 1))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two collections with the same entries and our own vectors (so chromadb never loads a model)."""
    path = tmp_path_factory.mktemp("chroma")
    client = chromadb.PersistentClient(path=str(path))
    fake = FakeEmbedder()
    for name, model in (("ours", "sentence-transformers/all-MiniLM-L6-v2"), ("theirs", "text-embedding-3-small")):
        collection = client.create_collection(name, metadata={"embedding_model": model}, embedding_function=None)
        collection.add(
            ids=[e[0] for e in ENTRIES],
            documents=[e[1] for e in ENTRIES],
            metadatas=[e[2] for e in ENTRIES],
            embeddings=fake.embed([e[1] for e in ENTRIES]),
        )
    return path


@pytest.fixture
def env(db: Db, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GRAPHMEM_DATABASE_URL", db.url)
    yield


def _vectors(db: Db, user: str) -> dict[str, tuple[np.ndarray, str, str, Any]]:
    rows = db.rows(
        "SELECT g.client_id, m.embedding::text, m.text, coalesce(g.speaker, g.role), g.ts, m.embedding_model "
        "FROM memories m JOIN messages g ON g.user_id = m.user_id AND g.id = m.message_id WHERE m.user_id = :u",
        u=user,
    )
    return {r[0]: (np.array(json.loads(r[1]), dtype=np.float32), r[2], r[3], r[4]) for r in rows}


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_matching_model_reuses_the_stored_vectors(env: None, db: Db, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import-chroma", str(store), "--collection", "ours", "--user-prefix", "ours-"])
    out = capsys.readouterr()
    assert code == 1, out.err  # x1 has no user
    assert "reuse the stored ones" in out.err and "chroma:x1" in out.err
    assert "stored vectors reused" in out.out

    stored = _vectors(db, "ours-ana")
    assert set(stored) == {"m1", "m2", "m3"}
    fake = FakeEmbedder()
    for client_id, (vector, text, _, _) in stored.items():
        assert _cos(vector, fake.embed([text])[0]) > 0.9999, client_id  # chroma's vector, not the model's
    messages = db.rows("SELECT client_id, role, speaker, metadata->>'channel', metadata->>'chroma_collection' "
                       "FROM messages WHERE user_id = 'ours-ana' ORDER BY ts")
    assert [tuple(r) for r in messages] == [
        ("m1", "user", "Ana", "chat", "ours"), ("m2", "user", "Ana", None, "ours"), ("m3", "assistant", "Sam", None, "ours"),
    ]
    assert db.rows("SELECT conversation_id FROM messages WHERE user_id = 'ours-bo'")[0][0] == "ours"  # the default

    assert main(["import-chroma", str(store), "--collection", "ours", "--user-prefix", "ours-", "--user", "nobody"]) == 0
    assert "messages duplicate" in capsys.readouterr().out
    assert db.rows("SELECT count(*) FROM messages WHERE user_id LIKE 'ours-%'")[0][0] == 5


def test_another_model_is_re_embedded_with_ours(env: None, db: Db, store: Path, capsys: pytest.CaptureFixture[str],
                                                embedder: SentenceTransformerEmbedder) -> None:
    assert main(["import-chroma", str(store), "--collection", "theirs", "--user-prefix", "theirs-",
                 "--user", "carla"]) == 0
    assert "re-embed" in capsys.readouterr().err
    stored = _vectors(db, "theirs-ana")
    for client_id, (vector, text, speaker, ts) in stored.items():
        expected = embedder.embed([index_text(speaker, ts, text)])[0]
        assert _cos(vector, expected) > 0.999, client_id
    assert {r[0] for r in db.rows("SELECT DISTINCT embedding_model FROM memories WHERE user_id LIKE 'theirs-%'")} == {
        embedder.model_name}
    assert db.rows("SELECT count(*) FROM messages WHERE user_id = 'theirs-carla'")[0][0] == 1


def test_dry_run_and_bad_arguments(env: None, db: Db, store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-chroma", str(store), "--collection", "ours", "--user-prefix", "dry-", "--dry-run"]) == 1
    assert "messages valid" in capsys.readouterr().out
    assert db.rows("SELECT count(*) FROM users WHERE user_id LIKE 'dry-%'")[0][0] == 0

    assert main(["import-chroma", str(store), "--collection", "nope"]) == 2
    assert "it has: ours, theirs" in capsys.readouterr().err
    assert main(["import-chroma", str(tmp_path / "absent"), "--collection", "ours"]) == 2
    assert not (tmp_path / "absent").exists()
