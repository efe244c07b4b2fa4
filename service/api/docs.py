"""Interactive API docs that work offline: Swagger UI at ``/docs`` from the assets bundled in the
``fastapi-offline`` PyPI package (no CDN), and an OpenAPI document that declares the
``X-API-Key`` scheme, so Swagger UI's "Authorize" sends the key on every call.

FastAPI's own ``/docs`` and ``/redoc`` load their scripts from a CDN with an inline script;
``install`` replaces them. The page carries a Content-Security-Policy of its own (scripts,
styles and fetches from this site only), which the request middleware keeps."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute, Route

SCHEME = "ApiKey"
HEADER = "X-API-Key"
ASSETS = "/docs/assets"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def assets_dir() -> Path:
    """Swagger UI's files (``swagger-ui-bundle.js``, ``swagger-ui.css``) as the package ships
    them; the version is pinned in pyproject.toml."""
    return Path(str(files("fastapi_offline") / "static"))


def install(app: FastAPI) -> None:
    """Serve Swagger UI from the package at ``/docs`` (no ReDoc) and declare the key scheme."""
    default_docs = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}
    app.router.routes[:] = [r for r in app.router.routes if not _is_path(r, default_docs)]
    app.docs_url = "/docs"
    app.redoc_url = None
    app.swagger_ui_oauth2_redirect_url = None
    page = _page(app.title)
    init = _init_script(app.openapi_url or "/openapi.json")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(page, headers={"content-security-policy": CSP})

    @app.get("/docs/init.js", include_in_schema=False)
    async def swagger_init() -> Response:
        return Response(init, media_type="text/javascript")

    app.mount(ASSETS, StaticFiles(directory=assets_dir()), name="docs-assets")
    app.openapi = _with_key_scheme(app.openapi)  # type: ignore[method-assign]


def _is_path(route: BaseRoute, paths: set[str | None]) -> bool:
    return isinstance(route, Route) and route.path in paths


def _page(title: str) -> str:
    # relative URLs, so the page also works under a proxy's path prefix (root_path)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}: API docs</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
<link rel="icon" href="docs/assets/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
"""


def _init_script(openapi_url: str) -> str:
    url = openapi_url.lstrip("/")  # relative to the page, like the assets
    return f"""window.ui = SwaggerUIBundle({{
  url: "{url}",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}});
"""


def _with_key_scheme(generate: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    def openapi() -> dict[str, Any]:
        schema = generate()  # FastAPI caches it; declaring the scheme twice changes nothing
        declare_key_scheme(schema)
        return schema

    return openapi


def declare_key_scheme(schema: dict[str, Any]) -> None:
    """Add the ``X-API-Key`` security scheme, and on every operation that reads that header
    replace the header parameter by the security requirement (what Swagger UI's "Authorize"
    fills in). Operations without it (``/healthz``, ``/readyz``) stay open."""
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})[SCHEME] = {
        "type": "apiKey",
        "in": "header",
        "name": HEADER,
        "description": "An API key with the operation's scope (score, bank:write or admin).",
    }
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            params = operation.get("parameters", [])
            keep = [p for p in params if not _is_key_header(p)]
            if len(keep) == len(params):
                continue
            if keep:
                operation["parameters"] = keep
            else:
                operation.pop("parameters", None)
            operation["security"] = [{SCHEME: []}]


def _is_key_header(param: dict[str, Any]) -> bool:
    return param.get("in") == "header" and str(param.get("name", "")).lower() == HEADER.lower()
