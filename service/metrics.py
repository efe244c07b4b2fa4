"""Prometheus metrics: one latency histogram per pipeline stage, request counts and latency by
route and status, and the indexes' sizes and types. Each ``Metrics`` owns its registry (never the
process-global default), so several apps in one process - as in the tests - do not collide.

The stage histogram is fed from the pipeline's ``Timer``; a stage that overruns its budget
(``Settings.budget``) is also counted, so an alert can fire on the rate of overruns."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from service.index.snapshot import IndexSet

STAGES = ("decode", "hash", "embed", "search", "compare", "score")
# 0.25 ms to 2.5 s: a stage is a fraction of a millisecond (score) to tens of ms (embed)
STAGE_BUCKETS = (
    0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25,
    0.5, 1.0, 2.5,
)  # fmt: skip
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self, budget_ms: Mapping[str, float] | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.budget_ms = dict(budget_ms or {})
        r = self.registry
        self.stage_seconds = Histogram(
            "mirrorscan_stage_seconds",
            "Time per pipeline stage of one scored profile",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.stage_over_budget = Counter(
            "mirrorscan_stage_over_budget",
            "Scored profiles whose stage took longer than its budget",
            ["stage"],
            registry=r,
        )
        self.stage_budget_seconds = Gauge(
            "mirrorscan_stage_budget_seconds", "The latency budget of each stage", ["stage"],
            registry=r,
        )  # fmt: skip
        for stage, ms in self.budget_ms.items():
            self.stage_budget_seconds.labels(stage).set(ms / 1000.0)
        self.requests = Counter(
            "mirrorscan_http_requests",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "mirrorscan_http_request_seconds",
            "HTTP request latency by route template",
            ["route", "method"],
            buckets=REQUEST_BUCKETS,
            registry=r,
        )
        self.scored = Counter(
            "mirrorscan_scored_profiles", "Scored profiles by band", ["band"], registry=r
        )
        self.index_vectors = Gauge(
            "mirrorscan_index_vectors", "Vectors held per channel index", ["channel"], registry=r
        )
        self.index_bytes = Gauge(
            "mirrorscan_index_bytes",
            "Approximate memory of each channel's codes and ids",
            ["channel"],
            registry=r,
        )
        self.index_info = Gauge(
            "mirrorscan_index_info",
            "The index type of each channel (value 1), with its lists, probes and recall",
            ["channel", "family", "nlist", "nprobe", "recall"],
            registry=r,
        )

    def observe_stages(self, timings_ms: Mapping[str, float], band: str | None = None) -> None:
        """One scored profile's stage timings (milliseconds), as the ``Timer`` recorded them."""
        for stage, ms in timings_ms.items():
            self.stage_seconds.labels(stage).observe(ms / 1000.0)
            budget = self.budget_ms.get(stage)
            if budget is not None and ms > budget:
                self.stage_over_budget.labels(stage).inc()
        if band is not None:
            self.scored.labels(band).inc()

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.request_seconds.labels(route, method).observe(seconds)

    def observe_indexes(self, indexes: IndexSet) -> None:
        """Refresh the index gauges (called at scrape time: sizes change with every upsert)."""
        self.index_info.clear()
        for name, index in indexes.channels.items():
            plan = index.plan
            self.index_vectors.labels(name).set(index.ntotal)
            self.index_bytes.labels(name).set(index.nbytes)
            recall = "" if plan.recall is None else f"{plan.recall:.4f}"
            self.index_info.labels(
                name, plan.family, str(plan.nlist), str(plan.nprobe), recall
            ).set(1)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
