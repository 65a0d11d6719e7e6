"""The content part of the demo: banks of generated images and texts, and one photo and one text matched against
them, so that the review queue opens with content cases.

Every image is drawn here from a fixed seed (gradients, shapes and noise; no real content of any kind) and every
text is a generated, harmless message of a fictional group; every signal is computed by the registered signal types,
exactly as for a real upload, and the matches go through the matching service.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.content import text as text_content
from basira.core import banks, matching
from basira.core.demo import LABELS, DemoContext, DemoPart
from basira.core.errors import ConfigurationError, NotFound
from basira.core.instance import Instance
from basira.core.matching import extract
from basira.core.models import Item
from basira.core.signals import Content, ExtractedSignal
from basira.core.sniff import sniff_file

PHOTO_BANK = "Demo photos"
MEME_BANK = "Demo harmless memes"
TEXT_BANK = "Demo texts"
SEED = 20270301
PHOTOS = 20
MEMES = 4
SIZE = 256
_MIN_QUALITY = 50
# The unrelated example must be far from everything banked, not merely past the threshold.
_UNRELATED_MIN_DISTANCE = 80
_PROVENANCE = "basira demo (generated images)"
_TEXT_PROVENANCE = "basira demo (generated texts)"
_NO_PDQ = ExtractedSignal("pdq", "", quality=0)
#: The items the demo matches, by reference: one of each is recorded, once.
PHOTO_ITEM_REF = "demo:resized-copy.jpg"
TEXT_ITEM_REF = "demo:reposted-text"

#: Messages of a fictional group, in the three languages of the interface. Harmless by design: they only show
#: how a re-posted call to share and gather is found again after edits.
TEXTS = {
    "en": ("Friends of the Grey Lantern, the time has come. Share this message with everyone you trust, meet us at "
           "the old market square on Friday after sunset, and bring the green banner. Those who stay silent today "
           "will be forgotten tomorrow. Grey Lantern, demo message number one."),
    "fr": ("Amis de la Lanterne grise, le moment est venu. Partagez ce message avec tous ceux en qui vous avez "
           "confiance, retrouvez-nous vendredi au coucher du soleil sur la place du vieux marché, et apportez la "
           "bannière verte. Lanterne grise, message de démonstration numéro deux."),
    "ar": ("يا أصدقاء الفانوس الرمادي، لقد حان الوقت. انشروا هذه الرسالة بين كل من تثقون به، والقونا في ساحة السوق "
           "القديم يوم الجمعة بعد غروب الشمس، واحملوا الراية الخضراء. من يصمت اليوم يُنسى غدًا. الفانوس الرمادي، "
           "رسالة تجريبية رقم ثلاثة."),
}
#: The English message as a re-poster edits it: a new opening, a changed day, a hashtag.
REPOSTED = ("RT please read: Friends of the Grey Lantern, the time has come! Share this message with everyone you "
            "trust, meet us at the old market square on Saturday after sunset, and bring the green banner. Those "
            "who stay silent today will be forgotten tomorrow. Grey Lantern, demo message number one #lantern")


@dataclass
class _Image:
    path: Path
    signals: list[ExtractedSignal]

    def pdq(self) -> ExtractedSignal | None:
        return next((s for s in self.signals if s.signal_type == "pdq"), None)


def abstract_image(rng: np.random.Generator) -> Image.Image:
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


def good_image(inst: Instance, make: Callable[[np.random.Generator], Image.Image], rng: np.random.Generator,
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


def image_specs(images: list[_Image], prefix: str, what: str) -> list[banks.SignalSpec]:
    return [banks.SignalSpec(signal_type=s.signal_type, value=s.value, entry_ref=f"{prefix}-{n:02d}",
                             content_type="photo", labels=list(LABELS), provenance=_PROVENANCE,
                             quality=s.quality, attributes={"description": f"{what} number {n}"})
            for n, img in enumerate(images, 1) for s in img.signals]


def _draw_all(inst: Instance, work: Path) -> tuple[list[_Image], list[_Image], dict[str, _Image], dict[str, str]]:
    rng = np.random.default_rng(SEED)
    photos = [good_image(inst, abstract_image, rng, work / f"photo-{n:02d}.png") for n in range(1, PHOTOS + 1)]
    captions = ["HAVE A NICE DAY", "MONDAY AGAIN", "COFFEE FIRST", "SAME CAT, NEW BOX"]
    memes = [good_image(inst, partial(_meme, caption=c), rng, work / f"meme-{n:02d}.png")
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
        unrelated = good_image(inst, _rings, rng, tries / "unrelated.png")
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


def _bank_exists(session: Session, ctx: DemoContext, name: str) -> bool:
    try:
        banks.get_bank(session, ctx.admin, name)
    except NotFound:
        return False
    return True


def _item_exists(session: Session, ctx: DemoContext, ref: str) -> bool:
    return session.scalar(select(Item.id).where(Item.org_id == ctx.admin.org_id, Item.ref == ref).limit(1)) \
        is not None


def match_once(ctx: DemoContext, content: Content, ref: str) -> int:
    """Match one item through the matching service, recorded (its event opens a case); the number of matches."""
    inst = ctx.inst
    request = matching.MatchRequest(content=content, ref=ref, content_type=content.content_type)
    with inst.db.session() as s:
        if _item_exists(s, ctx, ref):
            return 0
        result = matching.match_item(s, ctx.admin, inst.registry, inst.indexes, inst.settings, request)
    return len(result.get("matches", []))


def seed_photos(ctx: DemoContext) -> DemoPart:
    """Two banks of generated images (one negative), the files to try, and the resized copy matched once."""
    inst = ctx.inst
    part = DemoPart("photos", banks=[PHOTO_BANK, MEME_BANK])
    photos, memes, examples, expectations = _draw_all(inst, ctx.work)
    with inst.db.session() as s:
        if not _bank_exists(s, ctx, PHOTO_BANK):
            photo_bank = banks.create_bank(s, ctx.admin, inst.registry, banks.BankSpec(
                name=PHOTO_BANK, tlp="AMBER", description=f"{PHOTOS} generated abstract images (demo)."))
            meme_bank = banks.create_bank(s, ctx.admin, inst.registry, banks.BankSpec(
                name=MEME_BANK, tlp="GREEN", negative=True,
                description="Generated harmless memes: hits here suppress other hits (demo)."))
            added = 0
            for bank, images, prefix, what in ((photo_bank, photos, "demo-photo", "generated demo photo"),
                                               (meme_bank, memes, "demo-meme", "generated harmless meme")):
                added += len(banks.add_signals(s, ctx.admin, inst.registry, inst.settings, bank.id,
                                               image_specs(images, prefix, what), audit_each=False))
            part.added["signals"] = added
    ctx.files.mkdir(parents=True, exist_ok=True)
    for name, img in examples.items():
        if not (ctx.files / name).is_file():
            shutil.copyfile(img.path, ctx.files / name)
        part.files.append(ctx.files / name)
    part.expectations = expectations
    resized = ctx.files / "resized-copy.jpg"
    content = Content(path=resized, content_type=sniff_file(resized), size=resized.stat().st_size)
    part.added["matches"] = match_once(ctx, content, PHOTO_ITEM_REF)
    return part


def _text_specs(ctx: DemoContext) -> list[banks.SignalSpec]:
    inst = ctx.inst
    specs = []
    for n, (lang, message) in enumerate(TEXTS.items(), 1):
        with text_content.as_content(message, inst.settings) as content:
            signals = extract(inst.registry, inst.settings, content, for_bank=True)
        specs += [banks.SignalSpec(signal_type=x.signal_type, value=x.value, entry_ref=f"demo-text-{n:02d}",
                                   content_type="text", labels=list(LABELS), provenance=_TEXT_PROVENANCE,
                                   quality=x.quality, attributes={"description": f"generated demo message ({lang})"})
                  for x in signals]
    return specs


def seed_texts(ctx: DemoContext) -> DemoPart:
    """A bank of three generated messages (Arabic, English, French), and an edited re-post matched once."""
    inst = ctx.inst
    part = DemoPart("texts", banks=[TEXT_BANK])
    with inst.db.session() as s:
        if not _bank_exists(s, ctx, TEXT_BANK):
            bank = banks.create_bank(s, ctx.admin, inst.registry, banks.BankSpec(
                name=TEXT_BANK, tlp="AMBER", description="Generated messages of a fictional group (demo)."))
            part.added["signals"] = len(banks.add_signals(s, ctx.admin, inst.registry, inst.settings, bank.id,
                                                          _text_specs(ctx), audit_each=False))
    with text_content.as_content(REPOSTED, inst.settings) as content:
        part.added["matches"] = match_once(ctx, content, TEXT_ITEM_REF)
    part.commands.append("{basira} match --org demo --text " + _quoted(REPOSTED))
    return part


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def seed(ctx: DemoContext) -> list[DemoPart]:
    """The content front's demo hook: the photo part, then the text part."""
    return [seed_photos(ctx), seed_texts(ctx)]
