"""The demo: an organization with banks, lists, a sensor and a zone, made from generated data that ships with the
package, and a review queue that already holds a case of every kind (photo, text, screening, drone).

Each front seeds its own part through the services a real user calls, found through its manifest's ``demo`` hook;
this module makes the organization, runs the hooks in the fronts' order, and lets the review consumer turn their
events into cases, as the server's worker would. Running it again adds nothing: every part finds what it made before.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from basira.core import audit, orgs
from basira.core.demo import ORG_SLUG, DemoContext, DemoPart
from basira.core.errors import ConfigurationError, NotFound
from basira.core.instance import Instance
from basira.core.principal import system_principal
from basira.review import consume
from basira.review.policy import ReviewPolicy

USERNAME = "demo-admin"


@dataclass(frozen=True)
class DemoResult:
    """What :func:`seed_demo` made; ``api_key`` and ``password`` exist nowhere else (shown once), and are None
    when the demo organization was there already (``created`` False).

    Attributes:
        org_slug: The demo organization.
        created: Whether this call made the organization (False: it found it, and added only what was missing).
        api_key: The admin key, or None.
        username: The admin's user name.
        password: The admin's password, or None.
        example_files: Files to try a match with.
        banks: The demo's banks.
        expectations: For each example file (by name), what matching it shows.
        commands: Further things to try, with ``{basira}`` for the command prefix.
        added: New rows by part and kind (all zero on a second run).
        cases: Review cases opened by this call.
    """

    org_slug: str
    created: bool
    api_key: str | None
    username: str
    password: str | None
    example_files: list[Path]
    banks: list[str]
    expectations: dict[str, str] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    added: dict[str, dict[str, int]] = field(default_factory=dict)
    cases: int = 0


@dataclass
class _Org:
    org_id: int
    created: bool
    api_key: str | None = None
    password: str | None = None


def _organization(inst: Instance, actor: str, claim: Callable[[Session], None] | None) -> _Org:
    """The demo organization, its admin and key: found, or made in one transaction (with ``claim`` run first)."""
    with inst.db.session() as s:
        if claim is not None:
            claim(s)
        try:
            return _Org(orgs.get_org(s, ORG_SLUG).id, created=False)
        except NotFound:
            pass
        password = secrets.token_urlsafe(12)
        org = orgs.create_org(s, actor, ORG_SLUG, "Demo organization", operator=True)
        admin = system_principal(org.id, actor=actor)
        orgs.create_user(s, admin, org.id, USERNAME, password, "admin")
        key = orgs.create_key(s, admin, org.id, "admin", "demo key")
        return _Org(org.id, created=True, api_key=key.secret, password=password)


def seed_demo(inst: Instance, actor: str = "demo", *, claim: Callable[[Session], None] | None = None) -> DemoResult:
    """Make the demo, or complete it: the organization, every front's part, then the cases their events open.

    Args:
        inst: The instance.
        actor: Who is recorded in the audit log.
        claim: Run in the transaction that makes the organization, before it (the web page spends the set-up token
            there, so that a refused token leaves nothing behind).
    """
    org = _organization(inst, actor, claim)
    admin = system_principal(org.org_id, actor=actor)
    parts: list[DemoPart] = []
    with tempfile.TemporaryDirectory(prefix="basira-demo-") as tmp:
        ctx = DemoContext(inst=inst, admin=admin, work=Path(tmp), files=inst.settings.data_dir / "demo" / "try")
        for front, hook in inst.fronts.demo_hooks():
            made = hook(ctx)
            if not isinstance(made, list) or not all(isinstance(p, DemoPart) for p in made):
                raise ConfigurationError(f"the demo hook of front {front!r} did not return a list of DemoPart")
            parts.extend(made)
    report = consume(inst.db.session, policy=ReviewPolicy(fronts=inst.fronts))
    added = {p.name: {k: v for k, v in p.added.items()} for p in parts}
    if any(any(v for v in kinds.values()) for kinds in added.values()):
        with inst.db.session() as s:
            audit.record(s, org_id=org.org_id, actor=actor, action="demo.seed", target=f"org:{org.org_id}",
                         details={"parts": added, "cases": report.opened})
    return DemoResult(
        org_slug=ORG_SLUG, created=org.created, api_key=org.api_key, username=USERNAME, password=org.password,
        example_files=[f for p in parts for f in p.files if f.parent == ctx.files],
        banks=[b for p in parts for b in p.banks],
        expectations={k: v for p in parts for k, v in p.expectations.items()},
        commands=[c for p in parts for c in p.commands], added=added, cases=report.opened)
