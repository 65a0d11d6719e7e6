"""Settings read from ``BASIRA_*`` environment variables; each has a help line that also documents it.

The core's settings are the fields of :class:`Settings`; each front declares its own as a dataclass in its manifest
(:attr:`basira.core.fronts.FrontManifest.settings`), read with ``settings.of(TheFrontsSettings)``. Nothing is read
at import time: call :func:`load_settings`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast, get_type_hints

from basira.core.errors import ConfigurationError

if TYPE_CHECKING:
    from basira.core.fronts import FrontRegistry

T = TypeVar("T")


def _default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "basira"


@dataclass(frozen=True)
class Settings:
    """Every setting of an instance. The metadata ``help`` is the documentation of each one."""

    data_dir: Path = field(
        default_factory=_default_data_dir,
        metadata={"help": "Folder for the SQLite database, indexes and the instance secret."},
    )
    database_url: str = field(
        default="",
        metadata={"help": "SQLAlchemy URL of the database; empty means SQLite in the data folder."},
    )
    host: str = field(default="127.0.0.1", metadata={"help": "Address that `basira serve` listens on."})
    port: int = field(default=8000, metadata={"help": "Port that `basira serve` listens on."})
    max_upload_bytes: int = field(
        default=200 * 1024 * 1024,
        metadata={"help": "Largest upload accepted by the API, in bytes; larger uploads get HTTP 413."},
    )
    max_json_bytes: int = field(
        default=1024 * 1024,
        metadata={"help": "Largest request body of an API route that takes no upload, batch or import (JSON), in "
                          "bytes; larger bodies get HTTP 413 before they are read."},
    )
    max_import_rows: int = field(
        default=1_000_000,
        metadata={"help": "Most rows accepted in one bank import."},
    )
    max_image_pixels: int = field(
        default=100_000_000,
        metadata={"help": "Largest image (width x height) that is decoded; larger ones are refused unread."},
    )
    flood_min_hits_per_hour: int = field(
        default=50,
        metadata={"help": "Hits in one hour at which a signal may be quarantined as a flood (if far above its usual)."},
    )
    flood_factor: int = field(
        default=10,
        metadata={"help": "Quarantine a signal when its hits this hour reach this many times its usual hourly rate."},
    )
    flood_baseline_days: int = field(
        default=7,
        metadata={"help": "Days before the current hour whose mean hits per hour make a signal's usual rate."},
    )
    secret_key: str = field(
        default="",
        metadata={"help": "Secret for signing session cookies; empty means one generated in the data folder."},
    )
    session_https_only: bool = field(
        default=False,
        metadata={"help": "Send the session and language cookies over HTTPS only (set it when served behind TLS)."},
    )
    webhook_timeout_s: int = field(
        default=10, metadata={"help": "Seconds a webhook endpoint has to answer one delivery attempt."},
    )
    webhook_retry_horizon_s: int = field(
        default=3600,
        metadata={"help": "Seconds of failed attempts after which a webhook delivery goes to the dead letters."},
    )
    webhook_allowlist: str = field(
        default="",
        metadata={"help": "Comma-separated networks (e.g. 10.0.0.0/8) that webhooks may reach although private."},
    )
    exercise_webhook_prefixes: str = field(
        default="",
        metadata={"help": "Comma-separated URL prefixes (scheme, host, port, path) of the exercise endpoints: the "
                          "only places an exercise organization's webhooks may go; empty: none."},
    )
    readiness_questions: str = field(
        default="",
        metadata={"help": "A ministry's own readiness questionnaire (JSON file) for the web page and the API; empty: "
                          "the shipped one."},
    )
    exercise_max_file_bytes: int = field(
        default=1_048_576,
        metadata={"help": "Largest scenario, site or readiness questionnaire file an exercise reads, in bytes."},
    )
    worker_interval_s: int = field(
        default=1,
        metadata={"help": "Seconds between background worker rounds (review cases, webhooks); 0 turns it off."},
    )
    worker_nice: int = field(
        default=10,
        metadata={"help": "How much lower the CPU priority of the background work is (0-19, as `nice`) where it runs "
                          "in a process of its own (`basira serve --workers N`, `basira worker`): on a busy machine "
                          "answering requests comes first and cases follow when the load eases; 0 keeps them equal. "
                          "Incident pushes keep the process's own priority; on SQLite (one writer, whose lock a "
                          "starved batch would hold) it is not lowered."},
    )
    sqlite_checkpoint_interval_s: float = field(
        default=1.0,
        metadata={"help": "SQLite only: while the server runs, a background thread copies the write-ahead log into "
                          "the database this often, so that no request's commit pays for it; 0 leaves it to "
                          "SQLite's own automatic checkpoints."},
    )
    sqlite_busy_timeout_ms: int = field(
        default=10_000,
        metadata={"help": "SQLite only: how long a write waits for the one writer before its statement gives up "
                          "(then the whole transaction is tried again, see BASIRA_SQLITE_LOCK_RETRY_S)."},
    )
    sqlite_lock_retry_s: float = field(
        default=60.0,
        metadata={"help": "SQLite only: how long storing matches, signal additions and imports keep trying again "
                          "a transaction that found the database locked (a long import) before answering 503."},
    )
    legal_preservation_days: int = field(
        default=183,
        metadata={"help": "Days the record of content removed under a removal order is kept before it is deleted "
                          "(TCO Art. 6: six months; extendable per record)."},
    )
    sharing_max_bundle_bytes: int = field(
        default=32 * 1024 * 1024,
        metadata={"help": "Largest STIX bundle or TAXII page accepted, in bytes, from a partner's server or a POST; "
                          "larger ones are refused unread past the limit."},
    )
    sharing_timeout_s: float = field(
        default=30.0, metadata={"help": "Seconds a partner's TAXII server has to answer one request of a sync."},
    )
    sharing_retries: int = field(
        default=4,
        metadata={"help": "Attempts per TAXII request when a partner answers 429 or 5xx or does not answer "
                          "(exponential back-off, Retry-After honoured up to 60 s)."},
    )
    sharing_incident_poll_s: float = field(
        default=0.2,
        metadata={"help": "Seconds between two looks for new signals in open incident banks, which are then pushed "
                          "to subscribed partners at once (0 turns the incident pusher off)."},
    )
    sharing_push_timeout_s: float = field(
        default=5.0, metadata={"help": "Seconds a subscribed partner has to answer an incident push."},
    )
    taxii_page_size: int = field(
        default=1000, metadata={"help": "Objects per page the TAXII server sends when the client asks no limit."},
    )
    retention_items_days: int = field(
        default=365,
        metadata={"help": "Days an item submitted for matching and its matches are kept (0: forever); an "
                          "organization's own rule (`basira retention set`) overrides it."},
    )
    retention_customers_days: int = field(
        default=1825,
        metadata={"help": "Days a screened customer and their screening results are kept after the last screening "
                          "(0: forever); five years, the usual record-keeping duty of financial services."},
    )
    retention_drone_frames_days: int = field(
        default=30, metadata={"help": "Days a raw drone frame is kept (0: forever)."},
    )
    retention_drone_tracks_days: int = field(
        default=180,
        metadata={"help": "Days a drone track, its positions and alerts are kept after it was last seen (0: forever)."},
    )
    retention_webhook_deliveries_days: int = field(
        default=90,
        metadata={"help": "Days a finished webhook delivery (delivered, dead or cancelled) and its attempts are kept."},
    )
    retention_sessions_days: int = field(
        default=90,
        metadata={"help": "Days reviewers' daily exposure counts and sign-ins through identity providers are kept."},
    )
    retention_interval_s: int = field(
        default=3600,
        metadata={"help": "Seconds between runs of the retention purge beside the server (0: only `basira retention "
                          "run`)."},
    )
    retention_batch_size: int = field(
        default=2000,
        metadata={"help": "Records deleted per transaction by the retention purge (small batches never hold "
                          "the database long)."},
    )
    index_threads: int = field(
        default=1,
        metadata={"help": "Threads one index query may use (faiss); 1 suits a server answering many queries at once, "
                          "0 lets one query use every core (a single large batch job)."},
    )
    serve_header_timeout_s: float = field(
        default=10.0,
        metadata={"help": "Seconds a client has to send a whole request line and headers to `basira serve` (from "
                          "connecting, or from the previous answer) before its connection is closed: slow or "
                          "silent clients cannot hold connections (0: no limit)."},
    )
    serve_http: str = field(
        default="auto",
        metadata={"help": "The HTTP parser of `basira serve`: `httptools` (in C, the faster), `h11` (pure Python), or "
                          "`auto` (httptools when installed). Both give request heads the same deadline and size "
                          "limit."},
    )
    serve_worker_check_s: int = field(
        default=60,
        metadata={"help": "Seconds a worker of `basira serve --workers N` may go without answering the supervising "
                          "process's check before it is killed and started again (a worker starting on a loaded "
                          "machine, or loading a large index, can be silent for more than uvicorn's 5 s)."},
    )
    serve_keep_alive_s: int = field(
        default=5,
        metadata={"help": "Seconds `basira serve` keeps an idle connection open after an answer."},
    )
    read_cache_s: float = field(
        default=1.0,
        metadata={"help": "Seconds a server process may keep what every lookup reads (API keys, the banks an "
                          "organization may match, bank owners) and go without replaying the signal change log; "
                          "a change made through the same process is seen at once, one made through another "
                          "worker or machine (a key revoked, a bank disabled, a signal added) within this time. "
                          "0: read the database on every request."},
    )
    fast_match: bool = field(
        default=True,
        metadata={"help": "Answer `POST /v1/match` requests that give signal values (lookups and storing matches) "
                          "ahead of the API's router: the same checks and answer, less CPU per request; false sends "
                          "them through the router like every other request."},
    )
    match_batch_items: int = field(
        default=64,
        metadata={"help": "Storing match requests (signal values) that one server process writes in one transaction "
                          "at most; 0 writes each request in its own transaction."},
    )
    match_batch_wait_ms: float = field(
        default=0.0,
        metadata={"help": "How long a storing match waits for others to share its transaction (milliseconds); 0: "
                          "only those that queued while the writers were busy (measured faster than 5 ms on a busy "
                          "machine). Answered only once that transaction committed."},
    )
    match_batch_writers: int = field(
        default=2,
        metadata={"help": "Threads of one server process writing groups of storing matches at once (PostgreSQL; "
                          "SQLite has one)."},
    )
    lookup_batch_items: int = field(
        default=32,
        metadata={"help": "Lookups (`store: false`, signal values) that one server process answers together at most: "
                          "those that queued while its lookup threads were busy share one read of the database; 0 "
                          "answers each on its own in the thread pool."},
    )
    lookup_batch_threads: int = field(
        default=2,
        metadata={"help": "Threads of one server process answering groups of lookups at once (each holds one read "
                          "connection while it works)."},
    )
    log_format: str = field(
        default="text",
        metadata={"help": "How `basira serve` writes its logs to standard error: `text`, or `json` (one JSON object "
                          "per line, with the request id)."},
    )
    log_level: str = field(
        default="info",
        metadata={"help": "The least important log lines `basira serve` writes (each worker too): `debug`, `info` "
                          "(with a line per request), `warning` or `error`; `--log-level` overrides it."},
    )
    metrics_token: str = field(
        default="",
        metadata={"help": "Bearer token that a Prometheus scraper presents to `/metrics` from another machine "
                          "(empty: only loopback callers may read the metrics)."},
    )
    demo: bool = field(
        default=True,
        metadata={"help": "Offer the demo organization on the first page of an empty instance."},
    )
    setup_token_ttl_s: float = field(
        default=7200.0,
        metadata={"help": "How long the one-time set-up token that `basira serve` prints on an empty instance stays "
                          "valid (seconds); the first page asks for it before anyone may claim the instance."},
    )
    # -- security (issue 21) --
    audit_heads_every_s: int = field(
        default=3600,
        metadata={"help": "Seconds between exports of the audit chains' heads to a signed file (0: only `basira "
                          "audit export-heads`); copy the files off the machine to find a rewrite from outside."},
    )
    audit_heads_dir: str = field(
        default="",
        metadata={"help": "Folder of the signed audit head files; empty means `audit-heads` in the data folder."},
    )
    hsts_max_age_s: int = field(
        default=31_536_000,
        metadata={"help": "Strict-Transport-Security max-age sent with every answer when BASIRA_SESSION_HTTPS_ONLY "
                          "is set (served behind TLS); 0 sends none."},
    )
    match_rate_per_key: int = field(
        default=600,
        metadata={"help": "Match requests one API key may make per minute (then HTTP 429 with Retry-After); 0: "
                          "no limit."},
    )
    match_rate_per_org: int = field(
        default=1200,
        metadata={"help": "Match requests one organization (all its keys and users) may make per minute; 0: no "
                          "limit."},
    )
    probe_max_per_hour: int = field(
        default=20,
        metadata={"help": "Near-threshold hits one organization may have on one match-only (RED, AMBER+STRICT) "
                          "signal of another in an hour; the next quarantines the signal and alerts its owner."},
    )
    probe_near_fraction: float = field(
        default=0.5,
        metadata={"help": "A hit on a match-only signal is near the threshold (counted as probing) when its "
                          "distance is at least this fraction of the threshold."},
    )
    login_failures_per_source: int = field(
        default=20,
        metadata={"help": "Failed sign-ins one client address may make in 15 minutes before it is refused "
                          "(HTTP 429) for the rest of that window; accounts themselves are never locked."},
    )
    import_max_line_bytes: int = field(
        default=1024 * 1024,
        metadata={"help": "Longest line (or XML text node) of any import (bank, sanctions list, zone file), in "
                          "bytes; a longer one refuses the import without reading it whole."},
    )
    import_max_inflated_bytes: int = field(
        default=1024 * 1024 * 1024,
        metadata={"help": "Most bytes a compressed import (.gz, .zip, .bz2, .xz) may inflate to; more refuses it."},
    )
    image_pixel_budget: int = field(
        default=200_000_000,
        metadata={"help": "Pixels all the images one worker process decodes at the same time may hold together; "
                          "a request that would pass it waits up to 10 s, then gets HTTP 503."},
    )
    review_bulk_max: int = field(
        default=1000,
        metadata={"help": "Most cases one \"decide all matching\" of the web queue decides; the rest stay in the queue "
                          "and the page says how many were left."},
    )
    #: The fronts' settings, one dataclass instance per front's settings class (filled by :func:`load_settings`;
    #: a class missing here reads as its defaults). Not an environment variable itself.
    sections: dict[type, Any] = field(default_factory=dict, compare=False, repr=False,
                                      metadata={"section": True})

    def of(self, kind: type[T]) -> T:
        """The settings of one front (its manifest's settings class), its defaults when none were loaded."""
        found = self.sections.get(kind)
        if found is None:
            found = self.sections[kind] = kind()
        return cast(T, found)

    def with_section(self, section: object) -> Settings:
        """A copy of these settings with one front's settings replaced by ``section``."""
        return dataclasses.replace(self, sections={**self.sections, type(section): section})

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'basira.db'}"


def _core_fields() -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(Settings) if not f.metadata.get("section")]


def _section_types(fronts: FrontRegistry | None) -> list[type]:
    from basira.core.fronts import default_fronts

    return (fronts or default_fronts()).settings_types()


def setting_fields(fronts: FrontRegistry | None = None) -> list[dataclasses.Field[Any]]:
    """All settings: the core's in declaration order, then each front's (used by the docs and their meta-test)."""
    fields = _core_fields()
    for kind in _section_types(fronts):
        fields.extend(dataclasses.fields(kind))
    return fields


def env_name(name: str) -> str:
    return "BASIRA_" + name.upper()


def _convert(name: str, kind: Any, raw: str) -> Any:
    try:
        if kind is bool:
            low = raw.strip().lower()
            if low in {"1", "true", "yes", "on"}:
                return True
            if low in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if kind is int:
            return int(raw.replace("_", ""))
        if kind is float:
            return float(raw)
        if kind is Path:
            return Path(raw).expanduser()
        return raw
    except ValueError:
        raise ConfigurationError(f"{env_name(name)}={raw!r} is not a valid {kind.__name__}") from None


def _from_env(kind: type[T], env: Mapping[str, str], overrides: dict[str, Any]) -> T:
    """An instance of the settings dataclass ``kind``: its defaults, the environment, then ``overrides`` (which
    loses the keys it used)."""
    hints = get_type_hints(kind)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(kind):  # type: ignore[arg-type]
        if f.metadata.get("section"):
            continue
        raw = env.get(env_name(f.name))
        if raw is not None:
            values[f.name] = _convert(f.name, hints[f.name], raw)
        if f.name in overrides:
            values[f.name] = overrides.pop(f.name)
    return kind(**values)


def load_settings(environ: Mapping[str, str] | None = None, *, fronts: FrontRegistry | None = None,
                  **overrides: Any) -> Settings:
    """Build settings from the environment (``BASIRA_*``), then explicit overrides (a front's setting included).

    Raises:
        TypeError: An override names no setting.
    """
    env = os.environ if environ is None else environ
    rest = dict(overrides)
    sections = dict(rest.pop("sections", {}))
    for kind in _section_types(fronts):
        if kind not in sections:
            sections[kind] = _from_env(kind, env, rest)
    core = _from_env(Settings, env, rest)
    if rest:
        raise TypeError(f"unknown settings: {', '.join(sorted(rest))}")
    return dataclasses.replace(core, sections=sections)


def settings_markdown() -> str:
    """The settings table of docs/operations.md, made from the fields' help lines."""
    lines = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for f in setting_fields():
        if f.default is not dataclasses.MISSING:
            default = repr(f.default) if f.default != "" else "(empty)"
        else:
            default = "~/.local/share/basira"
        lines.append(f"| `{env_name(f.name)}` | `{default}` | {f.metadata['help']} |")
    return "\n".join(lines) + "\n"
