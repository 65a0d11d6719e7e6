"""Exercises: start one (a walled-off organization filled by every front's exercise hook), play its injects (by the
trainer, or when they fall due), and end it. The team works in the exercise organization with the real review
pages and API; :mod:`basira.exercise.scoring` scores what they did.

What an exercise makes stays in its organization: :mod:`basira.core.exercise` refuses every route out, and an
exercise webhook may only go to an exercise endpoint (``BASIRA_EXERCISE_WEBHOOK_PREFIXES``).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from basira.actions.config import ActionsConfig
from basira.actions.webhooks import WebhookSpec, create_webhook
from basira.core import audit, orgs
from basira.core.demo import DemoPart
from basira.core.errors import (
    BasiraError,
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from basira.core.exercise_hooks import ExerciseContext, ExerciseHook, InjectFunction, InjectResult
from basira.core.instance import Instance
from basira.core.models import Organization, Role, utcnow
from basira.core.principal import Principal
from basira.drones.zonefiles import parse_zone_file
from basira.exercise.models import Exercise, ExerciseInject
from basira.exercise.scenario import REMOVAL_ORDER, Scenario, load_scenario, load_site
from basira.legal import authorities, orders
from basira.review import consume
from basira.review.policy import ReviewPolicy

SLUG_PREFIX = "exercise-"
MAX_SLUG = 50
_SLUG_TAIL = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class Started:
    """A new exercise; the key and passwords exist nowhere else (shown once).

    Attributes:
        org_slug: The exercise organization.
        exercise_id: The exercise.
        api_key: The trainer's admin key.
        trainer: The trainer's user name (admin: the trainer's view, the injects, the report).
        trainer_password: Their password.
        team: The team's user name (reviewer: the review queue, as in real life).
        team_password: Their password.
        parts: What each front's part made.
        cases: Review cases already open (the fronts' starting hits).
    """

    org_slug: str
    exercise_id: int
    api_key: str
    trainer: str
    trainer_password: str
    team: str
    team_password: str
    parts: list[DemoPart] = field(default_factory=list)
    cases: int = 0


@dataclass(frozen=True)
class Played:
    """An inject sent: which one, what it made, and the review cases opened with it."""

    ref: str
    kind: str
    result: InjectResult
    cases: int


def hooks(inst: Instance) -> list[tuple[str, ExerciseHook]]:
    """(front, exercise hook) of every front that takes part in exercises, in the fronts' order."""
    out: list[tuple[str, ExerciseHook]] = []
    for front, hook in inst.fronts.exercise_hooks():
        if not isinstance(hook, ExerciseHook):
            raise ConfigurationError(f"front {front!r}: its exercise reference is not an ExerciseHook")
        out.append((front, hook))
    return out


def inject_functions(inst: Instance) -> dict[str, InjectFunction]:
    """Every front's inject kinds and the functions that play them."""
    out: dict[str, InjectFunction] = {}
    for front, hook in hooks(inst):
        for kind, fn in hook.injects.items():
            if kind in out or kind == REMOVAL_ORDER:
                raise ConfigurationError(f"front {front!r} declares inject kind {kind!r} again")
            out[kind] = fn
    return out


def inject_kinds(inst: Instance) -> list[str]:
    return sorted([*inject_functions(inst), REMOVAL_ORDER])


def _max_bytes(inst: Instance) -> int:
    return int(inst.settings.exercise_max_file_bytes)


def _slug(name: str, wanted: str | None) -> str:
    if wanted and len(wanted) > MAX_SLUG:
        raise InvalidInput(f"an exercise slug has at most {MAX_SLUG} characters")
    if wanted:
        slug = wanted if wanted.startswith(SLUG_PREFIX) else SLUG_PREFIX + wanted
    else:
        tail = _SLUG_TAIL.sub("-", name.lower()).strip("-")[:30] or "drill"
        slug = f"{SLUG_PREFIX}{tail}-{secrets.token_hex(2)}"
    return slug


def _admin(org_id: int, slug: str) -> Principal:
    # Never the operator: an exercise's admin acts in its own organization only.
    return Principal(org_id=org_id, role=Role.ADMIN, actor=f"exercise:{slug}", operator=False)


def load_plan(inst: Instance, scenario: str, site: str | None) -> tuple[Scenario, str, Mapping[str, Any]]:
    """The scenario (a shipped name or a file's path) and the site (a shipped name or a zone file's path; the
    scenario's site, else the demo stadium, when None): for the command line, which may read files."""
    limit = _max_bytes(inst)
    plan = load_scenario(scenario, inject_functions(inst), limit)
    site_name, site_doc = load_site(site or plan.site or "stadium", limit)
    return plan, site_name, site_doc


def start(inst: Instance, actor: str, *, plan: Scenario, site_name: str, site_doc: Mapping[str, Any],
          slug: str | None = None, webhook: str | None = None) -> Started:
    """Start an exercise: make the organization and its people, let every front seed its part, and open the
    starting cases.

    Args:
        inst: The instance.
        actor: Who starts it (audited).
        plan: The checked scenario.
        site_name: The site's name.
        site_doc: The site's zones (GeoJSON, ED-269 or ED-318).
        slug: The organization's slug (``exercise-`` is put in front); made from the scenario's name when None.
        webhook: An exercise endpoint to send the exercise's webhooks to (refused when it is not one).
    """
    if not parse_zone_file(dict(site_doc)):
        raise InvalidInput("the site's zone document holds no zone")
    org_slug = _slug(plan.name, slug)
    trainer, team = f"{org_slug}-trainer"[:64], f"{org_slug}-team"[:64]
    trainer_pw, team_pw = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    with inst.db.session() as s:
        org = orgs.create_org(s, actor, org_slug, f"EXERCISE: {plan.name}"[:200], exercise=True)
        admin = _admin(org.id, org_slug)
        orgs.create_user(s, admin, org.id, trainer, trainer_pw, Role.ADMIN.value)
        orgs.create_user(s, admin, org.id, team, team_pw, Role.REVIEWER.value)
        key = orgs.create_key(s, admin, org.id, Role.ADMIN.value, "exercise trainer")
        if webhook:
            cfg = ActionsConfig.from_settings(inst.settings)
            create_webhook(s, admin, WebhookSpec(url=webhook, name="exercise endpoint"), cfg.allowlist,
                           cfg.exercise_endpoints)
        ex = Exercise(org_id=org.id, name=plan.name, site=site_name, scenario=plan.as_json(), state="running",
                      created_by=actor, started_at=utcnow())
        s.add(ex)
        s.flush()
        for seq, i in enumerate(plan.injects, 1):
            s.add(ExerciseInject(exercise_id=ex.id, ref=i.id, seq=seq, kind=i.kind, at_s=i.at_s, spec=i.as_json(),
                                 outcome={}))
        audit.record(s, org_id=org.id, actor=actor, action="exercise.start", target=f"exercise:{ex.id}",
                     details={"scenario": plan.name, "site": site_name, "injects": len(plan.injects)})
        org_id, ex_id = org.id, ex.id
    parts: list[DemoPart] = []
    with tempfile.TemporaryDirectory(prefix="basira-exercise-") as tmp:
        ctx = _context(inst, org_id, org_slug, Path(tmp), site_doc, site_name)
        for front, hook in hooks(inst):
            made = hook.seed(ctx)
            if not isinstance(made, list) or not all(isinstance(p, DemoPart) for p in made):
                raise ConfigurationError(f"the exercise hook of front {front!r} did not return a list of DemoPart")
            parts.extend(made)
    report = consume(inst.db.session, policy=ReviewPolicy(fronts=inst.fronts))
    return Started(org_slug=org_slug, exercise_id=ex_id, api_key=key.secret, trainer=trainer,
                   trainer_password=trainer_pw, team=team, team_password=team_pw, parts=parts, cases=report.opened)


def _context(inst: Instance, org_id: int, slug: str, work: Path, site: Mapping[str, Any] | None,
             site_name: str) -> ExerciseContext:
    return ExerciseContext(inst=inst, admin=_admin(org_id, slug), work=work,
                           files=inst.settings.data_dir / "exercise" / slug, site=site, site_name=site_name)


def get_exercise(session: Session, principal: Principal, slug: str) -> tuple[Exercise, Organization]:
    """The exercise of organization ``slug``, for its trainer (an admin of it) or the instance's operator."""
    org = session.scalar(select(Organization).where(Organization.slug == slug, Organization.exercise.is_(True)))
    ex = session.scalar(select(Exercise).where(Exercise.org_id == org.id)) if org is not None else None
    if org is None or ex is None or (org.id != principal.org_id and not principal.operator):
        raise NotFound(f"no exercise {slug!r}")
    if principal.role != Role.ADMIN:
        raise PermissionDenied("only the trainer (an admin of the exercise) sees and plays its injects")
    return ex, org


def list_exercises(session: Session, principal: Principal) -> list[tuple[Exercise, Organization]]:
    """The exercises the caller may train: its own organization's, or every one for the operator."""
    q = select(Exercise, Organization).join(Organization, Organization.id == Exercise.org_id).order_by(Exercise.id)
    if not principal.operator:
        q = q.where(Exercise.org_id == principal.org_id)
    if principal.role != Role.ADMIN:
        return []
    return [(e, o) for e, o in session.execute(q).all()]


def injects_of(session: Session, ex: Exercise) -> list[ExerciseInject]:
    return list(session.scalars(select(ExerciseInject).where(ExerciseInject.exercise_id == ex.id)
                                .order_by(ExerciseInject.seq)))


def play(inst: Instance, principal: Principal, slug: str, ref: str, now: dt.datetime | None = None) -> Played:
    """Send inject ``ref`` now (Conflict when it was sent already or the exercise has ended)."""
    at = now or utcnow()
    with inst.db.session() as s:
        ex, org = get_exercise(s, principal, slug)
        if ex.state != "running":
            raise Conflict(f"exercise {slug!r} has ended")
        row = s.scalar(select(ExerciseInject).where(ExerciseInject.exercise_id == ex.id, ExerciseInject.ref == ref))
        if row is None:
            raise NotFound(f"exercise {slug!r} has no inject {ref!r}")
        # Claimed first, so that two trainers pressing the button at once send it once.
        claimed = s.execute(update(ExerciseInject).where(ExerciseInject.id == row.id,
                                                         ExerciseInject.injected_at.is_(None))
                            .values(injected_at=at, injected_by=principal.actor)
                            .execution_options(synchronize_session=False))
        if getattr(claimed, "rowcount", 0) != 1:
            raise Conflict(f"inject {ref!r} was sent already")
        spec, kind, org_id, ex_id, scenario = dict(row.spec), row.kind, org.id, ex.id, dict(ex.scenario)
        done = {i.ref: dict(i.outcome) for i in injects_of(s, ex)}
    try:
        with tempfile.TemporaryDirectory(prefix="basira-exercise-") as tmp:
            ctx = _context(inst, org_id, slug, Path(tmp), None, "")
            if kind == REMOVAL_ORDER:
                result = _removal_order(inst, ctx, ex_id, ref, spec, scenario, done, at)
            else:
                result = inject_functions(inst)[kind](ctx, spec.get("params") or {})
    except Exception:
        with inst.db.session() as s:
            s.execute(update(ExerciseInject).where(ExerciseInject.exercise_id == ex_id, ExerciseInject.ref == ref)
                      .values(injected_at=None, injected_by=None))
        raise
    report = consume(inst.db.session, policy=ReviewPolicy(fronts=inst.fronts))
    with inst.db.session() as s:
        row = s.scalar(select(ExerciseInject).where(ExerciseInject.exercise_id == ex_id, ExerciseInject.ref == ref))
        if row is not None:
            row.outcome = {"summary": result.summary, "case_keys": result.case_keys, "records": result.records,
                           "added": result.added}
        audit.record(s, org_id=org_id, actor=principal.actor, action="exercise.inject", target=f"exercise:{ex_id}",
                     details={"inject": ref, "kind": kind, "summary": result.summary[:300]})
    return Played(ref=ref, kind=kind, result=result, cases=report.opened)


def _removal_order(inst: Instance, ctx: ExerciseContext, ex_id: int, ref: str, spec: dict[str, Any],
                   scenario: dict[str, Any], done: dict[str, dict[str, Any]], at: dt.datetime) -> InjectResult:
    """A removal order from the exercise's fictional authority (key ``none``), with its one-hour clock."""
    params = spec.get("params") or {}
    urls = params.get("urls")
    if urls is None:
        posted = done.get(str(params.get("of")), {}).get("records", {}).get("urls")
        if not posted:
            raise InvalidInput(f"send inject {params.get('of')!r} first: the order names the content it posted")
        urls = posted
    auth = scenario.get("authority") or {}
    name = str(auth.get("name") or "Exercise authority (fictional)")
    with inst.db.session() as s:
        try:
            state = authorities.get_authority(s, ctx.admin, name).member_state
        except NotFound:
            state = authorities.register(s, ctx.admin, authorities.AuthoritySpec(
                name=name, member_state=str(auth.get("member_state") or "FR"),
                timezone=str(auth.get("timezone") or "Europe/Paris"))).member_state
    order = orders.receive(inst.db.session, ctx.admin, orders.OrderRequest(
        authority=name, reference=f"EX-{ex_id}-{ref}"[:200], urls=list(urls), member_state=state,
        grounds="Exercise: the content is a fictional call to violence made for the exercise.",
        grounds_points=["a"], redress="Exercise: redress before the courts of the issuing Member State.",
        signatory="Exercise trainer", issued_at=at, kind="order"), inst.secret_key, now=at)
    return InjectResult(summary=f"removal order EX-{ex_id}-{ref} for {len(urls)} URL(s)",
                        records={"order_id": order.id, "urls": list(urls)}, added={"orders": 1})


def due(inst: Instance, now: dt.datetime | None = None) -> list[tuple[str, str, str]]:
    """Send every inject that has fallen due in running exercises: (exercise, inject, summary or error)."""
    at = now or utcnow()
    with inst.db.session() as s:
        rows = s.execute(select(Exercise, Organization, ExerciseInject)
                         .join(Organization, Organization.id == Exercise.org_id)
                         .join(ExerciseInject, ExerciseInject.exercise_id == Exercise.id)
                         .where(Exercise.state == "running", ExerciseInject.injected_at.is_(None))
                         .order_by(Exercise.id, ExerciseInject.seq)).all()
        waiting = [(o.slug, o.id, i.ref) for e, o, i in rows if e.started_at + dt.timedelta(seconds=i.at_s) <= at]
    out: list[tuple[str, str, str]] = []
    for slug, org_id, ref in waiting:
        principal = Principal(org_id=org_id, role=Role.ADMIN, actor="exercise:schedule", operator=False)
        try:
            out.append((slug, ref, play(inst, principal, slug, ref, at).result.summary))
        except Conflict as e:  # sent meanwhile by the trainer, or the exercise ended
            out.append((slug, ref, f"error: {e}"))
        except BasiraError as e:
            # Spent with its error, so that a scheduled inject that cannot be played is not tried every round.
            _spend(inst, slug, ref, at, str(e))
            out.append((slug, ref, f"error: {e}"))
    return out


def _spend(inst: Instance, slug: str, ref: str, at: dt.datetime, error: str) -> None:
    with inst.db.session() as s:
        row = s.scalar(select(ExerciseInject).join(Exercise, Exercise.id == ExerciseInject.exercise_id)
                       .join(Organization, Organization.id == Exercise.org_id)
                       .where(Organization.slug == slug, ExerciseInject.ref == ref,
                              ExerciseInject.injected_at.is_(None)))
        if row is not None:
            row.injected_at, row.injected_by = at, "exercise:schedule"
            row.outcome = {"summary": f"error: {error}"[:500], "case_keys": [], "records": {}, "added": {},
                           "error": error[:500]}


def end(inst: Instance, principal: Principal, slug: str) -> Exercise:
    """End an exercise: no more injects; the report keeps scoring what the team decided until then."""
    with inst.db.session() as s:
        ex, org = get_exercise(s, principal, slug)
        if ex.state == "running":
            ex.state, ex.ended_at = "ended", utcnow()
            audit.record(s, org_id=org.id, actor=principal.actor, action="exercise.end", target=f"exercise:{ex.id}")
        s.flush()
        s.expunge(ex)
        return ex
