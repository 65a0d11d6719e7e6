"""Every error class reports its own status and exit code (no inherited wrong default)."""

from __future__ import annotations

import pytest

from basira.core import errors

# (class, HTTP status, CLI exit code)
EXPECTED = [
    (errors.BasiraError, 500, 1),
    (errors.ConfigurationError, 500, 78),
    (errors.InvalidInput, 422, 65),
    (errors.InvalidSignal, 422, 65),
    (errors.UnsupportedContent, 415, 65),
    (errors.ContentTooLarge, 413, 65),
    (errors.EmptyContent, 400, 65),
    (errors.LowQuality, 422, 65),
    (errors.NotAuthenticated, 401, 77),
    (errors.PermissionDenied, 403, 77),
    (errors.NotFound, 404, 66),
    (errors.Conflict, 409, 75),
    (errors.TooManyRequests, 429, 75),
    (errors.Busy, 503, 75),
    (errors.DiskFull, 507, 74),
    (errors.AuditChainBroken, 500, 2),
]


def test_every_error_class_is_in_the_table() -> None:
    assert {c for c, _, _ in EXPECTED} == set(errors.ALL_ERRORS)


@pytest.mark.parametrize(("cls", "status", "exit_code"), EXPECTED)
def test_error_class_reports_its_status(cls: type[errors.BasiraError], status: int, exit_code: int) -> None:
    e = cls("why")
    assert (e.status, e.exit_code, e.detail) == (status, exit_code, "why")
    assert cls.__doc__ and cls.__doc__.strip().endswith(".")
    assert "title" in cls.__dict__, "each class sets its own title"
