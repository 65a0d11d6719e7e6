"""Screenshots of Basira's main pages for the documentation, made by a machine rather than by hand.

It starts Basira on a temporary SQLite database with the demo loaded, signs in as the demo's admin in headless
Chromium, and saves each page of :data:`PAGES` in English, Arabic and French at desktop and phone size as
optimised JPEG files in ``docs/screenshots/`` (the list is in that folder's README.md)::

    python scripts/screenshots.py                       # everything, into docs/screenshots/
    python scripts/screenshots.py --pages home queue --langs en --sizes phone --out /tmp/shots

Needs the ``test`` extra (Playwright) and a Chromium (``--chromium``, by default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
LANGS = ("en", "ar", "fr")
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# Pictures are cut at this many screens of height: the top of a page is what a reader of the docs looks at.
MAX_SCREENS = 1.25
JPEG_QUALITY = 50


@dataclass(frozen=True)
class Shot:
    """A page to capture: its file name, the route it shows (checked by the tests) and how to find its address."""

    name: str
    route: str
    address: Callable[[Any], str]  # the instance → the path to open


def _case_of(kind: str, content_type: str | None = None) -> Callable[[Any], str]:
    """The first case of ``kind`` (and, for a content match, of an item of ``content_type``)."""
    def address(inst: Any) -> str:
        from sqlalchemy import select

        from basira.core.models import Item
        from basira.review.models import Case

        with inst.db.session() as s:
            for case in s.scalars(select(Case).where(Case.kind == kind).order_by(Case.id)):
                ref = case.group_key.removeprefix("item:")
                types = set(s.scalars(select(Item.content_type).where(Item.org_id == case.org_id, Item.ref == ref)))
                if content_type is None or content_type in types:
                    return f"/cases/{case.id}"
        raise LookupError(f"the demo has no {kind} case" + (f" of a {content_type}" if content_type else ""))
    return address


def _fixed(path: str) -> Callable[[Any], str]:
    return lambda _inst: path


PAGES: tuple[Shot, ...] = (
    Shot("home", "/", _fixed("/")),
    Shot("queue", "/cases", _fixed("/cases")),
    Shot("case-photo", "/cases/{case_id}", _case_of("content_match", "photo")),
    Shot("case-text", "/cases/{case_id}", _case_of("content_match", "text")),
    Shot("case-screening", "/cases/{case_id}", _case_of("screening_hit")),
    Shot("case-drone", "/cases/{case_id}", _case_of("drone_alert")),
    Shot("drones", "/drones", _fixed("/drones")),
    Shot("sharing", "/sharing", _fixed("/sharing")),
    Shot("account", "/account", _fixed("/account")),
    Shot("admin-users", "/admin/users", _fixed("/admin/users")),
)


@dataclass
class Demo:
    """A served demo instance: its address and the admin's credentials."""

    base: str
    instance: Any
    username: str
    password: str


@contextlib.contextmanager
def serve_demo(folder: Path) -> Iterator[Demo]:
    """Basira on a new SQLite database in ``folder`` with the demo loaded, served on a free loopback port."""
    import uvicorn

    from basira.api.app import create_app
    from basira.core.instance import Instance
    from basira.core.settings import load_settings
    from basira.demo import seed_demo

    inst = Instance(load_settings(environ={}, data_dir=folder, secret_key=secrets.token_hex(32),
                                  worker_interval_s=0))
    try:
        result = seed_demo(inst)
        if result.password is None:
            raise RuntimeError("the demo was there already: start from an empty folder")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(create_app(inst), log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        try:
            yield Demo(f"http://127.0.0.1:{sock.getsockname()[1]}", inst, result.username, result.password)
        finally:
            server.should_exit = server.force_exit = True  # the drone map's event stream stays open
            thread.join(timeout=10)
            sock.close()
    finally:
        inst.close()


def _optimised(png: bytes, max_height: int) -> bytes:
    """A screenshot as a small JPEG: cut at ``max_height`` pixels, colours as they are."""
    from PIL import Image

    with Image.open(BytesIO(png)) as image:
        picture = image.convert("RGB")
        if picture.height > max_height:
            picture = picture.crop((0, 0, picture.width, max_height))
        out = BytesIO()
        picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        return out.getvalue()


def capture(demo: Demo, out: Path, shots: Sequence[Shot], langs: Sequence[str], sizes: Sequence[str],
            chromium: str = "/usr/bin/chromium") -> list[Path]:
    """Save each of ``shots`` in each language and size into ``out``; returns the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    addresses = {shot.name: shot.address(demo.instance) for shot in shots}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            for size in sizes:
                viewport = SIZES[size]
                page = browser.new_context(viewport=viewport, device_scale_factor=1).new_page()
                page.goto(f"{demo.base}/login")
                page.fill("#username", demo.username)
                page.fill("#password", demo.password)
                page.click("button[type=submit].primary")
                page.wait_for_url(f"{demo.base}/")
                for lang in langs:
                    for shot in shots:
                        page.goto(f"{demo.base}{addresses[shot.name]}?lang={lang}", wait_until="load")
                        png = page.screenshot(full_page=True, animations="disabled")
                        target = out / f"{shot.name}-{lang}-{size}.jpg"
                        target.write_bytes(_optimised(png, int(viewport["height"] * MAX_SCREENS)))
                        written.append(target)
                page.context.close()
        finally:
            browser.close()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder of the pictures (default: docs/screenshots)")
    parser.add_argument("--pages", nargs="*", choices=[s.name for s in PAGES], help="only these pages")
    parser.add_argument("--langs", nargs="*", choices=LANGS, default=list(LANGS))
    parser.add_argument("--sizes", nargs="*", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium executable")
    args = parser.parse_args(argv)
    shots = [s for s in PAGES if not args.pages or s.name in args.pages]
    with tempfile.TemporaryDirectory(prefix="basira-shots-") as tmp, serve_demo(Path(tmp)) as demo:
        written = capture(demo, args.out, shots, args.langs, args.sizes, args.chromium)
    total = sum(p.stat().st_size for p in written)
    sys.stdout.write(f"{len(written)} pictures, {total / 1e6:.2f} MB, in {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
