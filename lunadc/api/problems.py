"""The one table from error to HTTP status, and errors as ``application/problem+json``.

The body carries RFC 9457's ``type, title, status, detail`` and, for PDS API clients (whose
error model requires them), ``message`` and ``request``; ``code`` is lunadc's stable code.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from lunadc import errors

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("lunadc.api")

# Most specific classes first: the first match wins.
STATUS: tuple[tuple[type[errors.LunadcError], int], ...] = (
    (errors.NotFoundError, 404),
    (errors.QuerySyntaxError, 400),
    (errors.BadRequestError, 400),
    (errors.InvalidIdentifierError, 400),
    (errors.NotAcceptableError, 406),
    (errors.LabelError, 422),
    (errors.ValidationFailedError, 422),
    (errors.ImmutableVersionError, 409),
    (errors.ConflictError, 409),
    (errors.AuthenticationError, 401),
    (errors.PermissionDeniedError, 403),
    (errors.RateLimitedError, 429),
    (errors.IntegrityError, 500),
    (errors.StorageError, 503),
    (errors.ConfigError, 500),
)


def status_for(error: errors.LunadcError) -> int:
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return 500


def problem(
    request: Request,
    status: int,
    detail: str,
    code: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body = {
        "type": f"urn:lunadc:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "message": detail,
        "request": str(request.url),
        **extra,
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=status,
        media_type=PROBLEM_TYPE,
        headers=headers,
    )


def _lunadc_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.LunadcError)
    status = status_for(exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.QuerySyntaxError) and exc.position is not None:
        extra["position"] = exc.position
    headers: dict[str, str] = {}
    if isinstance(exc, errors.AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="lunadc"'
    if isinstance(exc, errors.RateLimitedError):
        headers["Retry-After"] = "60"
    return problem(request, status, str(exc), exc.code, headers=headers or None, **extra)


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return problem(request, 400, "; ".join(parts) or "invalid request", errors.BadRequestError.code)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "request.method"}.get(exc.status_code, "http")
    return problem(request, exc.status_code, str(exc.detail), code, headers=dict(exc.headers or {}))


def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(request, 500, "internal error (logged on the node)", "internal")


def install(app: FastAPI) -> None:
    """Make every error of ``app`` a problem+json response."""
    app.add_exception_handler(errors.LunadcError, _lunadc_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
