"""``scripts/screenshots.py``: its pages are pages of the app, found in the demo, and captured as small pictures;
``docs/screenshots/`` holds what it makes and its README lists each picture."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image
from tests.web.conftest import Walk
from tests.web.site import page_routes

from conftest import need

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("basira_screenshots", ROOT / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_page_of_the_script_is_a_page_of_the_app_found_in_the_demo(walk: Walk) -> None:
    script = _script()
    routes = set(page_routes(walk.app))
    for shot in script.PAGES:
        assert shot.route in routes, f"{shot.name}: {shot.route} is not a page of the app"
        pattern = "[^/]+".join(re.escape(part) for part in re.split(r"{\w+}", shot.route))
        assert re.fullmatch(pattern, shot.address(walk.site.instance)), shot.name
    kinds = {s.name for s in script.PAGES if s.name.startswith("case-")}
    assert kinds == {"case-photo", "case-text", "case-screening", "case-drone"}


@pytest.mark.browser
def test_the_script_captures_a_page_as_a_small_picture(walk: Walk, tmp_path: Path) -> None:
    need(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install chromium)")
    script = _script()
    demo = script.Demo(walk.base, walk.site.instance, walk.site.username, walk.site.password)
    home = [s for s in script.PAGES if s.name == "home"]
    written = script.capture(demo, tmp_path, home, ["ar"], ["phone"])
    assert written == [tmp_path / "home-ar-phone.jpg"]
    with Image.open(written[0]) as picture:
        assert picture.format == "JPEG" and picture.width == 390
        assert picture.height <= 844 * script.MAX_SCREENS
    assert written[0].stat().st_size < 150_000


def test_the_committed_screenshots_are_listed_and_small() -> None:
    script = _script()
    pictures = sorted(p.name for p in SHOTS.glob("*.jpg"))
    expected = sorted(f"{s.name}-{lang}-{size}.jpg" for s in script.PAGES for lang in script.LANGS
                      for size in script.SIZES)
    assert pictures == expected, "run: python scripts/screenshots.py"
    readme = (SHOTS / "README.md").read_text(encoding="utf-8")
    assert "python scripts/screenshots.py" in readme
    assert [n for n in pictures if n not in readme] == []
    assert sum(p.stat().st_size for p in SHOTS.glob("*.jpg")) < 3_000_000
    for size, viewport in script.SIZES.items():
        for path in SHOTS.glob(f"*-{size}.jpg"):
            with Image.open(path) as picture:  # a full-page picture wider than its screen: the page overflowed
                assert picture.width == viewport["width"], f"{path.name} is {picture.width} px wide"
