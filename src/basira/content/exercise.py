"""The content part of an exercise: a bank of generated images and a first hit, then what the trainer sends: a new
hash list (``hash_list``: a new bank of generated images, and a re-encoded copy of one posted at once) and a
re-posted image (``content_hit``), each submitted under a post URL that a later removal order may name.

Images are drawn by the demo's generators from a seed (no real content of any kind); hashing and matching go
through the registered signal types and the matching service, as for a real upload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from PIL import Image

from basira.content import demo
from basira.core import banks
from basira.core.demo import DemoContext, DemoPart
from basira.core.errors import InvalidInput, NotFound
from basira.core.exercise_hooks import ExerciseContext, ExerciseHook, InjectResult
from basira.core.models import utcnow
from basira.core.signals import Content
from basira.core.sniff import sniff_file

MAX_IMAGES = 20
POST_URL = "https://exercise.invalid/posts/{tag}"
PHOTO_BANK = "Exercise photos"
PHOTOS = 6
SEED = 20261206


def _demo_context(ctx: ExerciseContext) -> DemoContext:
    return DemoContext(inst=ctx.inst, admin=ctx.admin, work=ctx.work, files=ctx.files / "try")


def _draw(ctx: ExerciseContext, rng: np.random.Generator, count: int, folder_name: str) -> list[Any]:
    folder = ctx.work / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    return [demo.good_image(ctx.inst, demo.abstract_image, rng, folder / f"image-{n:02d}.png")
            for n in range(1, count + 1)]


def _post_copy(ctx: ExerciseContext, image: Any, url: str) -> int:
    """Post a resized, re-encoded copy of ``image`` under ``url`` (only PDQ finds it); the number of matches."""
    with Image.open(image.path) as original:
        smaller = original.resize((demo.SIZE * 3 // 4, demo.SIZE * 3 // 4), Image.Resampling.LANCZOS)
    posted = image.path.with_name(image.path.stem + "-posted.jpg")
    smaller.save(posted, quality=80)
    content = Content(path=posted, content_type=sniff_file(posted), size=posted.stat().st_size)
    return demo.match_once(_demo_context(ctx), content, url)


def _bank(ctx: ExerciseContext, name: str, images: list[Any], prefix: str, description: str) -> int:
    inst = ctx.inst
    with inst.db.session() as s:
        bank = banks.create_bank(s, ctx.admin, inst.registry, banks.BankSpec(name=name, tlp="AMBER",
                                                                             description=description))
        return len(banks.add_signals(s, ctx.admin, inst.registry, inst.settings, bank.id,
                                     demo.image_specs(images, prefix, "generated exercise image"), audit_each=False))


def _has_bank(ctx: ExerciseContext, name: str) -> bool:
    with ctx.inst.db.session() as s:
        try:
            banks.get_bank(s, ctx.admin, name)
        except NotFound:
            return False
    return True


def seed(ctx: ExerciseContext) -> list[DemoPart]:
    """A bank of generated images and a copy of one posted at the start (the team's first content case).

    The images are drawn from a fixed seed, so that ``content_hit`` can post copies of them later; the demo's
    twenty photos and its text models are left out, so that an exercise starts in seconds.
    """
    part = DemoPart("photos", banks=[PHOTO_BANK])
    if _has_bank(ctx, PHOTO_BANK):
        return [part]
    images = _draw(ctx, np.random.default_rng(SEED), PHOTOS, "seed")
    part.added["signals"] = _bank(ctx, PHOTO_BANK, images, "exercise-photo", "Generated images (exercise).")
    part.added["matches"] = _post_copy(ctx, images[0], POST_URL.format(tag="start"))
    return [part]


def _int(params: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = params.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{key} is a whole number from {low} to {high}")
    return value


def _name(params: Mapping[str, Any], default: str) -> str:
    value = params.get("bank", default)
    if not isinstance(value, str) or not 0 < len(value.strip()) <= 200:
        raise InvalidInput("bank is a name of 1-200 characters")
    return value.strip()


def _tag() -> str:
    return utcnow().strftime("%Y%m%dT%H%M%S%f")


def hash_list(ctx: ExerciseContext, params: Mapping[str, Any]) -> InjectResult:
    """A partner's new hash list arrives (``count`` generated images, 5 by default, in a new bank named ``bank``),
    and a resized, re-encoded copy of its first image is posted at once (a content case)."""
    count = _int(params, "count", 5, 1, MAX_IMAGES)
    tag = _tag()
    rng = np.random.default_rng(_int(params, "seed", int(tag[-9:]), 0, 2**31 - 1))
    name = _name(params, f"Exercise hash list {tag}")
    images = _draw(ctx, rng, count, f"hash-list-{tag}")
    added = _bank(ctx, name, images, f"exercise-{tag}", "A new hash list of generated images (exercise).")
    url = POST_URL.format(tag=tag)
    matches = _post_copy(ctx, images[0], url)
    return InjectResult(summary=f"hash list {name!r} ({count} images) and a copy of one posted at {url}",
                        case_keys=[f"item:{url}"], records={"urls": [url], "bank": name},
                        added={"signals": added, "matches": matches})


def content_hit(ctx: ExerciseContext, params: Mapping[str, Any]) -> InjectResult:
    """A copy of one of the exercise's banked images (``image``: 1-6, the second by default) is posted again."""
    n = _int(params, "image", 2, 1, PHOTOS)
    images = _draw(ctx, np.random.default_rng(SEED), n, f"hit-{_tag()}")
    url = POST_URL.format(tag=_tag())
    matches = _post_copy(ctx, images[n - 1], url)
    return InjectResult(summary=f"a copy of exercise image {n} posted at {url} ({matches} matches)",
                        case_keys=[f"item:{url}"], records={"urls": [url]}, added={"matches": matches})


HOOK = ExerciseHook(seed=seed, injects={"hash_list": hash_list, "content_hit": content_hit})
