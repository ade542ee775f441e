"""Operations on users and the server: user listing, erasure, export and import, status and health."""

from __future__ import annotations

from graphmem.client.core import Call, decoder, encode, path, query_params
from graphmem.dto import (
    ErasureReceipt,
    ExportDocument,
    Health,
    ImportReceipt,
    Readiness,
    Status,
    UserDetail,
    UserPage,
)

__all__ = ["list_users", "get_user", "erase_user", "export_user", "import_user", "status", "health", "ready"]


def list_users(*, cursor: str | None = None, limit: int | None = None) -> Call[UserPage]:
    """All users in ``user_id`` order (admin scope)."""
    return Call("GET", path("v1", "users"), decoder(UserPage), query_params(cursor=cursor, limit=limit))


def get_user(user_id: str) -> Call[UserDetail]:
    """One user's counts and first/last message time (``NotFound`` for an unknown user)."""
    return Call("GET", path("v1", "users", user_id), decoder(UserDetail))


def erase_user(user_id: str) -> Call[ErasureReceipt]:
    """Erase everything stored about a user in one transaction and return the receipt (admin
    scope). Safe to repeat: an unknown or already erased user gives zero counts."""
    return Call("DELETE", path("v1", "users", user_id), decoder(ErasureReceipt))


def export_user(user_id: str) -> Call[ExportDocument]:
    """All of a user's rows as one document (admin scope), read in memory."""
    return Call("GET", path("v1", "users", user_id, "export"), decoder(ExportDocument))


def import_user(user_id: str, document: ExportDocument) -> Call[ImportReceipt]:
    """Restore an export into a user that has no data (admin scope)."""
    return Call("POST", path("v1", "users", user_id, "import"), decoder(ImportReceipt), body=encode(document))


def status() -> Call[Status]:
    """Versions, models, database mode and counts over all users."""
    return Call("GET", path("v1", "status"), decoder(Status))


def health() -> Call[Health]:
    """Liveness: the process is serving."""
    return Call("GET", path("health"), decoder(Health))


def ready() -> Call[Readiness]:
    """Readiness: database and models up. A not-ready server's 503 is returned, not raised."""
    return Call("GET", path("ready"), decoder(Readiness), also_ok=frozenset({503}))
