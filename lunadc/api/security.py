"""Who a request speaks for (Bearer tokens), failed-auth rate limiting, security headers.

``viewer_for_request`` is what ``deps.get_viewer`` calls: no ``Authorization`` header means
anonymous; a bad, expired or revoked token is a 401 (never silently anonymous, so a client
knows its token is wrong), recorded in the audit trail with the client address and never
the token itself; too many failures from one client are refused with 429 for a while.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lunadc.access.authenticate import VerifiedTokens, authenticate_and_touch, bearer_token
from lunadc.access.ratelimit import FailureLimiter
from lunadc.access.tokens import split_token
from lunadc.catalog import audit
from lunadc.catalog.db import begin_write
from lunadc.errors import AuthenticationError, RateLimitedError
from lunadc.model.access import ANONYMOUS, Viewer
from lunadc.model.times import format_time
from lunadc.node import Node

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}
# JSON and files need no scripts at all; HTML pages of the web UI set their own policy.
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'"


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _audit_failure(node: Node, request: Request, reason: str, token: str | None) -> None:
    parts = split_token(token) if token else None
    with begin_write(node.engine) as conn:
        audit.record(
            conn,
            at=format_time(node.clock()),
            actor=None,
            action="auth_failed",
            target=parts[0] if parts else None,  # the public token id only, never the secret
            client=client_of(request),
            detail={"reason": reason, "path": request.url.path},
        )


async def viewer_for_request(request: Request) -> Viewer:
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    node: Node = request.app.state.node
    limiter: FailureLimiter = request.app.state.auth_limiter
    client = client_of(request)
    token: str | None = None
    try:
        token = bearer_token(header)
        if token is None:
            return ANONYMOUS
        now = format_time(node.clock())
        cache: VerifiedTokens = request.app.state.verified_tokens
        hit = cache.get(token, now)
        if hit is not None:
            # Verified moments ago by a request the limiter let through (a token enters the
            # cache no other way): no thread hop, no query, not even the limiter's.
            return hit
        # The limiter may read the workers' shared state file: off the event loop.
        wait = await run_in_threadpool(limiter.blocked_for, client)
        if wait > 0:
            raise RateLimitedError(
                f"too many failed sign-ins from {client}; try again in {int(wait) + 1} s"
            )
        return await run_in_threadpool(authenticate_and_touch, node.engine, token, now, cache)
    except AuthenticationError as error:
        await run_in_threadpool(limiter.failed, client)
        await run_in_threadpool(_audit_failure, node, request, error.message, token)
        raise


class SecurityHeaders:
    """Adds the security headers to every response, and keeps what a signed-in user sees out
    of shared caches.

    A plain ASGI middleware that only rewrites the ``http.response.start`` message: Starlette's
    ``@app.middleware("http")`` (BaseHTTPMiddleware) runs each request in an extra task with
    a memory stream, which cost more than most of our endpoints themselves.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        signed_in = any(name == b"authorization" for name, _ in scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
                if signed_in:
                    headers["Cache-Control"] = "private, no-store"
                    vary = headers.get("Vary")
                    headers["Vary"] = f"{vary}, Authorization" if vary else "Authorization"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security(
    app: FastAPI, *, cors_origins: tuple[str, ...] = (), limiter: FailureLimiter | None = None
) -> None:
    """Security headers on every response; failed-auth limiter; CORS only if configured."""
    app.state.auth_limiter = limiter or FailureLimiter()
    app.state.verified_tokens = VerifiedTokens()

    app.add_middleware(SecurityHeaders)

    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "HEAD"],
            allow_headers=["Authorization", "Accept", "Range"],
            expose_headers=["ETag", "Content-Range", "Digest", "Content-MD5"],
        )
