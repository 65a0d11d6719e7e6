"""One exception hierarchy for the whole of Basira; the API maps it to problem+json, the CLI to exit codes.

Each class sets its own ``status`` and ``exit_code``; subclasses override them in their own body so that
no class inherits a wrong default by accident (a test checks every class).
"""

from __future__ import annotations

from typing import Any, ClassVar


class BasiraError(Exception):
    """Something went wrong that Basira can explain."""

    status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def slug(self) -> str:
        name = type(self).__name__
        return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")


class ConfigurationError(BasiraError):
    """A setting or the environment is wrong."""

    status = 500
    exit_code = 78
    title = "Configuration error"


class InvalidInput(BasiraError):
    """The input is malformed or breaks a documented rule."""

    status = 422
    exit_code = 65
    title = "Invalid input"


class InvalidSignal(InvalidInput):
    """A signal value is not a valid value of its signal type."""

    status = 422
    exit_code = 65
    title = "Invalid signal value"


class UnsupportedContent(InvalidInput):
    """The content cannot be read as the kind it claims to be, or no signal type can read it."""

    status = 415
    exit_code = 65
    title = "Unsupported content"


class ContentTooLarge(InvalidInput):
    """The content is over a configured size limit."""

    status = 413
    exit_code = 65
    title = "Content too large"


class EmptyContent(InvalidInput):
    """The content is empty."""

    status = 400
    exit_code = 65
    title = "Empty content"


class LowQuality(InvalidInput):
    """A perceptual hash is below the configured quality floor."""

    status = 422
    exit_code = 65
    title = "Quality below floor"


class NotAuthenticated(BasiraError):
    """No valid credential came with the request."""

    status = 401
    exit_code = 77
    title = "Not authenticated"


class PermissionDenied(BasiraError):
    """The caller's role or organization may not do this."""

    status = 403
    exit_code = 77
    title = "Permission denied"


class NotFound(BasiraError):
    """The thing does not exist, or the caller may not see it (the two are not told apart)."""

    status = 404
    exit_code = 66
    title = "Not found"


class Conflict(BasiraError):
    """The change clashes with the current state (a duplicate name, a concurrent decision)."""

    status = 409
    exit_code = 75
    title = "Conflict"


class TooManyRequests(BasiraError):
    """The caller went over a rate limit; ``retry_after`` (seconds) says when to try again."""

    status = 429
    exit_code = 75
    title = "Too many requests"


class Busy(BasiraError):
    """The server is at a shared limit (pixels being decoded at once); ``retry_after`` says when to try again."""

    status = 503
    exit_code = 75
    title = "Busy"


class DiskFull(BasiraError):
    """A disk (or quota) filled up while writing: the work stopped where it was, what was recorded is kept."""

    status = 507
    exit_code = 74
    title = "Disk full"


class AuditChainBroken(BasiraError):
    """An audit chain does not verify: an entry was edited, removed or reordered."""

    status = 500
    exit_code = 2
    title = "Audit chain broken"


ALL_ERRORS: tuple[type[BasiraError], ...] = (
    BasiraError,
    ConfigurationError,
    InvalidInput,
    InvalidSignal,
    UnsupportedContent,
    ContentTooLarge,
    EmptyContent,
    LowQuality,
    NotAuthenticated,
    PermissionDenied,
    NotFound,
    Conflict,
    TooManyRequests,
    Busy,
    DiskFull,
    AuditChainBroken,
)
