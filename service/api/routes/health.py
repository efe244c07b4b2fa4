"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.api.deps import RuntimeDep
from service.api.problems import PROBLEM, problem_body
from service.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    summary="Models and indexes are loaded and warmed up",
    responses={503: {"description": "still loading, or loading failed"}},
)
async def readyz(runtime: RuntimeDep) -> Health | JSONResponse:
    if not runtime.ready:
        detail = runtime.load_error or "models and indexes are still loading"
        body = problem_body(503, "Not ready", detail, "https://mirrorscan.dev/problems/not-ready")
        return JSONResponse(body, 503, media_type=PROBLEM, headers={"Retry-After": "5"})
    pipeline = runtime.pipeline
    return Health(
        status="ready",
        indexed=pipeline.indexes.counts(),
        snapshot=pipeline.indexes.version or None,
        store_seq=pipeline.indexes.store_seq,
        model_version=pipeline.scorer.version,
    )
