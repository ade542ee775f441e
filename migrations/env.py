"""Alembic environment. graphmem runs it through ``graphmem.store.migrate``, which hands in
an open connection; the plain ``alembic`` CLI can use ``-x url=postgresql://...``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("pass the database with: alembic -x url=postgresql+psycopg://... upgrade head")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
