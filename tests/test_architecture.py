"""The layers of DESIGN.md hold: the import-linter contracts of pyproject.toml pass, would catch a front importing a
face or another front, and core and review name no front even in strings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "basira"
FRONT_NAMES = ("content", "finance", "drones")
CASE_KINDS = ("content_match", "screening_hit", "drone_alert")


def _lint_imports(config: Path, cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe is not None, "import-linter is part of the test extra"
    env = {"PATH": str(Path(sys.executable).parent), **({"PYTHONPATH": str(pythonpath)} if pythonpath else {})}
    return subprocess.run([exe, str(config), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_the_import_contracts_of_pyproject_are_kept() -> None:
    result = _lint_imports(ROOT / "pyproject.toml", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _toy_package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package ``toybasira`` with Basira's top-level layout and the given module sources."""
    pkg = tmp_path / "toybasira"
    for area in ("lang", "core", "content", "finance", "drones", "review", "actions", "sharing", "legal", "reports",
                 "identity", "retention", "exercise",
                 "api", "web", "cli"):
        (pkg / area).mkdir(parents=True)
        (pkg / area / "__init__.py").write_text("")
    for name in ("__init__.py", "demo.py", "worker.py"):
        (pkg / name).write_text("")
    for rel, text in files.items():
        (pkg / rel).write_text(text)
    return pkg


def _toy_config(tmp_path: Path) -> Path:
    """Basira's own contracts, pointed at ``toybasira``."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    lines = ["[tool.importlinter]", 'root_package = "toybasira"', ""]
    for c in contracts:
        lines.append("[[tool.importlinter.contracts]]")
        for key, value in c.items():
            if key in ("ignore_imports", "unmatched_ignore_imports_alerting"):
                continue
            text = re.sub(r"(?<![\w.])basira\b", "toybasira", json.dumps(value))
            lines.append(f"{key} = {text}")
        lines.append("")
    config = tmp_path / "toy.toml"
    config.write_text("\n".join(lines))
    return config


@pytest.mark.parametrize(("module", "source", "broken"), [
    # A front that draws its own page.
    ("drones/page.py", "import toybasira.web\n", "Layers"),
    # One front reaching into another.
    ("finance/wallets.py", "import toybasira.drones\n", "Layers"),
    # Review naming a front.
    ("review/consumer.py", "import toybasira.finance\n", "never import a front"),
    # The language functions leaning on the core.
    ("lang/arabic.py", "import toybasira.core\n", "Layers"),
])
def test_the_contracts_catch_an_import_against_the_layers(tmp_path: Path, module: str, source: str,
                                                          broken: str) -> None:
    _toy_package(tmp_path, {module: source})
    result = _lint_imports(_toy_config(tmp_path), tmp_path, pythonpath=tmp_path)
    assert result.returncode != 0
    assert re.search(rf"{re.escape(broken)}[^\n]*BROKEN", result.stdout), result.stdout


def test_the_contracts_catch_an_import_circle(tmp_path: Path) -> None:
    _toy_package(tmp_path, {"core/a.py": "import toybasira.core.b\n", "core/b.py": "import toybasira.core.a\n"})
    result = _lint_imports(_toy_config(tmp_path), tmp_path, pythonpath=tmp_path)
    assert re.search(r"No import circle[^\n]*BROKEN", result.stdout), result.stdout


def test_the_same_toy_package_without_the_bad_import_keeps_every_contract(tmp_path: Path) -> None:
    _toy_package(tmp_path, {"drones/page.py": "import toybasira.core\n", "api/app.py": "import toybasira.drones\n"})
    result = _lint_imports(_toy_config(tmp_path), tmp_path, pythonpath=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("area", ["core", "review", "actions"])
def test_core_review_and_actions_name_no_front_even_in_strings(area: str) -> None:
    names = [*CASE_KINDS, *(f"basira.{f}" for f in FRONT_NAMES)]
    found = []
    for path in (SRC / area).rglob("*.py"):
        if "migrations" in path.parts:
            continue  # one Alembic history holds every area's tables
        text = path.read_text()
        found += [f"{path.relative_to(SRC)}: {n}" for n in names if re.search(rf"\b{re.escape(n)}\b", text)]
    assert not found
