"""Fixtures of the exercise tests: one instance for the package with one exercise started on it (starting one
draws, hashes and screens synthetic data, so the tests share it; each test leaves alone what others rely on), a
real operator organization beside it, and two webhook receivers: the exercise endpoint and a real one.

- ``drill``: a :class:`Drill` (instance, the started exercise, the real organization's key, the receivers).
- ``client``: the API and pages of that instance (``TestClient(create_app(...))``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.receiver import Receiver

from basira.actions.models import Webhook
from basira.api.app import create_app
from basira.core import orgs
from basira.core.instance import Instance
from basira.core.principal import Principal, system_principal
from basira.core.settings import load_settings
from basira.exercise import service


@dataclass
class Drill:
    inst: Instance
    started: service.Started
    real_org_id: int
    real_key: str
    exercise_hook: Receiver
    real_hook: Receiver

    @property
    def real(self) -> Principal:
        return system_principal(self.real_org_id, actor="test")


def open_instance(template: Path, folder: Path, **settings: object) -> Instance:
    data = folder / "data"
    data.mkdir(parents=True)
    shutil.copy(template, data / "basira.db")
    return Instance(load_settings(environ={}, data_dir=data, database_url=f"sqlite:///{data / 'basira.db'}",
                                  secret_key="test-secret", worker_interval_s=0, **settings))


@pytest.fixture(scope="package")
def drill(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    exercise_hook, real_hook = Receiver(), Receiver()
    inst = open_instance(sqlite_template, tmp_path_factory.mktemp("drill"), webhook_allowlist="127.0.0.0/8",
                         exercise_webhook_prefixes=exercise_hook.url)
    try:
        with inst.db.session() as s:
            real = orgs.create_org(s, "test", "acme", "Acme Platform", operator=True)
            key = orgs.create_key(s, system_principal(real.id, "test"), real.id, "admin", "test").secret
            real_id = real.id
        plan, site_name, site_doc = service.load_plan(inst, "stadium-night", None)
        started = service.start(inst, "test", plan=plan, site_name=site_name, site_doc=site_doc, slug="drill",
                                webhook=exercise_hook.url)
        with inst.db.session() as s:
            exercise_hook.secret = s.scalars(select(Webhook.secret)).one()
        yield Drill(inst, started, real_id, key, exercise_hook, real_hook)
    finally:
        inst.close()
        exercise_hook.close()
        real_hook.close()


@pytest.fixture(scope="package")
def client(drill: Drill) -> Iterator[TestClient]:
    with TestClient(create_app(drill.inst)) as c:
        yield c
