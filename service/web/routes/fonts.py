"""The pages' webfonts: Noto Color Emoji and Noto Naskh Arabic, served from ``web.fonts_dir``
so that a moderator's browser without its own font for emoji or Arabic script (Urdu, Pashto,
Persian names) still draws them. The stylesheet names each with a ``unicode-range``: a browser
fetches one only for a page that holds such characters, and only when no local font of that
name is installed. Only these files are served; any other name is a 404."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from service.web.state import WebState

router = APIRouter(include_in_schema=False)
FONTS = frozenset({"NotoColorEmoji.ttf", "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"})
CACHE = {"Cache-Control": "public, max-age=604800"}


@router.get("/fonts/{name}")
async def font(request: Request, name: str) -> Response:
    web: WebState = request.state.web
    path = web.settings.web.fonts_dir / name
    if name not in FONTS or not path.is_file():
        return Response("no such font\n", status_code=404, media_type="text/plain")
    return FileResponse(path, media_type="font/ttf", headers=CACHE)
