"""The default install carries no GPL code, and docs/security.md lists the licence of every default dependency."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _default_dependencies() -> list[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in deps]


def _declared_licence(name: str) -> str:
    meta = metadata.metadata(name)
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return " ".join([meta.get("License-Expression") or "", (meta.get("License") or "")[:200], *classifiers])


def test_no_default_dependency_is_gpl() -> None:
    gpl = re.compile(r"(?<![L])GPL|GNU General Public", re.IGNORECASE)
    offenders = [n for n in _default_dependencies()
                 if gpl.search(_declared_licence(n).replace("LGPL", "").replace("Lesser General", ""))]
    assert offenders == []


def test_every_default_dependency_is_listed_in_security_md() -> None:
    doc = (ROOT / "docs" / "security.md").read_text().lower()
    missing = [n for n in _default_dependencies() if f"| {n} |" not in doc]
    assert missing == []
