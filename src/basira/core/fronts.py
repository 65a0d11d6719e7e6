"""Fronts as plugins: the manifest a front declares and the registry that finds them through ``basira.fronts``.

A front (Basira's own three, or a partner's) names in one :class:`FrontManifest` everything it adds: its
signal types, its case kinds with their deadline, priority and evidence shape, its settings, its tables, its API
routers, its command groups and its web pages. Core, review and the faces read :class:`FrontRegistry` and never
name a front. Heavy parts (routers, commands, pages, models) are ``"module:attribute"`` references, imported only
when a face asks for them, so reading the manifests imports no front code beyond the manifest itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from basira.core.errors import ConfigurationError, InvalidInput
from basira.core.models import OpinionKind

ENTRY_POINT_GROUP = "basira.fronts"
#: The event every front may record matches with (``core.matching`` writes it).
MATCH_EVENT = "match.recorded"
#: Emitted when a list import removes entries; the review consumer marks the open cases that hold their matches.
ENTRIES_REMOVED_EVENT = "list.entries_removed"


class Priority(enum.IntEnum):
    """Queue order of a case: lower numbers first."""

    HIGH = 1
    NORMAL = 2
    LOW = 3


@dataclass(frozen=True)
class Reason:
    """One reason code a reviewer may choose for a case kind.

    Attributes:
        code: The stable code stored on decisions and sent in events.
        label: A short English label (the web UI translates it).
        description: What the reviewer asserts by choosing it.
        opinion: The opinion recorded on the case's signals, or None to record none.
        decides: Whether the decision closes the review (False keeps the case in review).
        violating: Whether the decision finds the content, customer or flight to be a problem (drives actions).
        basis: The legal or policy basis, when there is one to cite.
    """

    code: str
    label: str
    description: str
    opinion: OpinionKind | None
    decides: bool = True
    violating: bool = True
    basis: str = ""

    @property
    def suppresses(self) -> bool:
        """A false positive keeps the same query value from raising a case against the same signal again."""
        return self.opinion == OpinionKind.FALSE_POSITIVE


@dataclass(frozen=True)
class EventRecord:
    """How the record an event carries beside its matches (a drone alert, say) is kept in the case's evidence.

    Attributes:
        key: The evidence key holding the list of records.
        id_field: The key of a record's own id: a record already in the list is not added again.
        clean: Keeps the documented keys of the event payload, cleaned (strings capped, numbers finite).
        limit: Most records one case keeps.
    """

    key: str
    id_field: str
    clean: Callable[[Mapping[str, Any]], Mapping[str, Any]]
    limit: int = 200


@dataclass(frozen=True)
class EvidenceView:
    """How the web shows a case kind's evidence to a reviewer (the faces read it; review does not).

    Attributes:
        template: The web template that lays out the kind's evidence (one of ``basira.web``'s ``_evidence_*.html``
            files); "" uses the generic side-by-side of item and bank entry.
        feature_weights: The full weight of each named feature of the kind's matchers (the most it adds or, when
            negative, takes away), for explanations recorded before they carried their own ``feature_weights``.
    """

    template: str = ""
    feature_weights: Mapping[str, float] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class CaseKindSpec:
    """A kind of review case: what opens it, how its events are grouped, its deadline, priority and evidence.

    Attributes:
        name: The stable kind name stored on cases (``snake_case``, unique across fronts).
        description: One sentence for the docs and the API.
        sla: Time from opening to the deadline (a review policy may override it).
        evidence: The TypedDict documenting the case's evidence JSON.
        reasons: The reason codes a reviewer chooses from.
        event: The outbox event kind that opens or joins such cases; :data:`MATCH_EVENT` by default.
        payload: The TypedDict documenting that event's payload (None: the core ``match.recorded`` shape).
        group_key: The payload key whose text groups events into one case ("" groups matches by the item's
            reference); required for events other than :data:`MATCH_EVENT`.
        group_prefix: The prefix of the case's group key (``item``, ``customer``, ``track``).
        content_types: Matches of items of these content types become cases of this kind unless the event
            names its kind.
        fallback: This kind takes matches of content types that no kind claims.
        priority: The default priority of an event's case (None: normal); an event may name its own.
        record: How an event's own record is kept (None: the event brings matches only).
        moderates_content: Decisions on these cases keep or remove content that users posted, so the content
            moderation reports count them (the TCO transparency report, DSA statements of reasons).
        view: How the web shows the evidence (its template and labels).
    """

    name: str
    description: str
    sla: dt.timedelta
    evidence: type
    reasons: tuple[Reason, ...]
    event: str = MATCH_EVENT
    payload: type | None = None
    group_key: str = ""
    group_prefix: str = "item"
    content_types: frozenset[str] = frozenset()
    fallback: bool = False
    priority: Callable[[Mapping[str, object]], Priority] | None = None
    record: EventRecord | None = None
    moderates_content: bool = False
    view: EvidenceView = EvidenceView()


@dataclass(frozen=True)
class RetentionPart:
    """One table's share of a kind of record that retention rules delete when it has expired.

    The retention job (``basira.retention``) reads these declarations; it never imports the front. Tables are named
    as in ``Base.metadata``; every table has an integer ``id`` key and an organization column.

    Attributes:
        table: The table whose rows expire.
        age_column: The timestamp column compared with the rule's cutoff (rows older than it have expired).
        org_column: The column naming the row's organization.
        subjects: (subject kind, column) pairs: a row is kept while a case, an appeal or a hold on
            ``<kind>:<value of column>`` still needs it (``track:12``, ``customer:C-1042``).
        content_types: For the core's ``items`` table only: the content types of the items this part governs (the
            core's own ``items`` kind takes the items no part claims). Items are deleted with their matches, and an
            item whose match sits in a case that still needs it is kept.
        where: (column, allowed values) pairs every expired row must also meet (a pending delivery never expires).
        children: (table, column) pairs of rows that reference this table's ``id`` and go with the row.
        detach: (table, column) pairs of references to this table's ``id`` set to NULL when the row goes (rows that
            keep their own rule).
        bulk: Delete each batch inside the database (one counting ``SELECT`` and one ``DELETE``, no row read into
            Python): for the largest tables, whose rows have no children.
        data_subject: The subject kind whose data-subject requests (export, erasure) include these rows, matched
            on that kind's column in ``subjects`` ("" for none).
        chain: Rows of this table form hash chains whose verification must still pass once expired rows are
            gone: a (group column, sequence column, previous-hash column, hash column) tuple. In the transaction that
            deletes a batch, the job records each run of consecutive deleted links per chain group (first and last
            sequence number, hash of the last) in ``chain_gaps`` (:mod:`basira.core.chaingaps`); verification steps
            over a recorded run.
    """

    table: str
    age_column: str
    org_column: str = "org_id"
    subjects: tuple[tuple[str, str], ...] = ()
    content_types: frozenset[str] = frozenset()
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    children: tuple[tuple[str, str], ...] = ()
    detach: tuple[tuple[str, str], ...] = ()
    bulk: bool = False
    data_subject: str = ""
    chain: tuple[str, str, str, str] | None = None


@dataclass(frozen=True)
class RetentionKind:
    """A kind of record an organization sets one retention rule for, and the tables it covers.

    Attributes:
        name: The kind's stable name (``snake_case``, unique across Basira and its fronts); its instance default is
            the setting ``BASIRA_RETENTION_<NAME>_DAYS`` where the settings have one, else ``default_days``.
        records: What it covers, in words (CLI, API and docs).
        parts: Its tables, purged in this order.
        default_days: The default when no setting names the kind (0 keeps forever).
    """

    name: str
    records: str
    parts: tuple[RetentionPart, ...]
    default_days: int = 0


@dataclass(frozen=True)
class CliGroup:
    """A command group: ``basira <name> ...`` runs the Typer app at ``app`` (a ``"module:attribute"`` reference)."""

    name: str
    app: str


@dataclass(frozen=True)
class FrontManifest:
    """Everything one front adds to Basira. References are ``"module:attribute"`` strings, imported on use.

    Attributes:
        name: The front's unique name, also its entry point's name.
        description: One sentence for the docs.
        signal_types: References to its :class:`basira.core.signals.SignalType` classes.
        content_types: The content types its items and entries may have beyond the core's file types
            (``photo``, ``video``, ``file``).
        case_kinds: The case kinds its events open.
        settings: A frozen dataclass of its ``BASIRA_*`` settings (each field with a ``help`` metadata line), or
            None; read with ``settings.of(TheClass)``.
        models: Modules declaring its tables on ``basira.core.models.Base``.
        routers: References to its API routers (FastAPI ``APIRouter``).
        cli: Its command groups.
        pages: References to its web pages (FastAPI ``APIRouter`` serving HTML), mounted before the static files.
        demo: A reference to the front's demo hook, or None: a callable taking a :class:`basira.core.demo.DemoContext`
            (the instance, the demo organization's admin, folders) that adds the front's demo data idempotently
            and returns a list of :class:`basira.core.demo.DemoPart`.
        retention: The kinds of record its tables hold that retention rules delete (read by ``basira.retention``).
        reports: Report hooks by report name (``"incident"``: a ``"module:attribute"`` reference to a callable
            building the report of one of the front's cases, read by ``basira.reports``).
        exercise: A reference to the front's :class:`basira.core.exercise_hooks.ExerciseHook`, or None: how the
            front seeds an exercise organization and plays the injects of its kinds.
        annotator: A reference to a callable ``(session, principal, settings, content) -> dict | None`` that says
            what the front knows about a matched item beyond its signals (a classifier's label and why), or None;
            its result is added to the explanation of each of the item's matches (and so to the case evidence).
    """

    name: str
    description: str
    signal_types: tuple[str, ...] = ()
    content_types: frozenset[str] = frozenset()
    case_kinds: tuple[CaseKindSpec, ...] = ()
    settings: type | None = None
    models: tuple[str, ...] = ()
    routers: tuple[str, ...] = ()
    cli: tuple[CliGroup, ...] = ()
    pages: tuple[str, ...] = ()
    demo: str | None = None
    retention: tuple[RetentionKind, ...] = ()
    reports: Mapping[str, str] = dataclasses.field(default_factory=dict)
    exercise: str | None = None
    annotator: str | None = None


def load_ref(ref: str) -> object:
    """The object a ``"module:attribute"`` reference names, or ConfigurationError saying why not."""
    module_name, sep, attr = ref.partition(":")
    if not sep or not module_name or not attr:
        raise ConfigurationError(f"{ref!r} is not a 'module:attribute' reference")
    try:
        target: object = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as e:
        raise ConfigurationError(f"cannot load {ref!r}: {e}") from None
    return target


class FrontRegistry:
    """The fronts of this process, in name order, with their case kinds checked for clashes."""

    def __init__(self, manifests: Iterable[FrontManifest] = ()) -> None:
        self._fronts: dict[str, FrontManifest] = {}
        self._kinds: dict[str, CaseKindSpec] = {}
        self._retention: dict[str, RetentionKind] = {}
        for m in manifests:
            self.register(m)

    @classmethod
    def from_entry_points(cls) -> FrontRegistry:
        """Every manifest named in the ``basira.fronts`` entry-point group (Basira's own fronts included)."""
        reg = cls()
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            loaded = ep.load()
            if not isinstance(loaded, FrontManifest):
                raise ConfigurationError(f"entry point {ep.name!r} of {ENTRY_POINT_GROUP} is not a FrontManifest")
            if loaded.name != ep.name:
                raise ConfigurationError(f"entry point {ep.name!r} names front {loaded.name!r}")
            reg.register(loaded)
        return reg

    def register(self, manifest: FrontManifest) -> None:
        """Add a front; ConfigurationError when its name, a case kind or a kind's own event is taken."""
        if manifest.name in self._fronts:
            raise ConfigurationError(f"two fronts are named {manifest.name!r}")
        if manifest.settings is not None and not dataclasses.is_dataclass(manifest.settings):
            raise ConfigurationError(f"front {manifest.name!r}: settings must be a dataclass")
        kinds = dict(self._kinds)
        for kind in manifest.case_kinds:
            if kind.name in kinds:
                raise ConfigurationError(f"front {manifest.name!r} declares case kind {kind.name!r} again")
            if kind.event != MATCH_EVENT:
                if not kind.group_key:
                    raise ConfigurationError(f"case kind {kind.name!r} has its own event but no group key")
                if any(k.event == kind.event for k in kinds.values()):
                    raise ConfigurationError(f"case kind {kind.name!r}: another kind is opened by {kind.event!r}")
            kinds[kind.name] = kind
        retention = dict(self._retention)
        for rk in manifest.retention:
            if rk.name in retention:
                raise ConfigurationError(f"front {manifest.name!r} declares retention kind {rk.name!r} again")
            if not rk.parts:
                raise ConfigurationError(f"retention kind {rk.name!r} has no tables")
            retention[rk.name] = rk
        self._fronts = dict(sorted({**self._fronts, manifest.name: manifest}.items()))
        self._kinds = kinds
        self._retention = retention

    def fronts(self) -> list[FrontManifest]:
        return list(self._fronts.values())

    def names(self) -> list[str]:
        return list(self._fronts)

    # -- case kinds -------------------------------------------------------------------------------------------------

    def case_kinds(self) -> list[CaseKindSpec]:
        return list(self._kinds.values())

    def moderation_kinds(self) -> list[str]:
        """The case kinds whose decisions keep or remove posted content (for the moderation reports)."""
        return [k.name for k in self.case_kinds() if k.moderates_content]

    def case_kind(self, name: str) -> CaseKindSpec:
        """The case kind ``name``, or InvalidInput naming the kinds that exist."""
        try:
            return self._kinds[name]
        except KeyError:
            raise InvalidInput(f"unknown case kind {name!r} ({', '.join(self._kinds)})") from None

    def event_kinds(self) -> tuple[str, ...]:
        """The outbox events the review consumer reads: ``match.recorded``, ``list.entries_removed`` (marks open
        cases) and each kind's own event."""
        return tuple(dict.fromkeys([MATCH_EVENT, ENTRIES_REMOVED_EVENT, *(k.event for k in self._kinds.values())]))

    def kind_for_event(self, event: str) -> CaseKindSpec | None:
        """The case kind that an event other than ``match.recorded`` opens (None for unknown events)."""
        return next((k for k in self._kinds.values() if k.event == event and event != MATCH_EVENT), None)

    def match_kinds(self) -> list[CaseKindSpec]:
        """The kinds that ``match.recorded`` events may open."""
        return [k for k in self._kinds.values() if k.event == MATCH_EVENT]

    def kind_for_content(self, content_type: str) -> CaseKindSpec | None:
        """The kind of a case opened for matches of ``content_type`` (the claiming kind, else the fallback)."""
        kinds = self.match_kinds()
        claimed = next((k for k in kinds if content_type in k.content_types), None)
        return claimed or next((k for k in kinds if k.fallback), None)

    # -- the parts faces and core load ------------------------------------------------------------------------------

    def signal_type_refs(self) -> list[str]:
        return [ref for m in self._fronts.values() for ref in m.signal_types]

    def content_types(self) -> frozenset[str]:
        return frozenset(t for m in self._fronts.values() for t in m.content_types)

    def settings_types(self) -> list[type]:
        return [m.settings for m in self._fronts.values() if m.settings is not None]

    def model_modules(self) -> list[str]:
        return [mod for m in self._fronts.values() for mod in m.models]

    def routers(self) -> list[object]:
        return [load_ref(ref) for m in self._fronts.values() for ref in m.routers]

    def pages(self) -> list[object]:
        return [load_ref(ref) for m in self._fronts.values() for ref in m.pages]

    def cli_groups(self) -> list[tuple[str, object]]:
        return [(name, load_ref(ref)) for name, ref in self.cli_refs()]

    def cli_refs(self) -> list[tuple[str, str]]:
        """(name, ``"module:attribute"`` of the Typer app) of each command group, nothing imported."""
        return [(g.name, g.app) for m in self._fronts.values() for g in m.cli]

    def retention_kinds(self) -> list[RetentionKind]:
        """The kinds of record the fronts' tables hold, in the fronts' order."""
        return [rk for m in self._fronts.values() for rk in m.retention]

    def report_hooks(self, report: str) -> dict[str, Callable[..., object]]:
        """front name -> the callable that front declares for ``report`` (e.g. ``"incident"``)."""
        hooks: dict[str, Callable[..., object]] = {}
        for m in self._fronts.values():
            if report in m.reports:
                hook = load_ref(m.reports[report])
                if not callable(hook):
                    raise ConfigurationError(f"front {m.name!r}: report {report!r} is not callable")
                hooks[m.name] = hook
        return hooks

    def demo_hooks(self) -> list[tuple[str, Callable[..., object]]]:
        """(front name, demo hook taking a ``DemoContext``) for each front that has demo data, in the fronts' order."""
        hooks: list[tuple[str, Callable[..., object]]] = []
        for m in self._fronts.values():
            if m.demo is not None:
                hook = load_ref(m.demo)
                if not callable(hook):
                    raise ConfigurationError(f"front {m.name!r}: demo {m.demo!r} is not callable")
                hooks.append((m.name, hook))
        return hooks


    def exercise_hooks(self) -> list[tuple[str, object]]:
        """(front name, the object its ``exercise`` reference names) for each front that takes part in exercises,
        in the fronts' order; :mod:`basira.exercise` checks that each is an ``ExerciseHook``."""
        return [(m.name, load_ref(m.exercise)) for m in self._fronts.values() if m.exercise is not None]


_default: FrontRegistry | None = None


def default_fronts() -> FrontRegistry:
    """The process-wide registry, read from the entry points on first use (never at import)."""
    global _default
    if _default is None:
        _default = FrontRegistry.from_entry_points()
    return _default
