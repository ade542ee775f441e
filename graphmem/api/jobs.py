"""Routes for ingest jobs: a user's job state, and the admin view of failed jobs."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from graphmem.dto import Job, JobPage
from graphmem.dto.jobs import JobState
from graphmem.limits import MAX_PAGE_SIZE
from graphmem.services import Services

__all__ = ["JobController", "JobAdminController"]


class JobController(Controller):
    path = "/v1/users/{user_id:str}/jobs"
    tags = ["jobs"]

    @get("/{job_id:int}", summary="The state of an ingest job (poll it after a 202)", opt={"scope": "read"})
    async def job(self, user_id: FromPath[str], job_id: FromPath[int], services: NamedDependency[Services]) -> Job:
        return await services.queue.job(user_id, job_id)


class JobAdminController(Controller):
    path = "/v1/admin/jobs"
    tags = ["jobs"]

    @get("/", summary="Ingest jobs in one state across users (admin)", opt={"scope": "admin"})
    async def jobs(
        self,
        services: NamedDependency[Services],
        job_state: Annotated[
            JobState, QueryParameter(name="state", description="queued, running, done or failed")
        ] = "failed",
        cursor: Annotated[str | None, QueryParameter(description="next_cursor of the previous page")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 50,
    ) -> JobPage:
        return await services.queue.jobs(job_state, cursor, limit)

    @post("/{user_id:str}/{job_id:int}/retry", status_code=200, summary="Queue a failed job again (admin)",
          opt={"scope": "admin"})
    async def retry(self, user_id: FromPath[str], job_id: FromPath[int], services: NamedDependency[Services]) -> Job:
        return await services.queue.retry(user_id, job_id)
