"""API keys (scope ``admin``): create one (shown once), list them, revoke one. Keys live in the
store: every replica accepts a new key, and refuses a revoked one, within its poll interval
(``replicas.poll_s``), without a restart. Keys from ``MIRRORSCAN_API_KEYS`` are not listed here
and are removed there."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import Admin, RuntimeDep
from service.store.apikeys import StoredKey
from service.usecases import keys

router = APIRouter(prefix="/v1/keys", tags=["keys"])
Scope = Literal["score", "bank:write", "admin"]


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(
        min_length=1,
        max_length=keys.MAX_LABEL,
        pattern=keys.LABEL_PATTERN,
        description="who or what uses the key (a person or a system); shown in the audit log",
        examples=["Ayesha (moderation team)"],
    )
    scopes: list[Scope] = Field(min_length=1, max_length=3, examples=[["score"]])


class KeyOut(BaseModel):
    id: str
    label: str
    scopes: list[str]
    prefix: str = Field(description="the key's first characters, to tell keys apart")
    created_by: str
    created_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def of(cls, k: StoredKey) -> KeyOut:
        return cls(
            id=k.id,
            label=k.label,
            scopes=list(k.scopes),
            prefix=k.prefix,
            created_by=k.created_by,
            created_at=k.created_at,
            revoked_at=k.revoked_at,
        )


class KeyCreated(KeyOut):
    key: str = Field(description="the key itself: shown this once, only its hash is kept")


class KeyList(BaseModel):
    keys: list[KeyOut]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyCreated,
    summary="Create an API key (shown once)",
)
async def create_key(body: KeyIn, runtime: RuntimeDep, admin: Admin) -> KeyCreated:
    stored, key = await asyncio.to_thread(
        keys.create_key, runtime.shared, admin.label, body.label, body.scopes
    )
    await asyncio.to_thread(runtime.follow_now)  # usable here at once, elsewhere within a poll
    return KeyCreated(**KeyOut.of(stored).model_dump(), key=key)


@router.get("", response_model=KeyList, summary="API keys in the store (never the keys)")
async def list_keys(
    runtime: RuntimeDep, _admin: Admin, include_revoked: bool = Query(False)
) -> KeyList:
    found = await asyncio.to_thread(keys.list_keys, runtime.shared, include_revoked=include_revoked)
    return KeyList(keys=[KeyOut.of(k) for k in found])


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key (and end the moderator sessions it opened)",
    responses={404: {"description": "no active key with that id (problem+json)"}},
)
async def revoke_key(key_id: str, runtime: RuntimeDep, admin: Admin) -> Response:
    await asyncio.to_thread(keys.revoke_key, runtime.shared, admin.label, key_id[:64])
    await asyncio.to_thread(runtime.follow_now)  # refused here at once, elsewhere within a poll
    return Response(status_code=status.HTTP_204_NO_CONTENT)
