"""A whole site to walk: an instance on SQLite with the demo loaded (a photo, a text, a screening and a drone case,
banks, a list, a zone) and what the demo leaves out (people of every role, a removal order, a crisis incident, an
exercise), then every HTML page of the app found from its routes, path parameters filled from that data.

The page tests (every page in Arabic and French without English source strings; every page at phone width without
horizontal overflow) walk :func:`pages`; a page added later is walked as soon as its route exists, and a route whose
path parameter this module cannot fill fails the walk (add the parameter to :attr:`Site.params`).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from tests.web.helpers import sign_in

from basira.actions import webhooks
from basira.core import groups, orgs
from basira.core.instance import Instance
from basira.core.models import Bank, Base
from basira.core.principal import system_principal
from basira.core.settings import load_settings
from basira.demo import seed_demo
from basira.drones.models import DroneTrack
from basira.exercise import service as exercises
from basira.legal import authorities
from basira.legal.orders import OrderRequest, annex_fields, receive
from basira.review.models import Case
from basira.sharing import incidents

PASSWORD = "correct horse battery staple 42"
# Routes that are not pages of the web interface (the API's own documents, probes, files).
NOT_PAGES = ("/docs", "/openapi.json", "/metrics", "/static/", "/health/")
# Addresses that show an error page: an unknown URL, an unknown case.
ERROR_PAGES = ("/no/such/page", "/cases/999999")
AUTHORITY_SECRET = "00" * 32
# What a browser asks for (an error page is HTML only for a request that accepts it).
BROWSER_HEADERS = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@dataclass
class Site:
    """The instance, the demo admin's password, and the values of each path parameter."""

    instance: Instance
    username: str
    password: str
    params: dict[str, list[str]] = field(default_factory=dict)

    def values(self, name: str) -> list[str]:
        """The values of path parameter ``name``: those given, else for ``<thing>_id`` the first ids of the table
        of things (``webhook_id``: ``webhooks``; ``incident_id``: ``sharing_incidents``), else none."""
        if self.params.get(name):
            return self.params[name]
        if not name.endswith("_id"):
            return []
        plural = name.removesuffix("_id") + "s"
        tables = [t for t in Base.metadata.sorted_tables if t.name == plural or t.name.endswith("_" + plural)]
        table = min(tables, key=lambda t: len(t.name)) if tables else None
        if table is None or "id" not in table.c:
            return []
        with self.instance.db.session() as s:
            return [str(i) for i in s.scalars(select(table.c.id).order_by(table.c.id).limit(2))]


def build_site(template: Path, folder: Path) -> Site:
    """An instance in ``folder`` (a copy of the migrated SQLite ``template``) with data of every kind."""
    data = folder / "data"
    data.mkdir(parents=True)
    shutil.copy(template, data / "basira.db")
    inst = Instance(load_settings(environ={}, data_dir=data, database_url=f"sqlite:///{data / 'basira.db'}",
                                  secret_key="test-secret", worker_interval_s=0))
    result = seed_demo(inst)
    assert result.password is not None
    with inst.db.session() as s:
        org_id = orgs.get_org(s, result.org_slug).id
        admin = system_principal(org_id, actor="test")
        for name, role in (("rita", "reviewer"), ("anna", "analyst"), ("aude", "auditor")):
            orgs.create_user(s, admin, org_id, name, PASSWORD, role)
        bank_ids = [str(b) for b in s.scalars(select(Bank.id).order_by(Bank.id))]
        incident = incidents.declare(s, admin, "Drill 2027-03", int(bank_ids[0]), "A made-up crisis.").id
        groups.create_group(s, admin, "Regional partners", [])
        hook, _ = webhooks.create_webhook(s, admin, webhooks.WebhookSpec(
            url="https://hooks.example.org/basira", events=["case.decided"], name="Trust and safety desk"))
        hook_id = str(hook.id)
        authorities.register(s, admin, authorities.AuthoritySpec("DE-BKA", "DE", "Europe/Berlin", "hmac-sha256",
                                                                 AUTHORITY_SECRET))
    _removal_order(inst, admin)
    plan, site_name, site_doc = exercises.load_plan(inst, "stadium-night", None)
    started = exercises.start(inst, "test", plan=plan, site_name=site_name, site_doc=site_doc, slug="drill")
    with inst.db.session() as s:
        cases = [str(c) for c in s.scalars(select(Case.id).order_by(Case.id))]
        tracks = [str(t) for t in s.scalars(select(DroneTrack.id).order_by(DroneTrack.id))]
    return Site(inst, result.username, result.password, {
        "case_id": cases, "bank_id": bank_ids, "track_id": tracks, "incident_id": [str(incident)], "hook_id": [hook_id],
        "slug": [started.org_slug], "org_slug": [result.org_slug], "fmt": ["csv"], "z": ["0"], "x": ["0"], "y": ["0"],
    })


def _removal_order(inst: Instance, admin: object) -> None:
    request = OrderRequest(
        authority="DE-BKA", reference="BKA-2026-0001", member_state="DE", urls=["https://video.example/watch/abc"],
        grounds="Calls to commit attacks (made-up test order).", grounds_points=["a"],
        redress="Administrative court of Wiesbaden, within one month.", signatory="Officer on duty",
        issued_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    request.signature = authorities.sign_hmac(AUTHORITY_SECRET, authorities.signed_body(annex_fields(request,
                                                                                                      "DE-BKA")))
    receive(inst.db.session, admin, request, inst.secret_key)  # type: ignore[arg-type]


def page_routes(app: FastAPI) -> list[str]:
    """The path of every GET route of the web interface (not the API's), in the app's order."""
    found: list[str] = []
    for route in iter_route_contexts(app.routes):
        path, methods = route.path, route.methods or set()
        if "GET" not in methods or getattr(route, "include_in_schema", True) or path.startswith(NOT_PAGES):
            continue
        if path not in NOT_PAGES and path not in found:
            found.append(path)
    return found


_PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _fill(path: str, site: Site) -> Iterator[str]:
    """Each address of ``path`` with its parameters taken from ``site`` (every value of the first one, the
    first value of the others)."""
    names = _PARAM.findall(path)
    params = {n: site.values(n) for n in names}
    missing = [n for n in names if not params[n]]
    if missing:
        raise LookupError(f"tests/web/site.py has no value for {missing} of {path}: add them to Site.params")
    firsts = params[names[0]] if names else [""]
    for first in firsts:
        values = {name: params[name][0] for name in names} | ({names[0]: first} if names else {})
        yield _PARAM.sub(lambda m, v=values: v[m.group(1)], path)


def browser_client(base: str) -> httpx.Client:
    """A client that asks for pages as a browser does."""
    return httpx.Client(base_url=base, timeout=30, follow_redirects=True, headers=BROWSER_HEADERS)


@dataclass(frozen=True)
class Page:
    """An HTML page: its address, its route's path and whether it is seen signed in."""

    url: str
    route: str
    signed_in: bool


def pages(base: str, app: FastAPI, site: Site) -> list[Page]:
    """Every address of ``app`` (served at ``base``) that answers a GET with an HTML page: signed out (sign-in)
    and signed in as the demo admin (everything else), plus the error pages.

    Asked of a real server, reading the headers only: an event stream never ends.
    """
    with browser_client(base) as anon, browser_client(base) as signed:
        assert sign_in(signed, site.username, site.password).status_code == 200
        found: list[Page] = []
        for path in page_routes(app):
            for url in _fill(path, site):
                for client, who in ((anon, False), (signed, True)):
                    with client.stream("GET", url, follow_redirects=False) as r:
                        if r.headers.get("content-type", "").startswith("text/html") and r.status_code < 300:
                            found.append(Page(url, path, who))
        found += [Page(url, "(error)", True) for url in ERROR_PAGES]
    return found
