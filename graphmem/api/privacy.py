"""Export and import of a user's data: admin scope only. (Erasure, ``DELETE /v1/users/{id}``,
shares its path with ``GET`` and so lives in ``api/users.py``.)"""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Stream

from graphmem.dto import ExportDocument, ImportReceipt
from graphmem.services import Services

__all__ = ["PrivacyController", "MAX_IMPORT_BYTES"]

MAX_IMPORT_BYTES = 512 * 1024 * 1024  # an export of a large user; embeddings make it big


class PrivacyController(Controller):
    path = "/v1/users/{user_id:str}"
    tags = ["privacy"]
    opt = {"scope": "admin"}

    @get("/export", summary="All of a user's data as one JSON document (ExportDocument), streamed")
    async def export(self, user_id: FromPath[str], services: NamedDependency[Services]) -> Stream:
        chunks = await services.portability.export(user_id)
        return Stream(chunks, media_type="application/json",
                      headers={"Content-Disposition": 'attachment; filename="graphmem-export.json"'})

    @post("/import", summary="Restore an export into a user that has no data", request_max_body_size=MAX_IMPORT_BYTES)
    async def import_(
        self, user_id: FromPath[str], data: JSONBody[ExportDocument], services: NamedDependency[Services]
    ) -> Response[ImportReceipt]:
        return Response(await services.portability.import_(user_id, data), status_code=201)
