"""Fixtures for the command line: ``cli`` runs ``basira`` in-process against the test backend.

``cli("bank", "list")`` returns the ``Result``; ``cli.ok(...)`` also checks that the command succeeded. The
runner's environment sets ``BASIRA_DATABASE_URL`` and ``BASIRA_DATA_DIR``, so every test runs on SQLite and on
PostgreSQL through the ``database_url`` fixture. ``cli.instance()`` opens the same database for checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from basira.cli.main import app
from basira.core.instance import Instance
from basira.core.settings import load_settings


@dataclass
class Cli:
    env: dict[str, str]
    data_dir: Path
    runner: CliRunner = field(default_factory=CliRunner)
    _instances: list[Instance] = field(default_factory=list)

    def __call__(self, *args: str, input: str | None = None) -> Result:
        result = self.runner.invoke(app, list(args), env=self.env, input=input)
        # A BasiraError or a file error must become a message and an exit code, never an exception.
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"basira {' '.join(args)} raised {result.exception!r}\n{result.output}") \
                from result.exception
        return result

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, f"basira {' '.join(args)} exited {result.exit_code}:\n{result.output}"
        return result

    def instance(self) -> Instance:
        inst = Instance(load_settings(environ=self.env))
        self._instances.append(inst)
        return inst


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Iterator[Cli]:
    data_dir = tmp_path / "data"
    env = {"BASIRA_DATABASE_URL": database_url, "BASIRA_DATA_DIR": str(data_dir),
           "BASIRA_SECRET_KEY": "test-secret", "COLUMNS": "200"}
    c = Cli(env, data_dir)
    yield c
    for inst in c._instances:
        inst.close()


@pytest.fixture
def cli_offline(tmp_path: Path) -> Cli:
    """A runner whose database cannot be opened: for commands that must not need one (``basira hash``)."""
    env = {"BASIRA_DATABASE_URL": "nosuchdatabase://nowhere", "BASIRA_DATA_DIR": str(tmp_path / "data"),
           "COLUMNS": "200"}
    return Cli(env, tmp_path / "data")
