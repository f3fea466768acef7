"""The one table from error to CLI exit code (and nothing else decides exit codes)."""

from __future__ import annotations

from lunadc import errors

EXIT_OK = 0
EXIT_REJECTED = 1  # the command ran but some input was rejected (for example an ingest)
EXIT_USAGE = 2  # typer/click's own code for wrong arguments

# Most specific classes first: the first match wins.
EXIT_CODES: tuple[tuple[type[errors.LunadcError], int], ...] = (
    (errors.NotInitialisedError, 3),
    (errors.ConfigError, 3),
    (errors.NotFoundError, 4),
    (errors.QuerySyntaxError, 5),
    (errors.BadRequestError, 5),
    (errors.InvalidIdentifierError, 5),
    (errors.LabelError, 5),
    (errors.ValidationFailedError, 5),
    (errors.NotAcceptableError, 5),
    (errors.ImmutableVersionError, 6),
    (errors.ConflictError, 6),
    (errors.IntegrityError, 7),
    (errors.StorageError, 7),
    (errors.AuthenticationError, 8),
    (errors.PermissionDeniedError, 8),
    (errors.RateLimitedError, 8),
)
EXIT_OTHER = 9


def exit_code_for(error: errors.LunadcError) -> int:
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return EXIT_OTHER
