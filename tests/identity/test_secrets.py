"""Secrets at rest under the instance key: round trip, another key or an altered value never opens."""

from __future__ import annotations

import pytest

from basira.core.errors import ConfigurationError
from basira.identity import secrets
from basira.identity.errors import ProviderUnavailable, SignInRefused


def test_value_opens_with_the_same_key_and_purpose_only() -> None:
    stored = secrets.encrypt("instance-key", "client secret ✓", "oidc-client-secret")
    assert "client secret" not in stored
    assert secrets.decrypt("instance-key", stored, "oidc-client-secret") == "client secret ✓"
    with pytest.raises(ConfigurationError):
        secrets.decrypt("another-instance-key", stored, "oidc-client-secret")
    with pytest.raises(ConfigurationError):
        secrets.decrypt("instance-key", stored, "another-purpose")


@pytest.mark.parametrize("stored", ["", "plain", "v1:not base64!", "v1:" + "A" * 8, "v2:AAAA"])
def test_corrupt_stored_values_are_configuration_errors(stored: str) -> None:
    with pytest.raises(ConfigurationError):
        secrets.decrypt("instance-key", stored, "oidc-client-secret")


def test_each_encryption_is_different() -> None:
    assert secrets.encrypt("k", "same", "p") != secrets.encrypt("k", "same", "p")


@pytest.mark.parametrize(("cls", "status", "exit_code"), [(SignInRefused, 403, 77), (ProviderUnavailable, 502, 69)])
def test_identity_errors_report_their_own_status(cls: type, status: int, exit_code: int) -> None:
    e = cls("why", "detail") if cls is SignInRefused else cls("detail")
    assert (e.status, e.exit_code, e.detail) == (status, exit_code, "detail")
    assert "title" in cls.__dict__
