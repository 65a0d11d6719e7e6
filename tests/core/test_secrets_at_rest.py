"""Secrets at rest and file modes (issue 21): the database file was world-readable (644 in a 755 folder) and TOTP,
webhook and legal authority secrets sat in clear. Now the data folder is 700, the database and keys 600, the
secrets are sealed with the instance key, and rows in clear from before are sealed at the next start."""

from __future__ import annotations

import os
from pathlib import Path

import pyotp
from sqlalchemy import text

from basira.actions.webhooks import WebhookSpec, create_webhook
from basira.core.instance import Instance
from basira.core.models import User
from basira.core.principal import Principal
from basira.core.settings import load_settings
from basira.legal.authorities import AuthoritySpec, register


def _raw(instance: Instance, sql: str) -> list[str]:
    with instance.db.engine.connect() as c:
        return [r[0] for r in c.execute(text(sql))]


def _secrets(instance: Instance, admin: Principal) -> tuple[str, str, str]:
    totp, hmac_key = pyotp.random_base32(), "ab" * 32
    with instance.db.session() as s:
        user = User(org_id=admin.org_id, username="tess", password_hash="x", role="admin", totp_secret=totp)
        s.add(user)
        _, hook_secret = create_webhook(s, admin, WebhookSpec(url="https://hooks.example.org/x"),
                                        allowlist=())
        register(s, admin, AuthoritySpec(name="Police", member_state="FR", timezone="Europe/Paris",
                                         key_kind="hmac-sha256", key=hmac_key))
    return totp, hook_secret, hmac_key


def test_secrets_are_sealed_in_the_database_and_open_in_python(instance: Instance, admin: Principal) -> None:
    from basira.actions.models import Webhook
    from basira.legal.models import Authority

    totp, hook, key = _secrets(instance, admin)
    stored = _raw(instance, "SELECT totp_secret FROM users WHERE username = 'tess'") \
        + _raw(instance, "SELECT secret FROM action_webhooks") + _raw(instance, "SELECT key FROM legal_authorities")
    # The attack: these were readable in clear by anyone who could read the database (or a backup of it).
    assert not {totp, hook, key} & set(stored)
    assert all(v and totp not in v and hook not in v and key not in v for v in stored)
    assert len(stored[0]) <= 64  # the compact TOTP form fits the column it always had
    with instance.db.session() as s:
        assert s.query(User).filter_by(username="tess").one().totp_secret == totp
        assert s.query(Webhook).one().secret == hook
        assert s.query(Authority).one().key == key


def test_secrets_in_clear_from_before_are_sealed_at_start(instance: Instance, admin: Principal,
                                                          tmp_path: Path) -> None:
    totp, hook, key = _secrets(instance, admin)
    with instance.db.engine.begin() as c:  # as an earlier version stored them
        c.execute(text("UPDATE users SET totp_secret = :v WHERE username = 'tess'"), {"v": totp})
        c.execute(text("UPDATE action_webhooks SET secret = :v"), {"v": hook})
        c.execute(text("UPDATE legal_authorities SET key = :v"), {"v": key})
    with instance.db.session() as s:  # still readable while in clear
        assert s.query(User).filter_by(username="tess").one().totp_secret == totp
    again = Instance(instance.settings)
    try:
        stored = _raw(again, "SELECT totp_secret FROM users WHERE username = 'tess'") \
            + _raw(again, "SELECT secret FROM action_webhooks") + _raw(again, "SELECT key FROM legal_authorities")
        assert not {totp, hook, key} & set(stored)
        with again.db.session() as s:
            assert s.query(User).filter_by(username="tess").one().totp_secret == totp
    finally:
        again.close()


def test_the_data_folder_database_and_keys_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        data = tmp_path / "data"
        data.mkdir(mode=0o755)
        (data / "basira.db").touch(mode=0o644)  # as an earlier version left them
        inst = Instance(load_settings(environ={}, data_dir=data, worker_interval_s=0))
        inst.close()
    finally:
        os.umask(old)
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "basira.db").stat().st_mode & 0o777 == 0o600
    assert (data / "secret.key").stat().st_mode & 0o777 == 0o600
