"""The content part of an exercise: the demo's synthetic banks and content hits, then what the trainer sends: a
new hash list (``hash_list``: a new bank of generated images, and a re-encoded copy of one posted at once) and a
re-posted message (``content_hit``), each submitted under a post URL that a later removal order may name.

Images are drawn by the demo's generators from a seed (no real content of any kind); hashing and matching go
through the registered signal types and the matching service, as for a real upload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from PIL import Image

from basira.content import demo
from basira.content import text as text_content
from basira.core import banks
from basira.core.demo import DemoContext, DemoPart
from basira.core.errors import InvalidInput
from basira.core.exercise_hooks import ExerciseContext, ExerciseHook, InjectResult
from basira.core.models import utcnow
from basira.core.signals import Content
from basira.core.sniff import sniff_file

MAX_IMAGES = 20
POST_URL = "https://exercise.invalid/posts/{tag}"


def _demo_context(ctx: ExerciseContext) -> DemoContext:
    return DemoContext(inst=ctx.inst, admin=ctx.admin, work=ctx.work, files=ctx.files / "try")


def seed(ctx: ExerciseContext) -> list[DemoPart]:
    """The demo's bank of generated messages and its hit (an edited re-post), in the exercise organization; photos
    come with the ``hash_list`` inject (drawing the demo's twenty would make every start slow)."""
    return [demo.seed_texts(_demo_context(ctx))]


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
    inst = ctx.inst
    count = _int(params, "count", 5, 1, MAX_IMAGES)
    tag = _tag()
    rng = np.random.default_rng(_int(params, "seed", int(tag[-9:]), 0, 2**31 - 1))
    name = _name(params, f"Exercise hash list {tag}")
    folder = ctx.work / f"hash-list-{tag}"
    folder.mkdir(parents=True)
    images = [demo.good_image(inst, demo.abstract_image, rng, folder / f"image-{n:02d}.png")
              for n in range(1, count + 1)]
    with inst.db.session() as s:
        bank = banks.create_bank(s, ctx.admin, inst.registry, banks.BankSpec(
            name=name, tlp="AMBER", description="A new hash list of generated images (exercise)."))
        added = len(banks.add_signals(s, ctx.admin, inst.registry, inst.settings, bank.id,
                                      demo.image_specs(images, f"exercise-{tag}", "generated exercise image"),
                                      audit_each=False))
    with Image.open(images[0].path) as original:
        smaller = original.resize((demo.SIZE * 3 // 4, demo.SIZE * 3 // 4), Image.Resampling.LANCZOS)
    posted = folder / "posted.jpg"
    smaller.save(posted, quality=80)
    url = POST_URL.format(tag=tag)
    content = Content(path=posted, content_type=sniff_file(posted), size=posted.stat().st_size)
    matches = demo.match_once(_demo_context(ctx), content, url)
    return InjectResult(summary=f"hash list {name!r} ({count} images) and a copy of one posted at {url}",
                        case_keys=[f"item:{url}"], records={"urls": [url], "bank": name},
                        added={"signals": added, "matches": matches})


def content_hit(ctx: ExerciseContext, params: Mapping[str, Any]) -> InjectResult:
    """The demo's banked message is posted again, edited (``text`` replaces it: a message to match)."""
    text = params.get("text", demo.REPOSTED)
    if not isinstance(text, str) or not 0 < len(text) <= 10_000:
        raise InvalidInput("text is a message of 1-10000 characters")
    url = POST_URL.format(tag=_tag())
    with text_content.as_content(text, ctx.inst.settings) as content:
        matches = demo.match_once(_demo_context(ctx), content, url)
    return InjectResult(summary=f"a message posted at {url} ({matches} matches)", case_keys=[f"item:{url}"],
                        records={"urls": [url]}, added={"matches": matches})


HOOK = ExerciseHook(seed=seed, injects={"hash_list": hash_list, "content_hit": content_hit})
