"""The wall around exercise organizations: what an exercise makes never reaches a real organization, partner,
export or webhook, and nothing real is drawn into an exercise.

An organization made for an exercise carries ``exercise = True`` (see :mod:`basira.exercise`). Every path that
lets something leave an organization asks here: bank visibility (:mod:`basira.core.visibility`), bank shares and
sharing groups, STIX/TAXII, MISP and HMA exports, partner feeds, and webhooks, whose exercise endpoints are the
``exercise_webhook_prefixes`` setting. Refusals raise :class:`ExerciseIsolation` (HTTP 403, exit code 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core.errors import PermissionDenied
from basira.core.models import Organization


class ExerciseIsolation(PermissionDenied):
    """Something of an exercise would reach a real organization, partner, export or endpoint (or the reverse)."""

    status = 403
    exit_code = 77


def exercise_org_ids(session: Session) -> frozenset[int]:
    """The ids of every exercise organization of the instance."""
    return frozenset(session.scalars(select(Organization.id).where(Organization.exercise.is_(True))))


def is_exercise(session: Session, org_id: int) -> bool:
    """Whether organization ``org_id`` is an exercise organization (an unknown id is not)."""
    org = session.get(Organization, org_id)
    return bool(org is not None and org.exercise)


def may_meet(exercise_ids: Iterable[int], a: int, b: int) -> bool:
    """Whether organizations ``a`` and ``b`` may see each other's things: the same one, or two real ones."""
    ids = frozenset(exercise_ids)
    return a == b or (a not in ids and b not in ids)


def refuse_exercise(session: Session, org_id: int, what: str) -> None:
    """Raise :class:`ExerciseIsolation` when ``org_id`` is an exercise organization: it may not ``what``."""
    if is_exercise(session, org_id):
        raise ExerciseIsolation(f"an exercise organization may not {what}: nothing of an exercise leaves it")


def refuse_crossing(session: Session, a: int, b: int, what: str) -> None:
    """Raise :class:`ExerciseIsolation` when ``a`` and ``b`` are not in the same space (``what`` says the act)."""
    if not may_meet(exercise_org_ids(session), a, b):
        raise ExerciseIsolation(f"{what}: an exercise organization and another organization never share anything")


def parse_prefixes(text: str) -> tuple[str, ...]:
    """Comma-separated URL prefixes (``https://drill.example.org/hooks/``) as a tuple, empty ones left out."""
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _origin_and_path(url: str) -> tuple[str, str, int | None, str] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    return parts.scheme, parts.hostname.lower(), port, parts.path or "/"


def exercise_endpoint(url: str, prefixes: Iterable[str]) -> bool:
    """Whether ``url`` is one of the exercise endpoints: the same scheme, host and port as one of ``prefixes``,
    and a path at or below its path (``https://drill.example`` never admits ``https://drill.example.evil``)."""
    target = _origin_and_path(url)
    if target is None:
        return False
    for prefix in prefixes:
        allowed = _origin_and_path(prefix)
        if allowed is None or allowed[:3] != target[:3]:
            continue
        folder = allowed[3] if allowed[3].endswith("/") else allowed[3] + "/"
        if target[3] == allowed[3] or target[3].startswith(folder):
            return True
    return False
