"""Every package Basira's own code imports at run time is a default dependency (or an extra, imported lazily).

Wave 1 shipped a ``basira serve`` that failed on a fresh install: ``httpx`` was imported by the actions module but
declared only in the test extra, and CI installed the extras. This test reads every import in ``src/basira`` (module
level, inside functions, and ``importlib.import_module("...")`` with a literal name), maps each top-level module to
the distribution that provides it, and checks ``pyproject.toml``: a default dependency, or an extra's package imported
only inside a function (so that the default install still imports every module). ``.ci/first-run`` proves the same on a
fresh virtual environment.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "basira"


@dataclass(frozen=True)
class _Import:
    module: str  # top-level module name
    path: Path
    line: int
    lazy: bool  # inside a function body


def _norm(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _norm(re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0])


def _declared() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    default = {_requirement_name(r) for r in project["dependencies"]}
    extras = {extra: {_requirement_name(r) for r in reqs}
              for extra, reqs in project.get("optional-dependencies", {}).items()}
    return default, extras


class _Collector(ast.NodeVisitor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.depth = 0
        self.found: list[_Import] = []

    def _add(self, name: str, line: int) -> None:
        top = name.split(".")[0]
        if top and top != "basira":
            self.found.append(_Import(top, self.path, line, self.depth > 0))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self._add(node.module, node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if called == "import_module" and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            self._add(node.args[0].value, node.lineno)
        self.generic_visit(node)


def _imports() -> list[_Import]:
    found: list[_Import] = []
    for path in sorted(SRC.rglob("*.py")):
        collector = _Collector(path)
        collector.visit(ast.parse(path.read_text(), filename=str(path)))
        found.extend(collector.found)
    return found


def _third_party(imports: list[_Import]) -> list[_Import]:
    return [i for i in imports if i.module not in sys.stdlib_module_names and i.module != "__future__"]


def test_the_scan_sees_the_imports_it_must_judge() -> None:
    """The scan itself works: it finds a known module-level import and a known lazy one."""
    modules = {(i.module, i.lazy) for i in _imports()}
    assert ("sqlalchemy", False) in modules
    assert ("av", True) in modules  # the video extra, imported on demand


def test_every_run_time_import_is_a_declared_dependency() -> None:
    default, extras = _declared()
    providers = packages_distributions()
    problems = []
    for imp in _third_party(_imports()):
        dists = {_norm(d) for d in providers.get(imp.module, [])}
        where = f"{imp.path.relative_to(ROOT)}:{imp.line} imports {imp.module}"
        if not dists:
            problems.append(f"{where}, which no installed distribution provides")
        elif dists & default:
            continue
        elif any(dists & reqs for reqs in extras.values()):
            if not imp.lazy:
                problems.append(f"{where} at module level, but it is only in an extra: import it inside the "
                                "function that needs it, or make it a default dependency")
        else:
            problems.append(f"{where} ({', '.join(sorted(dists))}), which pyproject.toml does not declare")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("extra", ["test", "bench"])
def test_no_module_of_basira_needs_a_development_extra(extra: str) -> None:
    """Test and benchmark tools never reach the product: nothing in src imports them, even lazily."""
    default, extras = _declared()
    providers = packages_distributions()
    only_there = extras[extra] - default
    offenders = [f"{i.path.relative_to(ROOT)}:{i.line} imports {i.module}" for i in _third_party(_imports())
                 if {_norm(d) for d in providers.get(i.module, [])} & only_there]
    assert not offenders, "\n".join(offenders)
