"""The OpenAPI document as the server behaves: every error answer documented as
``application/problem+json`` (``Problem``) under each status a route can give (400 malformed
request, 401/403 keys, 404, 409, 413, 415 avatar formats, 422 validation, 429 rate limits,
500, 502 fetch failures, 503 not ready or overloaded, 507 storage full), and the configured
limits (links, text lengths, batch and bulk sizes) as the schema's bounds, so a client, or
schemathesis, sees what the server enforces."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from service.api.problems import PROBLEM
from service.config import LimitSettings

ERRORS = {
    "400": "the request is malformed (not JSON, bad multipart)",
    "401": "missing or invalid API key",
    "403": "the key lacks the scope",
    "404": "no such resource",
    "409": "conflicts with the current state (a rebuild already running)",
    "413": "body, batch or image too large",
    "415": "unsupported image format",
    "422": "invalid input",
    "429": "this key's rate or concurrency limit, or too many failed API keys from this "
    "address or with this key's prefix; see Retry-After",
    "500": "unexpected error (logged under the request id)",
    "502": "the profile page could not be fetched",
    "503": "not ready, overloaded or past the request deadline; see Retry-After",
    "507": "the disk is full; nothing was written",
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
_TEXT_FIELDS = ("handle", "display_name", "bio")


class Problem(BaseModel):
    """RFC 9457 problem details, with the request id."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = Field(None, description="also the X-Request-Id header")


def install(app: FastAPI, limits: LimitSettings) -> None:
    """Wrap the app's document (FastAPI's, with the key scheme ``service.api.docs`` declares)
    once it is generated; call after every route is added."""
    generate = app.openapi
    fitted: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        if not fitted:
            fitted.append(_fit(copy.deepcopy(generate()), limits))
        return fitted[0]

    app.openapi = openapi  # type: ignore[method-assign]


def _fit(doc: dict[str, Any], limits: LimitSettings) -> dict[str, Any]:
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in doc.get("paths", {}).values():
        for op in item.values():
            responses = op.setdefault("responses", {})
            for status, description in ERRORS.items():
                if status in ("401", "403", "429") and not op.get("security"):
                    continue
                entry: dict[str, Any] = {"description": description, "content": problem}
                if status in ("429", "503", "507"):
                    entry["headers"] = _RETRY_AFTER
                responses[status] = entry
    # a batch or bulk item over a configured limit fails alone (its problem in a 200 answer),
    # so the items keep the hard bounds that refuse the whole request; the single-profile
    # bodies get the configured ones
    for batch, field, item in (("BatchIn", "profiles", "ProfileIn"),
                               ("BulkIn", "accounts", "AccountIn")):  # fmt: skip
        if batch in schemas and item in schemas:
            schemas[f"Batch{item}"] = copy.deepcopy(schemas[item])
            ref = {"$ref": f"#/components/schemas/Batch{item}"}
            schemas[batch]["properties"][field]["items"] = ref
    for name, schema in schemas.items():
        if name.startswith("Batch"):
            continue
        props = schema.get("properties", {})
        if "links" in props and name.startswith(("Profile", "Account")):
            props["links"]["maxItems"] = limits.max_links
            props["links"].setdefault("items", {})["maxLength"] = 2000
        for field in _TEXT_FIELDS:
            if field in props and name.startswith(("Profile", "Account")):
                props[field]["maxLength"] = limits.max_text_chars
    for name, field, most in (("BatchIn", "profiles", limits.max_batch),
                              ("BulkIn", "accounts", limits.max_bulk)):  # fmt: skip
        if name in schemas:
            schemas[name]["properties"][field]["maxItems"] = most
    return doc
