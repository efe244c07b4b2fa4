"""Prometheus metrics for the operators: stage latencies, requests, index sizes and types."""

from __future__ import annotations

from fastapi import APIRouter, Response

from service.api.deps import Admin, RuntimeDep
from service.metrics import CONTENT_TYPE

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics (admin scope)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "text exposition format"}},
)
async def metrics(runtime: RuntimeDep, _admin: Admin) -> Response:
    """Per-stage latency histograms (``mirrorscan_stage_seconds{stage}``) with each stage's
    budget and overrun count, requests by route and status, scored profiles by band, and each
    channel's index size and type. Admin only: it reveals the bank's size."""
    m = runtime.metrics
    if runtime.ready:
        m.observe_indexes(runtime.pipeline.indexes)
    return Response(m.exposition(), media_type=CONTENT_TYPE)
