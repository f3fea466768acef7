"""The one error tree of lunadc.

Every error carries a stable ``code``; the HTTP status table lives in ``lunadc.api.problems``
and the CLI exit-code table in ``lunadc.cli_errors``, nowhere else.
"""

from __future__ import annotations


class LunadcError(Exception):
    """Base of every error lunadc raises on purpose."""

    code = "lunadc.error"

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ConfigError(LunadcError):
    """The node's configuration is missing or wrong."""

    code = "config.invalid"


class NotInitialisedError(ConfigError):
    """No node at the given root."""

    code = "config.no_node"


class InvalidIdentifierError(LunadcError):
    """A LID, VID or LIDVID that does not follow the PDS4 syntax."""

    code = "identifier.invalid"


class LabelError(LunadcError):
    """A label that cannot be read at all (not XML, too big, hostile)."""

    code = "label.unreadable"


class ValidationFailedError(LunadcError):
    """A product whose validation found errors; it was not registered."""

    code = "label.invalid"


class ImmutableVersionError(LunadcError):
    """The same LIDVID is already registered with other bytes."""

    code = "product.immutable"


class NotFoundError(LunadcError):
    """A product, file or other object that does not exist (or may not be seen)."""

    code = "not_found"


class QuerySyntaxError(LunadcError):
    """A search query that does not parse; ``position`` says where."""

    code = "query.syntax"

    def __init__(self, message: str, *, position: int | None = None) -> None:
        super().__init__(message, where=None if position is None else f"at character {position}")
        self.position = position


class BadRequestError(LunadcError):
    """A request whose parameters are wrong (other than a query syntax error)."""

    code = "request.invalid"


class NotAcceptableError(LunadcError):
    """A response format the node cannot produce."""

    code = "request.not_acceptable"


class StorageError(LunadcError):
    """The blob store failed or holds bytes that are not what the catalog says."""

    code = "storage.failed"


class IntegrityError(StorageError):
    """Bytes whose size or checksum differ from what was promised."""

    code = "storage.integrity"


class AuthenticationError(LunadcError):
    """Missing, wrong, expired or revoked credentials."""

    code = "auth.failed"


class PermissionDeniedError(LunadcError):
    """Known user without the role the action needs."""

    code = "auth.forbidden"


class RateLimitedError(LunadcError):
    """Too many failed attempts from one client."""

    code = "auth.rate_limited"


class ConflictError(LunadcError):
    """The request conflicts with the current state (for example a name already taken)."""

    code = "conflict"


class PeerError(LunadcError):
    """A peer node that cannot be reached, or whose answer is refused (bad signature, bad
    bytes, a product it may not send)."""

    code = "federation.peer"
