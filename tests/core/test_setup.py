"""The one-time set-up token that claims an empty instance: stored as a digest, single-use, expiring."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from basira.core import orgs, setup
from basira.core.errors import PermissionDenied
from basira.core.instance import Instance
from basira.core.models import SetupToken

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


def _issue(inst: Instance, ttl_s: float = 600) -> str:
    with inst.db.session() as s:
        return setup.issue_token(s, ttl_s, now=NOW)


def _reason(inst: Instance, token: str | None, now: dt.datetime = NOW) -> str:
    with pytest.raises(PermissionDenied) as refused, inst.db.session() as s:
        setup.spend_token(s, token, now=now)
    assert refused.value.status == 403 and refused.value.exit_code == 77
    return str(refused.value.extra["reason"])


def test_only_the_digest_of_a_token_is_stored(instance: Instance) -> None:
    token = _issue(instance)
    with instance.db.session() as s:
        rows = list(s.scalars(select(SetupToken)))
    assert [r.digest for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert rows[0].expires_at == NOW + dt.timedelta(seconds=600) and rows[0].used_at is None


def test_a_token_works_once(instance: Instance) -> None:
    token = _issue(instance)
    with instance.db.session() as s:
        setup.spend_token(s, token, now=NOW)
    assert _reason(instance, token) == "used"


def test_a_token_expires(instance: Instance) -> None:
    token = _issue(instance, ttl_s=60)
    assert _reason(instance, token, NOW + dt.timedelta(seconds=61)) == "expired"
    with instance.db.session() as s:  # nothing was spent by the refusal: just before expiry it works
        setup.spend_token(s, token, now=NOW + dt.timedelta(seconds=59))


@pytest.mark.parametrize(("token", "reason"), [(None, "missing"), ("  ", "missing"), ("nope", "invalid"),
                                               ("x" * 10_000, "invalid"), ("\x00abc", "invalid")])
def test_missing_and_wrong_tokens_are_refused_with_their_reason(
        instance: Instance, token: str | None, reason: str) -> None:
    _issue(instance)
    assert _reason(instance, token) == reason


def test_a_claimed_instance_issues_and_accepts_no_token(instance: Instance) -> None:
    token = _issue(instance)
    with instance.db.session() as s:
        orgs.create_org(s, "test", "acme", "Acme")
    assert _reason(instance, token) == "claimed"
    with pytest.raises(PermissionDenied), instance.db.session() as s:
        setup.issue_token(s, 600)


def test_a_refused_claim_rolls_back_with_its_transaction(instance: Instance) -> None:
    """The token is spent in the transaction that creates the organization: when that fails, it stays valid."""
    token = _issue(instance)
    with pytest.raises(RuntimeError), instance.db.session() as s:
        setup.spend_token(s, token, now=NOW)
        raise RuntimeError("the organization could not be made")
    with instance.db.session() as s:
        setup.spend_token(s, token, now=NOW)
