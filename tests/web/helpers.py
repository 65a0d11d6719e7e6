"""Helpers of the web tests: read a form's CSRF token, sign in through the real form."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str, **extra: Any) -> Any:
    """Fetch the sign-in page, post its form, return the (redirect-followed) response."""
    page = client.get("/login")
    return client.post("/login", data={"csrf": csrf_of(page.text), "username": username, "password": password,
                                       **extra})


def make_user(instance: Any, admin: Any, username: str, role: str, locale: str = "en") -> int:
    """A user of the admin's organization, with ``PASSWORD``; returns their id."""
    from basira.core import orgs

    with instance.db.session() as s:
        return orgs.create_user(s, admin, admin.org_id, username, PASSWORD, role, locale=locale).id


def photo_case(instance: Any, admin: Any, ref: str, values: list[str], *, bank: str = "Crisis incident 2027-03",
               labels: list[str] | None = None, content_type: str = "photo", **policy: Any) -> int:
    """A real case: a bank of MD5 values (``core.banks.add_signals``), an item matched against it
    (``core.matching.match_item``, which writes ``match.recorded``) and the review consumer; returns its id."""
    from sqlalchemy import select

    from basira.core import banks
    from basira.core.matching import MatchRequest, match_item
    from basira.review import consume
    from basira.review.models import Case
    from basira.review.policy import ReviewPolicy

    with instance.db.session() as s:
        b = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name=bank, tlp="AMBER"))
        banks.add_signals(s, admin, instance.registry, instance.settings, b.id, [
            banks.SignalSpec("md5", v, entry_ref=f"{bank}/{n}.jpg", content_type=content_type,
                             labels=labels or ["propaganda"], provenance="Partner hash list 2027-03")
            for n, v in enumerate(values)], audit_each=False)
    with instance.db.session() as s:
        match_item(s, admin, instance.registry, instance.indexes, instance.settings,
                   MatchRequest(signals=[("md5", v) for v in values], ref=ref, content_type=content_type))
    consume(instance.db.session, policy=ReviewPolicy(**policy))
    with instance.db.session() as s:
        return s.scalars(select(Case.id).where(Case.group_key == f"item:{ref}")).one()
