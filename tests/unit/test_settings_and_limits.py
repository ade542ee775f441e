"""Settings from the environment, input checks and cursors: pure logic."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from graphmem.errors import InvalidInput
from graphmem.limits import MAX_METADATA_DEPTH, as_utc, check_id, check_metadata, check_text
from graphmem.services.conversations import decode_cursor, encode_cursor
from graphmem.settings import Settings
from graphmem.store.engine import sqlalchemy_url


def test_settings_from_env() -> None:
    s = Settings.from_env(
        {"GRAPHMEM_PORT": "9000", "GRAPHMEM_DATA_DIR": "/srv/gm", "GRAPHMEM_DATABASE_URL": "", "GRAPHMEM_POOL_TIMEOUT_S": "2.5"}
    )
    assert s.port == 9000 and s.data_dir == Path("/srv/gm") and s.pool_timeout_s == 2.5
    assert s.embedded and s.pgdata == Path("/srv/gm/pgdata")
    assert not Settings.from_env({"GRAPHMEM_DATABASE_URL": "postgresql://x/y"}).embedded
    assert Settings.from_env({}, port=1).port == 1


def test_bad_setting_names_the_variable() -> None:
    with pytest.raises(ValueError, match="GRAPHMEM_PORT"):
        Settings.from_env({"GRAPHMEM_PORT": "eighty"})


def test_sqlalchemy_url() -> None:
    assert sqlalchemy_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert sqlalchemy_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(Exception, match="postgresql://"):
        sqlalchemy_url("mysql://u@h/db")


@pytest.mark.parametrize("good", ["u1", "zoë@example.com", "会话", "a:b.c-d_e+f", "x" * 128])
def test_good_ids(good: str) -> None:
    assert check_id("user_id", good) == good


@pytest.mark.parametrize("bad", ["", "a b", "a/b", "a\\b", "x" * 129, "a\u00a0b", "a\u0085b", "a\x00"])
def test_bad_ids(bad: str) -> None:
    with pytest.raises(InvalidInput):
        check_id("user_id", bad)


def test_text_and_metadata_checks() -> None:
    assert check_text("t", " ok ") == " ok "
    for bad in ("", "  \n", "a\x00"):
        with pytest.raises(InvalidInput):
            check_text("t", bad)
    nested: dict = {}
    node = nested
    for _ in range(MAX_METADATA_DEPTH + 1):
        node["k"] = {}
        node = node["k"]
    with pytest.raises(InvalidInput, match="nested"):
        check_metadata("m", nested)
    with pytest.raises(InvalidInput):
        check_metadata("m", {"list": ["\x00"]})
    assert check_metadata("m", {"a": [1, {"b": "c"}]}) == {"a": [1, {"b": "c"}]}


def test_as_utc() -> None:
    naive = datetime(2024, 1, 1, 12)
    assert as_utc(naive) == datetime(2024, 1, 1, 12, tzinfo=timezone.utc)
    aware = datetime(2024, 1, 1, 12, tzinfo=timezone.utc)
    assert as_utc(aware) is aware and as_utc(None) is None


def test_cursor_round_trip_and_garbage() -> None:
    ts = datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc)
    assert decode_cursor(encode_cursor(ts, 42)) == (ts, 42)
    for garbage in ("%%%", "bm90IGpzb24", encode_cursor(ts, 1)[:-3]):
        with pytest.raises(InvalidInput):
            decode_cursor(garbage)
