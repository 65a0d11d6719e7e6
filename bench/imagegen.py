"""Photo-like generated images for the benchmarks: gradients, blobs, shapes, textures and sensor-like noise.

Nothing here is a real photograph: every image comes from a seed, so a run can be repeated exactly and the
cache under ``.bench-cache/`` can be rebuilt at any time. The images have enough structure at every scale for
PDQ to give them a quality of 50 or more, and each seed gives an unrelated picture.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".bench-cache"


def _smooth_field(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Low-frequency noise in 0..1: a coarse random grid scaled up smoothly (lighting, clouds, terrain)."""
    coarse = rng.random((cells, max(2, cells * w // h)))
    img = Image.fromarray((coarse * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC)
    return np.asarray(img, dtype=np.float32) / 255.0


def photo(seed: int, size: tuple[int, int] = (1920, 1080)) -> Image.Image:
    """A photo-like RGB image of ``size`` (width, height), the same for the same seed."""
    rng = np.random.default_rng(seed)
    # Draw at a working size and scale up: shapes get soft edges like a real lens, and it is faster.
    w, h = size
    ws, hs = max(64, w // 4), max(64, h // 4)
    yy, xx = np.mgrid[0:hs, 0:ws].astype(np.float32)
    base = np.empty((hs, ws, 3), np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / ws + np.sin(angle) * yy / hs)
    for c in range(3):
        base[..., c] = (rng.uniform(0.1, 0.9) + rng.uniform(-0.5, 0.5) * ramp
                        + rng.uniform(0.2, 0.5) * (_smooth_field(rng, hs, ws, int(rng.integers(3, 7))) - 0.5))
    canvas = Image.fromarray((np.clip(base, 0, 1) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    for _ in range(int(rng.integers(6, 18))):
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        x0, y0 = rng.uniform(-0.2, 1.0) * ws, rng.uniform(-0.2, 1.0) * hs
        x1, y1 = x0 + rng.uniform(0.05, 0.6) * ws, y0 + rng.uniform(0.05, 0.6) * hs
        kind = rng.integers(0, 3)
        if kind == 0:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        elif kind == 1:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            pts = [(float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))) for _ in range(int(rng.integers(3, 7)))]
            draw.polygon(pts, fill=colour)
    canvas = canvas.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.3, 1.5))))
    small = np.asarray(canvas, dtype=np.float32)
    # A texture (foliage, fabric) in some regions, drawn at the working size like everything else.
    texture = _smooth_field(rng, hs, ws, int(rng.integers(20, 60))) - 0.5
    mask = _smooth_field(rng, hs, ws, 3)
    small = small + (texture * mask * rng.uniform(20, 60))[..., None]
    big = Image.fromarray(np.clip(small, 0, 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC)
    # Fine grain like a camera sensor, cut from one shared tile at a seeded offset (fresh noise per image
    # would cost more than everything else together).
    tile = _grain()
    oy, ox = int(rng.integers(0, _GRAIN - 1)), int(rng.integers(0, _GRAIN - 1))
    reps = (h // _GRAIN + 2, w // _GRAIN + 2)
    grain = np.tile(tile, reps)[oy:oy + h, ox:ox + w] if (h > _GRAIN or w > _GRAIN) else \
        np.roll(tile, (oy, ox), axis=(0, 1))[:h, :w]
    arr = np.asarray(big, dtype=np.int16) + (grain * rng.uniform(0.5, 1.5)).astype(np.int16)[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


_GRAIN = 1024
_grain_tile: np.ndarray | None = None


def _grain() -> np.ndarray:
    global _grain_tile
    if _grain_tile is None:
        _grain_tile = np.random.default_rng(12345).normal(0, 4, (_GRAIN, _GRAIN)).astype(np.float32)
    return _grain_tile

def jpeg_bytes(img: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _write_one(job: tuple[Path, int, tuple[int, int], int]) -> None:
    path, seed, size, quality = job
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(jpeg_bytes(photo(seed, size), quality))
    tmp.replace(path)


def cached_jpegs(name: str, seeds: range, size: tuple[int, int], quality: int = 90) -> list[Path]:
    """JPEG files of ``photo(seed, size)`` under ``.bench-cache/<name>/``, generated once (on every core)."""
    folder = CACHE / name
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{seed:06d}.jpg" for seed in seeds]
    missing = [(p, s, size, quality) for p, s in zip(paths, seeds, strict=True) if not p.exists()]
    if missing:
        with multiprocessing.Pool(os.cpu_count() or 1) as pool:
            pool.map(_write_one, missing, chunksize=8)
    return paths
