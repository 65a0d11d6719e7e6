"""One running Basira: its fronts, settings, database, signal-type registry and indexes, built once and passed
around."""

from __future__ import annotations

import secrets
from pathlib import Path

from basira.core import audit
from basira.core.db import Database
from basira.core.fronts import FrontRegistry, default_fronts
from basira.core.indexes import IndexManager
from basira.core.settings import Settings, load_settings
from basira.core.signals import SignalTypeRegistry, default_registry


class Instance:
    """The services of one instance; the API, the web UI and the CLI each hold one."""

    def __init__(self, settings: Settings | None = None, registry: SignalTypeRegistry | None = None,
                 fronts: FrontRegistry | None = None) -> None:
        self.fronts = fronts or default_fronts()
        self.settings = settings or load_settings(fronts=self.fronts)
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.secret_key = self.settings.secret_key or _stored_secret(self.settings.data_dir / "secret.key")
        self.db = Database(self.settings)
        # Every session carries the audit chain's key (derived from the secret, which never enters the database).
        self.db.sessions.configure(info={audit.KEY_INFO: audit.derive_key(self.secret_key)})
        with self.db.session() as s:
            audit.seal_chains(s)
        self.registry = registry or (default_registry() if fronts is None
                                     else SignalTypeRegistry.from_entry_points(self.fronts))
        self.indexes = IndexManager(self.registry, self.settings.data_dir / "indexes",
                                    database_key=self.settings.resolved_database_url, settings=self.settings)

    def close(self) -> None:
        """Save the large indexes (so the next start need not rebuild them) and release the database."""
        self.indexes.save_all()
        self.db.dispose()


def _stored_secret(path: Path) -> str:
    """A random secret kept in the data folder (created on first use, readable by its owner only)."""
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(value)
    return value
