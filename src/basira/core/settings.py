"""Settings read from ``BASIRA_*`` environment variables; each has a help line that also documents it.

Nothing is read at import time: call :func:`load_settings` (or :func:`get_settings`, which caches).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from basira.core.errors import ConfigurationError


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
    max_import_rows: int = field(
        default=1_000_000,
        metadata={"help": "Most rows accepted in one bank import."},
    )
    max_image_pixels: int = field(
        default=100_000_000,
        metadata={"help": "Largest image (width x height) that is decoded; larger ones are refused unread."},
    )
    pdq_quality_floor: int = field(
        default=50,
        metadata={"help": "PDQ hashes with a lower quality are kept out of banks and flagged on queries."},
    )
    pdq_reduced_decode: bool = field(
        default=True,
        metadata={"help": "Decode large JPEGs at reduced size before PDQ hashing (much faster, same matches)."},
    )
    pdq_dihedral: bool = field(
        default=False,
        metadata={"help": "Also hash the 7 rotated and mirrored variants of query photos (finds flipped copies)."},
    )
    pdq_index_mode: str = field(
        default="exact",
        metadata={"help": "PDQ index search: exact (every hit within the threshold) or fast (recall >= 0.99, faster)."},
    )
    max_video_seconds: int = field(
        default=4 * 3600, metadata={"help": "Longest video accepted, in seconds; longer ones are refused unread."},
    )
    vpdq_frames_per_second: float = field(
        default=1.0, metadata={"help": "Video frames hashed per second of video (vPDQ)."},
    )
    vpdq_quality_floor: int = field(
        default=50, metadata={"help": "Video frames whose PDQ quality is lower are left out of the vPDQ signal."},
    )
    vpdq_prune_distance: int = field(
        default=0,
        metadata={"help": "Consecutive video frames within this many bits are kept once (0: only identical ones)."},
    )
    vpdq_frame_distance: int = field(
        default=31, metadata={"help": "Largest Hamming distance at which two video frames match."},
    )
    vpdq_query_share_percent: int = field(
        default=0, metadata={"help": "Share of the query video's frames that must match for a video match."},
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
    drones_tile_url: str = field(
        default="",
        metadata={"help": "Tile URL template of the drone map (e.g. https://tiles.example/{z}/{x}/{y}.png); "
                          "empty: a plain vector map."},
    )
    drones_tile_attribution: str = field(
        default="", metadata={"help": "Attribution shown under the drone map's tiles, as their licence asks."},
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
    worker_interval_s: int = field(
        default=1,
        metadata={"help": "Seconds between background worker rounds (review cases, webhooks); 0 turns it off."},
    )
    sqlite_checkpoint_interval_s: float = field(
        default=1.0,
        metadata={"help": "SQLite only: while the server runs, a background thread copies the write-ahead log into "
                          "the database this often, so that no request's commit pays for it; 0 leaves it to "
                          "SQLite's own automatic checkpoints."},
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
    demo: bool = field(
        default=True,
        metadata={"help": "Offer the demo organization on the first page of an empty instance."},
    )
    setup_token_ttl_s: float = field(
        default=7200.0,
        metadata={"help": "How long the one-time set-up token that `basira serve` prints on an empty instance stays "
                          "valid (seconds); the first page asks for it before anyone may claim the instance."},
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'basira.db'}"


def setting_fields() -> list[dataclasses.Field[Any]]:
    """All settings, in declaration order (used by the docs and their meta-test)."""
    return list(dataclasses.fields(Settings))


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


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from the environment (``BASIRA_*``), then explicit overrides."""
    env = os.environ if environ is None else environ
    hints = get_type_hints(Settings)
    values: dict[str, Any] = {}
    for f in setting_fields():
        raw = env.get(env_name(f.name))
        if raw is not None:
            values[f.name] = _convert(f.name, hints[f.name], raw)
    values.update(overrides)
    return Settings(**values)


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
