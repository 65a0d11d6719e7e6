"""Fixtures for the content tests: generated photo-like images (never real photographs) written to files.

``photo(seed, size)`` gives an RGB image with gradients, shapes and grain, so that PDQ rates it of good
quality; ``write(image, name, **save_args)`` saves it under the test's temporary folder and returns the path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from basira.core.settings import Settings, load_settings

PhotoFactory = Callable[..., Image.Image]
Writer = Callable[..., Path]


def make_photo(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A photo-like RGB image, the same for the same seed."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([rng.uniform(40, 200) + rng.uniform(-60, 60) * (xx / w) + rng.uniform(-60, 60) * (yy / h)
                     for _ in range(3)], axis=-1)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = float(rng.uniform(-0.1, 0.9) * w), float(rng.uniform(-0.1, 0.9) * h)
        box = (x0, y0, x0 + float(rng.uniform(0.1, 0.5) * w), y0 + float(rng.uniform(0.1, 0.5) * h))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    img = img.filter(ImageFilter.GaussianBlur(1.0))
    arr = np.asarray(img, dtype=np.int16) + rng.normal(0, 4, (h, w, 1)).astype(np.int16)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


@pytest.fixture(scope="session")
def photo() -> PhotoFactory:
    return make_photo


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    def _write(image: Image.Image, name: str, **save_args: Any) -> Path:
        path = tmp_path / name
        image.save(path, **save_args)
        return path
    return _write


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(environ={}, data_dir=tmp_path / "data")
