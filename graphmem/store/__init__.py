"""Everything SQL: the engine and embedded PostgreSQL, table definitions, one module per aggregate."""

__all__: list[str] = []
