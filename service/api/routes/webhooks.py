"""Webhook subscriptions (admin): events ``block``, ``review``, ``decision``, ``bank.changed``,
delivered signed and at least once from the store's outbox (``service.usecases.webhooks``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import Admin, PipelineDep, RuntimeDep
from service.errors import NotFound
from service.store.outbox import Delivery, Webhook
from service.usecases import webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
Event = Literal["block", "review", "decision", "bank.changed"]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., min_length=1, max_length=2000, examples=["https://hooks.example.org/ms"])
    secret: str = Field(
        ...,
        min_length=16,
        max_length=200,
        description="signs each delivery (HMAC-SHA256); never shown again",
    )
    events: list[Event] = Field(..., min_length=1)  # fmt: skip


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    created_by: str
    created_at: datetime
    deliveries: dict[str, int] = Field(default_factory=dict, description="by status")

    @classmethod
    def of(cls, w: Webhook, counts: dict[str, int] | None = None) -> WebhookOut:
        return cls(id=w.id, url=w.url, events=list(w.events), created_by=w.created_by,
                   created_at=w.created_at, deliveries=counts or {})  # fmt: skip


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]


class DeliveryOut(BaseModel):
    id: int
    event_id: str
    type: str
    status: str
    attempts: int
    next_at: datetime
    last_status: int | None
    last_error: str
    delivered_at: datetime | None

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(id=d.id, event_id=d.event_id, type=d.type, status=d.status,
                   attempts=d.attempts, next_at=d.next_at, last_status=d.last_status,
                   last_error=d.last_error, delivered_at=d.delivered_at)  # fmt: skip


class DeliveryList(BaseModel):
    deliveries: list[DeliveryOut]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookOut,
             summary="Subscribe a URL to events")  # fmt: skip
async def create(
    body: WebhookIn, runtime: RuntimeDep, pipeline: PipelineDep, caller: Admin
) -> WebhookOut:
    """The target must pass the fetcher's address rules (https, port 443, a public address),
    unless ``MIRRORSCAN_WEBHOOKS__ALLOW_PRIVATE_TARGETS=true`` for receivers on your own
    network; a refused target is a 422 problem."""
    hook = await runtime.run(webhooks.subscribe, pipeline.store, runtime.settings.webhooks,
                             caller.label, body.url, body.secret, body.events)  # fmt: skip
    return WebhookOut.of(hook)


@router.get("", response_model=WebhookList, summary="Subscriptions with delivery counts")
async def list_(runtime: RuntimeDep, pipeline: PipelineDep, _caller: Admin) -> WebhookList:
    outbox = pipeline.store.outbox
    hooks = await runtime.run(outbox.webhooks)
    return WebhookList(webhooks=[WebhookOut.of(h, await runtime.run(outbox.counts, h.id))
                                 for h in hooks])  # fmt: skip


@router.get("/{webhook_id}", response_model=WebhookOut, summary="One subscription")
async def get(webhook_id: str, runtime: RuntimeDep, pipeline: PipelineDep,
              _caller: Admin) -> WebhookOut:  # fmt: skip
    outbox = pipeline.store.outbox
    hook = await runtime.run(outbox.webhook, webhook_id)
    if hook is None:
        raise NotFound(f"no webhook with id {webhook_id!r}")
    return WebhookOut.of(hook, await runtime.run(outbox.counts, webhook_id))


@router.get("/{webhook_id}/deliveries", response_model=DeliveryList, summary="Delivery log")
async def deliveries(
    webhook_id: str,
    runtime: RuntimeDep,
    pipeline: PipelineDep,
    _caller: Admin,
    status_: Annotated[Literal["pending", "delivered", "dead", "cancelled"] | None,
                       Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DeliveryList:  # fmt: skip
    found = await runtime.run(pipeline.store.outbox.deliveries, webhook_id, status=status_,
                              limit=limit)  # fmt: skip
    return DeliveryList(deliveries=[DeliveryOut.of(d) for d in found])


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Unsubscribe (pending deliveries are cancelled)")  # fmt: skip
async def delete(webhook_id: str, runtime: RuntimeDep, pipeline: PipelineDep,
                 caller: Admin) -> Response:  # fmt: skip
    await runtime.run(webhooks.unsubscribe, pipeline.store, caller.label, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
