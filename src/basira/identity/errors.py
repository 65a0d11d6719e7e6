"""The errors of signing in through an identity provider (statuses and exit codes set in each class's body)."""

from __future__ import annotations

from basira.core.errors import BasiraError, PermissionDenied


class SignInRefused(PermissionDenied):
    """A sign-in through the identity provider was refused; ``reason`` says why in one word for the page."""

    title = "Sign-in refused"
    status = 403
    exit_code = 77

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class ProviderUnavailable(BasiraError):
    """The identity provider could not be reached or answered something that is not OpenID Connect."""

    title = "Identity provider unavailable"
    status = 502
    exit_code = 69
