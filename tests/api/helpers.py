"""Generated photos for the HTTP API tests (the API client ``Api`` and ``problem`` live in ``tests/factories.py``)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image


def noise_image(seed: int = 7) -> Image.Image:
    rng = np.random.default_rng(seed)
    # Smooth blobs rather than pixel noise, so that PDQ survives JPEG re-encoding comfortably.
    small = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    return Image.fromarray(small).resize((256, 256), Image.Resampling.BICUBIC)


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()
