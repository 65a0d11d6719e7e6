"""Meta-tests that keep the documentation honest: settings, the two README commands, CI."""

from __future__ import annotations

import re
from pathlib import Path

from basira.core.settings import settings_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented_in_operations_md() -> None:
    doc = (ROOT / "docs" / "operations.md").read_text()
    assert settings_markdown() in doc, "regenerate the table: python -c 'from basira.core.settings import " \
                                       "settings_markdown as m; print(m())'"


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", text, re.S)
    assert block, "the README opens with a code block holding the two commands"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_opens_with_the_two_commands() -> None:
    serve, test = _readme_commands()
    assert serve.endswith("basira serve")
    assert "pytest" in test


def test_ci_runs_exactly_the_readme_test_command() -> None:
    _, test = _readme_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci.splitlines()
    assert "BASIRA_REQUIRE_ALL=1" in ci


def test_ci_starts_exactly_the_readme_first_command() -> None:
    serve, _ = _readme_commands()
    first_run = (ROOT / ".ci" / "first-run").read_text()
    started = [line for line in first_run.splitlines() if line.startswith("( ") and "basira serve" in line]
    assert started == [f"( {serve} ) >\"$scratch/serve.log\" 2>&1 &"], started
    assert "bash .ci/first-run" in (ROOT / ".ci" / "run").read_text().splitlines()


def test_ci_first_run_installs_no_extra() -> None:
    serve, _ = _readme_commands()
    assert "pip install -q -e . " in serve and "[" not in serve
