"""Test data built in one place, through the real services: banks of made-up MD5 values, items matched against
them, cases opened from those matches, people who sign in, and a client for the HTTP API.

Values are made-up MD5 digests (``A``, ``B``, ``C``): no real material anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from basira.core import banks, users
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, match_item
from basira.core.models import Base
from basira.core.principal import Principal

A, B, C = "a" * 32, "b" * 32, "c" * 32
#: The password of every person :func:`make_user` makes (long enough for the password rule).
PASSWORD = "correct horse battery staple"


# -- banks, items, cases ------------------------------------------------------------------------------------------

def make_bank(instance: Instance, owner: Principal, name: str, values: Sequence[str], *, copies: int = 1,
              labels: Sequence[str] = ("test",), provenance: str = "", content_type: str = "",
              entry_refs: Sequence[str] | None = None, **spec: Any) -> list[int]:
    """A bank of MD5 ``values``, each ``copies`` times on different entries; returns the signal ids.

    Entries are named ``{name}-{value[:4]}-{copy}`` unless ``entry_refs`` names one per value; ``spec`` goes to
    :class:`basira.core.banks.BankSpec` (``tlp``, ``negative``...).
    """
    refs = list(entry_refs) if entry_refs is not None else None
    with instance.db.session() as s:
        bank = banks.create_bank(s, owner, instance.registry, banks.BankSpec(name=name, **spec))
        specs = [banks.SignalSpec("md5", v, entry_ref=refs[n] if refs else f"{name}-{v[:4]}-{i}",
                                  content_type=content_type, labels=list(labels), provenance=provenance)
                 for n, v in enumerate(values) for i in range(copies)]
        return [sig.id for sig in banks.add_signals(s, owner, instance.registry, instance.settings, bank.id, specs,
                                                    audit_each=False)]


def submit(instance: Instance, who: Principal, values: Sequence[str], ref: str = "post-1",
           content_type: str = "") -> dict[str, Any]:
    """Match an item made of MD5 values, as a platform would, and store it (writes ``match.recorded``)."""
    with instance.db.session() as s:
        return match_item(s, who, instance.registry, instance.indexes, instance.settings,
                          MatchRequest(signals=[("md5", v) for v in values], ref=ref, content_type=content_type))


def run_consumer(instance: Instance, **kw: Any) -> Any:
    """Turn the outbox's new events into cases (:func:`basira.review.consume`)."""
    from basira.review import consume

    return consume(instance.db.session, **kw)


def open_case(instance: Instance, admin: Principal, ref: str, values: Sequence[str], *, bank: str | None = None,
              content_type: str = "", policy: dict[str, Any] | None = None, **bank_options: Any) -> int:
    """A real case: a bank of ``values``, an item ``ref`` matched against it, and the review consumer; returns the
    case's id. ``policy`` holds :class:`basira.review.policy.ReviewPolicy` fields."""
    from basira.review.models import Case
    from basira.review.policy import ReviewPolicy

    make_bank(instance, admin, bank or f"bank-{ref}", values, content_type=content_type, **bank_options)
    submit(instance, admin, values, ref=ref, content_type=content_type)
    run_consumer(instance, policy=ReviewPolicy(**(policy or {})))
    with instance.db.session() as s:
        return s.scalars(select(Case.id).where(Case.group_key == f"item:{ref}")).one()


def count(instance: Instance, model: type[Base]) -> int:
    """How many rows ``model``'s table holds."""
    with instance.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# -- people ---------------------------------------------------------------------------------------------------------

def make_user(instance: Instance, admin: Principal, username: str, role: str, locale: str = "en") -> int:
    """A person of the admin's organization who signs in with :data:`PASSWORD`; returns their id."""
    with instance.db.session() as s:
        return users.create_user(s, admin, admin.org_id, username, PASSWORD, role, locale=locale).id


# -- the HTTP API ---------------------------------------------------------------------------------------------------

def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def problem(response: Any, status: int) -> dict[str, Any]:
    """Check that ``response`` is a problem+json answer of ``status`` with a title and a detail; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


class Api:
    """The test client with a default key; ``as_(key)`` gives the same client with another key."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.key = key

    def as_(self, key: str) -> Api:
        return Api(self.client, key)

    def request(self, method: str, url: str, **kw: Any) -> Any:
        headers = {**auth(self.key), **kw.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kw)

    def get(self, url: str, **kw: Any) -> Any:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.request("POST", url, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self.request("PUT", url, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.request("PATCH", url, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.request("DELETE", url, **kw)

    def bank(self, name: str, tlp: str = "AMBER", **extra: Any) -> dict[str, Any]:
        r = self.post("/v1/banks", json={"name": name, "tlp": tlp, **extra})
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def add(self, bank: int | str, signal_type: str, value: str, **extra: Any) -> dict[str, Any]:
        r = self.post(f"/v1/banks/{bank}/signals", json={"signal_type": signal_type, "value": value, **extra})
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()["signals"][0]
        return body

    def match(self, *signals: tuple[str, str], **extra: Any) -> Any:
        return self.post("/v1/match", json={
            "signals": [{"signal_type": t, "value": v} for t, v in signals], **extra})


def with_content(settings: Any, **changes: Any) -> Any:
    """``settings`` with some of the content front's settings changed (they live in its own section)."""
    import dataclasses

    from basira.content.settings import ContentSettings

    return settings.with_section(dataclasses.replace(settings.of(ContentSettings), **changes))


@contextmanager
def serving(app: Any, port: int = 0) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port (or ``port``, to restart a server where it was), in a
    thread; yields its base URL (real sockets, for browsers, event streams and tests that control every byte
    sent)."""
    import socket
    import threading
    import time

    import pytest
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        srv.force_exit = True  # an event stream stays open until its browser goes
        thread.join(timeout=10)
        sock.close()
