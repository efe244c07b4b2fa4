"""Index jobs: ask for a rebuild of the indexes (202 with its location), poll it. One rebuild at
a time (409 otherwise); scoring and bank writes go on meanwhile and are never lost."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status

from service.api.deps import Admin, RuntimeDep
from service.api.schemas import JobIn, JobList, JobOut
from service.errors import NotFound

router = APIRouter(prefix="/v1/index-jobs", tags=["indexes"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    summary="Rebuild the indexes in the background",
    responses={409: {"description": "a rebuild is already queued or running (problem+json)"}},
)
async def create_job(
    response: Response, runtime: RuntimeDep, _admin: Admin, body: JobIn | None = None
) -> JobOut:
    """The job starts at once; poll the URL in ``Location``. The running server swaps to the
    new snapshot atomically when it is built: searches never see a half-built index."""
    job = await runtime.run(runtime.jobs.submit, (body or JobIn()).kind)
    response.headers["Location"] = f"/v1/index-jobs/{job.id}"
    return JobOut.of(job)


@router.get("/{job_id}", response_model=JobOut, summary="A job's status and progress")
async def get_job(job_id: str, runtime: RuntimeDep, _admin: Admin) -> JobOut:
    job = await runtime.run(runtime.jobs.jobs.get, job_id)
    if job is None:
        raise NotFound(f"no index job with id {job_id!r}")
    return JobOut.of(job)


@router.get("", response_model=JobList, summary="Recent jobs, newest first")
async def list_jobs(
    runtime: RuntimeDep, _admin: Admin, limit: int = Query(20, ge=1, le=200)
) -> JobList:
    jobs = await runtime.run(runtime.jobs.jobs.recent, limit)
    return JobList(jobs=[JobOut.of(j) for j in jobs])
