"""``graphmem reembed`` and migration 0005: which model made each vector, and re-embedding the
stale ones in committed batches that a second run resumes."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Callable

import numpy as np
import pytest
import sqlalchemy as sa

from graphmem.cli.main import main
from graphmem.embed.fake import FakeEmbedder
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.retrieve.documents import index_text
from graphmem.services.reembed import ReembedService
from graphmem.settings import DEFAULT_EMBEDDING_MODEL
from graphmem.store.engine import create_engine, ensure_database, ensure_pgvector
from graphmem.store.migrate import MIGRATIONS_DIR

TURNS = [
    {"role": "user", "speaker": "Ana", "text": "My kettle arrived dented.", "timestamp": "2025-03-01T09:00:00Z"},
    {"role": "assistant", "text": "A new kettle ships today.", "timestamp": "2025-03-01T09:01:00Z"},
    {"role": "user", "speaker": "Ana", "text": "I moved to Porto last week.", "timestamp": "2025-03-02T09:00:00Z"},
    {"role": "user", "speaker": "Ana", "text": "Please send it to Porto.", "timestamp": "2025-03-02T09:01:00Z"},
    {"role": "assistant", "text": "Done, Porto it is.", "timestamp": "2025-03-02T09:02:00Z"},
]


class Interrupted(Exception):
    """Stands for Ctrl-C or a crash between two batches."""


def _config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def _memories(sql: Callable[..., list[Any]], user: str) -> list[tuple[str | None, np.ndarray, str]]:
    rows = sql(
        "SELECT m.embedding_model, m.embedding::text, m.text, coalesce(g.speaker, g.role), m.ts FROM memories m "
        "JOIN messages g ON g.user_id = m.user_id AND g.id = m.message_id WHERE m.user_id = :u ORDER BY m.id", u=user)
    return [(r[0], np.array(json.loads(r[1]), dtype=np.float32), index_text(r[3], r[4], r[2])) for r in rows]


def _service(database_url: str, embedder: Any, action: Callable[[ReembedService], Any], **options: Any) -> Any:
    async def go() -> Any:
        engine = create_engine(database_url, pool_size=2)
        try:
            return await action(ReembedService(engine, embedder, **options))
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_new_memories_record_their_model_and_reembed_resumes_after_an_interruption(
    ingest: Callable[..., Any], user_id: str, sql: Callable[..., list[Any]], database_url: str,
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    ingest(user_id, "t1", *TURNS)
    assert {m[0] for m in _memories(sql, user_id)} == {DEFAULT_EMBEDDING_MODEL}

    fake = FakeEmbedder()  # "the model setting changed": another model of the same size
    assert _service(database_url, fake, lambda s: s.pending([user_id])) == 5
    done: list[int] = []

    def stop_after_one_batch(n: int) -> None:
        done.append(n)
        raise Interrupted

    with pytest.raises(Interrupted):
        _service(database_url, fake, lambda s: s.run(batch_size=2, user_ids=[user_id], progress=stop_after_one_batch))
    assert done == [2]
    assert [m[0] for m in _memories(sql, user_id)].count(fake.model_name) == 2  # the first batch was committed
    assert _service(database_url, fake, lambda s: s.pending([user_id])) == 3

    report = _service(database_url, fake, lambda s: s.run(batch_size=2, user_ids=[user_id]))
    assert (report.updated, report.batches) == (3, 2)
    for model, vector, text in _memories(sql, user_id):
        assert model == fake.model_name
        assert np.allclose(vector, fake.embed([text])[0], atol=1e-6)

    # Back to the configured model, through the command.
    monkeypatch.setenv("GRAPHMEM_DATABASE_URL", database_url)
    assert main(["reembed", "--user", user_id, "--dry-run"]) == 0
    assert re.search(r"memories stale\s*│\s*5\s*│", capsys.readouterr().out)
    assert main(["reembed", "--user", user_id, "--batch", "4"]) == 0
    assert "memories re-embedded" in capsys.readouterr().out
    for model, vector, text in _memories(sql, user_id):
        assert model == DEFAULT_EMBEDDING_MODEL
        assert float(vector @ embedder.embed([text])[0]) > 0.999
    assert _service(database_url, embedder, lambda s: s.pending([user_id])) == 0


def test_a_model_of_another_size_is_refused(database_url: str) -> None:
    from graphmem.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="dimensions"):
        _service(database_url, FakeEmbedder(dimension=768), lambda s: s.pending())


def test_migration_0005_backfills_existing_rows_with_the_default_model(database_url: str) -> None:
    from alembic import command

    async def go() -> tuple[str | None, bool]:
        await ensure_database(database_url.replace("/graphmem_test?", "/postgres?", 1), "graphmem_mig0005")
        engine = create_engine(database_url.replace("/graphmem_test?", "/graphmem_mig0005?", 1), pool_size=1)
        try:
            await ensure_pgvector(engine)
            async with engine.begin() as conn:
                await conn.run_sync(lambda c: command.upgrade(_config(c), "0004"))
                await conn.execute(sa.text("INSERT INTO users (user_id) VALUES ('old')"))
                await conn.execute(sa.text(
                    "INSERT INTO memories (user_id, text, embedding, ts) VALUES ('old', 'x', :v, now())"),
                    {"v": "[" + ",".join(["0.1"] * 384) + "]"})
                await conn.run_sync(lambda c: command.upgrade(_config(c), "0005"))
                model = await conn.scalar(sa.text("SELECT embedding_model FROM memories WHERE user_id = 'old'"))
                await conn.run_sync(lambda c: command.downgrade(_config(c), "0004"))
                column = await conn.scalar(sa.text(
                    "SELECT count(*) FROM information_schema.columns "
                    "WHERE table_name = 'memories' AND column_name = 'embedding_model'"))
            return model, bool(column)
        finally:
            await engine.dispose()

    assert asyncio.run(go()) == (DEFAULT_EMBEDDING_MODEL, False)


def test_reembed_gives_named_speakers_memories_their_missing_text_vectors(
    ingest: Callable[..., Any], user_id: str, sql: Callable[..., list[Any]], database_url: str,
    embedder: SentenceTransformerEmbedder,
) -> None:
    ingest(user_id, "t1", *TURNS)

    def texts() -> list[tuple[str, bool]]:
        rows = sql("SELECT m.text, m.text_embedding IS NOT NULL FROM memories m WHERE m.user_id = :u ORDER BY m.id", u=user_id)
        return [(r[0], r[1]) for r in rows]

    assert [has for _, has in texts()] == [True, False, True, True, False]  # Ana's turns, not the assistant's
    sql("UPDATE memories SET text_embedding = NULL WHERE user_id = :u", u=user_id)  # as before migration 0011
    assert _service(database_url, embedder, lambda s: s.pending([user_id])) == 3
    assert _service(database_url, embedder, lambda s: s.pending([user_id]), speaker_vectors=False) == 0  # off: none missing

    report = _service(database_url, embedder, lambda s: s.run(user_ids=[user_id]))
    assert report.updated == 3 and [has for _, has in texts()] == [True, False, True, True, False]
    own = sql("SELECT text_embedding::text FROM memories WHERE user_id = :u AND text_embedding IS NOT NULL ORDER BY id", u=user_id)
    for (text, _), (vector,) in zip([t for t in texts() if t[1]], own):
        assert float(np.array(json.loads(vector)) @ embedder.embed([text])[0]) > 0.999  # the text alone
    assert _service(database_url, embedder, lambda s: s.pending([user_id])) == 0
