"""Synthetic data for ``graphmem bench scale``, pure: which text and vector each memory gets, and
the binary COPY payload that carries them.

Embedding a million texts with MiniLM would take more than an hour on two cores, so each memory
reuses one of a few thousand real LoCoMo turns with that turn's real embedding plus a little
Gaussian noise (then renormalised): the vectors keep the clusters of real chat, no two are
identical, and a real query's nearest neighbours are meaningful.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

__all__ = ["NOISE", "UserBlock", "user_ids", "user_block", "stage_payload"]

NOISE = 0.1  # expected norm of the noise added to a unit vector
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
_START_US = int((datetime(2024, 1, 1, tzinfo=timezone.utc) - _PG_EPOCH).total_seconds() * 1_000_000)
_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = struct.pack(">h", -1)


def user_ids(count: int) -> list[str]:
    """Fixed width, so that every staging record has the same size."""
    return [f"scale-{i:06d}" for i in range(count)]


@dataclass(frozen=True, slots=True)
class UserBlock:
    users: np.ndarray  # the user id of each row, bytes
    ids: np.ndarray  # int64, the message id and the memory id
    pids: np.ndarray  # int32, index into the text pool
    vectors: np.ndarray  # float32 (n, dim), unit length
    ts_us: np.ndarray  # int64, microseconds since 2000-01-01 UTC


def user_block(
    users: list[str], per_user: int, first_id: int, pool: np.ndarray, rng: np.random.Generator
) -> UserBlock:
    """``per_user`` rows for each of ``users``, ids from ``first_id`` on, a minute apart."""
    n = len(users) * per_user
    pids = rng.integers(0, len(pool), n).astype(np.int32)
    noise = rng.standard_normal((n, pool.shape[1])).astype(np.float32) * (NOISE / np.sqrt(pool.shape[1]))
    vectors = pool[pids] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    turn = np.tile(np.arange(per_user, dtype=np.int64), len(users))
    return UserBlock(np.repeat(np.array([u.encode() for u in users]), per_user), ids, pids, vectors,
                     _START_US + turn * 60_000_000)  # fmt: skip


def stage_payload(block: UserBlock) -> bytes:
    """The block as COPY BINARY rows of (user_id text, id bigint, pid int, embedding vector, ts timestamptz)."""
    n, dim = block.vectors.shape
    width = block.users.dtype.itemsize
    record = np.dtype([
        ("fields", ">i2"), ("user_len", ">i4"), ("user", f"S{width}"), ("id_len", ">i4"), ("id", ">i8"),
        ("pid_len", ">i4"), ("pid", ">i4"), ("vec_len", ">i4"), ("dim", ">i2"), ("unused", ">i2"),
        ("vec", ">f4", (dim,)), ("ts_len", ">i4"), ("ts", ">i8"),
    ])  # fmt: skip
    rows = np.empty(n, dtype=record)
    rows["fields"], rows["user_len"], rows["user"] = 5, width, block.users
    rows["id_len"], rows["id"] = 8, block.ids
    rows["pid_len"], rows["pid"] = 4, block.pids
    rows["vec_len"], rows["dim"], rows["unused"], rows["vec"] = 4 + 4 * dim, dim, 0, block.vectors
    rows["ts_len"], rows["ts"] = 8, block.ts_us
    return _HEADER + rows.tobytes() + _TRAILER
