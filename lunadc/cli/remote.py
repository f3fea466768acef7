"""GET a JSON answer from another node's API for a CLI command (``--url``), errors mapped."""

from __future__ import annotations

from typing import Any

from lunadc.errors import BadRequestError, LunadcError, NotFoundError

Query = list[tuple[str, str | int | float | bool | None]]


def get_json(
    url: str,
    path: str,
    query: Query,
    *,
    timeout: float,
    message_key: str,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON body of ``GET url/path``; a 4xx/5xx becomes a NotFound or BadRequest error
    quoting the node's ``message_key`` of its problem body."""
    import httpx  # only commands that ask another node pay for it

    try:
        response = httpx.get(url.rstrip("/") + path, params=query, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise LunadcError(f"cannot reach {url}: {exc}") from exc
    if response.status_code >= 400:
        try:
            message = response.json().get(message_key) or response.text
        except ValueError:
            message = response.text[:300]
        error = NotFoundError if response.status_code == 404 else BadRequestError
        raise error(f"{url} answered {response.status_code}: {message}")
    body: dict[str, Any] = response.json()
    return body
