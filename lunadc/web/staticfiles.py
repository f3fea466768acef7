"""Static assets of the UI under ``/ui/static/``: the built bundle and a few source files.

Pre-compressed ``.gz`` siblings written by the build are sent to browsers that accept gzip,
so the first page stays small on the wire without compressing on every request.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).with_name("static")
BUILD_DIR = STATIC_DIR / "build"
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}

router = APIRouter(prefix="/ui/static", include_in_schema=False)


def _resolve(path: str) -> Path:
    root = STATIC_DIR.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file() or target.suffix == ".gz":
        raise HTTPException(status_code=404, detail="no such asset")
    return target


@router.get("/{path:path}")
def asset(path: str, request: Request) -> Response:
    target = _resolve(path)
    media_type = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
    headers = {"Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    gz = target.with_name(target.name + ".gz")
    accepts_gzip = "gzip" in request.headers.get("accept-encoding", "").lower()
    if accepts_gzip and gz.is_file() and gz.stat().st_mtime >= target.stat().st_mtime:
        headers["Content-Encoding"] = "gzip"
        return FileResponse(gz, media_type=media_type, headers=headers)
    return FileResponse(target, media_type=media_type, headers=headers)
