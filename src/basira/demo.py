"""The demo: an organization with banks of generated images and a few files to try, made in one step.

Every image is drawn here from a fixed seed (gradients, shapes and noise; no real content of any kind), and every
signal is computed by the registered signal types, exactly as for a real upload.
"""

from __future__ import annotations

import math
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from basira.core import audit, banks, orgs
from basira.core.errors import ConfigurationError, Conflict, NotFound
from basira.core.instance import Instance
from basira.core.matching import extract
from basira.core.principal import system_principal
from basira.core.signals import Content, ExtractedSignal
from basira.core.sniff import sniff_file

ORG_SLUG = "demo"
USERNAME = "demo-admin"
PHOTO_BANK = "Demo photos"
MEME_BANK = "Demo harmless memes"
SEED = 20270301
PHOTOS = 20
MEMES = 4
SIZE = 256
_MIN_QUALITY = 50
# The unrelated example must be far from everything banked, not merely past the threshold.
_UNRELATED_MIN_DISTANCE = 80
_LABELS = ["demo", "generated"]
_PROVENANCE = "basira demo (generated images)"
_NO_PDQ = ExtractedSignal("pdq", "", quality=0)


@dataclass(frozen=True)
class DemoResult:
    """What :func:`seed_demo` made; ``api_key`` and ``password`` exist nowhere else (shown once)."""

    org_slug: str
    api_key: str
    username: str
    password: str
    example_files: list[Path]
    banks: list[str]
    #: For each example file (by name), what matching it should show.
    expectations: dict[str, str] = field(default_factory=dict)


@dataclass
class _Image:
    path: Path
    signals: list[ExtractedSignal]

    def pdq(self) -> ExtractedSignal | None:
        return next((s for s in self.signals if s.signal_type == "pdq"), None)


def _abstract(rng: np.random.Generator) -> Image.Image:
    """A gradient in a random direction, a few filled shapes, and light noise."""
    ys, xs = np.mgrid[0:SIZE, 0:SIZE] / (SIZE - 1)
    angle = rng.uniform(0, 2 * math.pi)
    t = math.cos(angle) * xs + math.sin(angle) * ys
    t = (t - t.min()) / (t.max() - t.min())
    c0, c1 = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    pixels = c0[None, None, :] * (1 - t[..., None]) + c1[None, None, :] * t[..., None]
    pixels += rng.normal(0, 6, pixels.shape)
    img = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(4, 9))):
        x0, y0 = (int(v) for v in rng.integers(0, SIZE - 40, 2))
        w, h = (int(v) for v in rng.integers(30, SIZE // 2, 2))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        kind = int(rng.integers(0, 3))
        if kind == 0:
            draw.ellipse((x0, y0, x0 + w, y0 + h), fill=colour)
        elif kind == 1:
            draw.rectangle((x0, y0, x0 + w, y0 + h), fill=colour)
        else:
            points = [(int(px), int(py)) for px, py in rng.integers(0, SIZE, (int(rng.integers(3, 6)), 2))]
            draw.polygon(points, fill=colour)
    return img


def _meme(rng: np.random.Generator, caption: str) -> Image.Image:
    """A smiling face on a flat colour with a friendly caption: the kind of harmless image a negative bank holds."""
    background = tuple(int(v) for v in rng.integers(120, 256, 3))
    img = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(img)
    cx, cy, r = SIZE // 2, SIZE // 2 - 20, int(rng.integers(70, 100))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 214, 64), outline=(60, 40, 0), width=4)
    for dx in (-r // 3, r // 3):
        draw.ellipse((cx + dx - 9, cy - r // 3 - 9, cx + dx + 9, cy - r // 3 + 9), fill=(40, 30, 20))
    draw.arc((cx - r // 2, cy - r // 4, cx + r // 2, cy + r // 2), 20, 160, fill=(40, 30, 20), width=6)
    font = ImageFont.load_default(size=26)
    draw.text((SIZE // 2, SIZE - 36), caption, fill=(20, 20, 20), font=font, anchor="mm")
    return img


def _rings(rng: np.random.Generator) -> Image.Image:
    """Concentric rings: nothing like the banked images, so it matches none of them."""
    ys, xs = np.mgrid[0:SIZE, 0:SIZE]
    cx, cy = (float(v) for v in rng.uniform(SIZE * 0.3, SIZE * 0.7, 2))
    radius = np.hypot(xs - cx, ys - cy)
    wave = (np.sin(radius / rng.uniform(6, 12)) + 1) / 2
    pixels = np.stack([wave * 230, (1 - wave) * 180 + 40, np.full_like(wave, 120.0)], axis=-1)
    return Image.fromarray(pixels.astype(np.uint8), "RGB")


def _hash(inst: Instance, path: Path) -> _Image:
    content = Content(path=path, content_type=sniff_file(path), size=path.stat().st_size)
    return _Image(path, extract(inst.registry, inst.settings, content, for_bank=True))


def _save(inst: Instance, img: Image.Image, path: Path, **options: Any) -> _Image:
    img.save(path, **options)
    return _hash(inst, path)


def _good(inst: Instance, make: Callable[[np.random.Generator], Image.Image], rng: np.random.Generator,
          path: Path) -> _Image:
    """Draw until PDQ finds enough detail to hash reliably (deterministic: the same seed, the same draws)."""
    for _ in range(20):
        img = make(rng)
        made = _save(inst, img, path, compress_level=1)
        pdq = made.pdq()
        if pdq is None or (pdq.quality or 0) >= _MIN_QUALITY:
            return made
    raise ConfigurationError("could not draw a demo image of sufficient PDQ quality")


def _pdq_distance(inst: Instance, a: _Image, b: _Image) -> float:
    pa, pb = a.pdq(), b.pdq()
    if pa is None or pb is None:
        return math.inf
    return inst.registry.get("pdq").distance(pa.value, pb.value)


def _specs(images: list[_Image], prefix: str, what: str) -> list[banks.SignalSpec]:
    return [banks.SignalSpec(signal_type=s.signal_type, value=s.value, entry_ref=f"{prefix}-{n:02d}",
                             content_type="photo", labels=list(_LABELS), provenance=_PROVENANCE,
                             quality=s.quality, attributes={"description": f"{what} number {n}"})
            for n, img in enumerate(images, 1) for s in img.signals]


def _draw_all(inst: Instance, work: Path) -> tuple[list[_Image], list[_Image], dict[str, _Image], dict[str, str]]:
    rng = np.random.default_rng(SEED)
    photos = [_good(inst, _abstract, rng, work / f"photo-{n:02d}.png") for n in range(1, PHOTOS + 1)]
    captions = ["HAVE A NICE DAY", "MONDAY AGAIN", "COFFEE FIRST", "SAME CAT, NEW BOX"]
    memes = [_good(inst, partial(_meme, caption=c), rng, work / f"meme-{n:02d}.png")
             for n, c in enumerate(captions[:MEMES], 1)]

    tries = work / "try"
    tries.mkdir()
    examples: dict[str, _Image] = {}
    # A smaller, re-encoded copy: different bytes, near-identical picture, so only PDQ finds it.
    # The two most detailed photos make the examples, so the copies keep a PDQ quality well above the floor.
    best = sorted(range(len(photos)), key=lambda i: -((photos[i].pdq() or _NO_PDQ).quality or 0))
    resized_n, exact_n = best[0], best[1]
    with Image.open(photos[resized_n].path) as original:
        smaller = original.resize((SIZE * 3 // 4, SIZE * 3 // 4), Image.Resampling.LANCZOS)
    examples["resized-copy.jpg"] = _save(inst, smaller, tries / "resized-copy.jpg", quality=80)
    shutil.copyfile(photos[exact_n].path, tries / "exact-copy.png")
    examples["exact-copy.png"] = _hash(inst, tries / "exact-copy.png")
    shutil.copyfile(memes[0].path, tries / "harmless-meme.png")
    examples["harmless-meme.png"] = _hash(inst, tries / "harmless-meme.png")
    for _ in range(50):
        unrelated = _good(inst, _rings, rng, tries / "unrelated.png")
        if all(_pdq_distance(inst, unrelated, x) >= _UNRELATED_MIN_DISTANCE for x in photos + memes):
            break
    examples["unrelated.png"] = unrelated
    expectations = {
        "resized-copy.jpg":
            f"a resized, re-encoded copy of demo photo {resized_n + 1}: matches '{PHOTO_BANK}' by pdq only",
        "exact-copy.png": f"an exact copy of demo photo {exact_n + 1}: matches '{PHOTO_BANK}' by pdq, md5 and sha256",
        "harmless-meme.png": f"a harmless meme: hits the negative bank '{MEME_BANK}', so it is suppressed",
        "unrelated.png": "an unrelated image: no match",
    }
    return photos, memes, examples, expectations


def seed_demo(inst: Instance, actor: str = "demo") -> DemoResult:
    """Create the demo organization, its admin user and key, two banks of generated images, and example files.

    The database part is one transaction, committed once the example files are in ``<data_dir>/demo/try/``.
    Raises :class:`Conflict` when the demo organization exists already.
    """
    with inst.db.session() as s:
        try:
            orgs.get_org(s, ORG_SLUG)
        except NotFound:
            pass
        else:
            raise Conflict(f"the demo exists already (organization {ORG_SLUG!r}); its key and password were "
                           "shown when it was made")
    password = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="basira-demo-") as tmp:
        work = Path(tmp)
        photos, memes, examples, expectations = _draw_all(inst, work)
        with inst.db.session() as s:
            org = orgs.create_org(s, actor, ORG_SLUG, "Demo organization", operator=True)
            admin = system_principal(org.id, actor=actor)
            orgs.create_user(s, admin, org.id, USERNAME, password, "admin")
            key = orgs.create_key(s, admin, org.id, "admin", "demo key")
            photo_bank = banks.create_bank(s, admin, inst.registry, banks.BankSpec(
                name=PHOTO_BANK, tlp="AMBER", description=f"{PHOTOS} generated abstract images (demo)."))
            meme_bank = banks.create_bank(s, admin, inst.registry, banks.BankSpec(
                name=MEME_BANK, tlp="GREEN", negative=True,
                description="Generated harmless memes: hits here suppress other hits (demo)."))
            added = 0
            for bank, images, prefix, what in ((photo_bank, photos, "demo-photo", "generated demo photo"),
                                               (meme_bank, memes, "demo-meme", "generated harmless meme")):
                added += len(banks.add_signals(s, admin, inst.registry, inst.settings, bank.id,
                                               _specs(images, prefix, what), audit_each=False))
            audit.record(s, org_id=org.id, actor=actor, action="demo.seed", target=f"org:{org.id}",
                         details={"banks": [PHOTO_BANK, MEME_BANK], "signals": added})
            # Written before the commit: if the files cannot be written, no demo exists whose key nobody saw.
            target = inst.settings.data_dir / "demo" / "try"
            target.mkdir(parents=True, exist_ok=True)
            files = []
            for name, img in examples.items():
                shutil.copyfile(img.path, target / name)
                files.append(target / name)
    return DemoResult(org_slug=ORG_SLUG, api_key=key.secret, username=USERNAME, password=password,
                      example_files=files, banks=[PHOTO_BANK, MEME_BANK], expectations=expectations)
