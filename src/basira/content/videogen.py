"""Synthetic videos for tests, benchmarks and demonstrations: moving shapes, captions and scene cuts.

Never real footage: every frame is drawn from a seed, so a test can make the same video again in another size,
codec or cut. Needs PyAV (the ``video`` extra), imported on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from basira.content.videodecode import import_av


def frames(seed: int, seconds: float, fps: int = 10, size: tuple[int, int] = (320, 240),
           scene_seconds: float = 3.0) -> Iterator[np.ndarray]:
    """RGB frames ``(h, w, 3)``: each scene (``scene_seconds`` long) has its own background, shapes and caption."""
    w, h = size
    n = round(seconds * fps)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    Shape = tuple[int, tuple[int, ...], float, float, float]  # kind, colour, radius, speed, phase
    scene_cache: dict[int, tuple[np.ndarray, list[Shape], str]] = {}
    for i in range(n):
        t = i / fps
        scene = int(t // scene_seconds)
        if scene not in scene_cache:
            rng = np.random.default_rng([seed, scene])
            a, b, c = rng.uniform(0.2, 1.0, 3)
            bg = np.stack([
                127 + 120 * np.sin(a * xx / w * 6 + b * 3),
                127 + 120 * np.cos(b * yy / h * 5 + c * 2),
                127 + 120 * np.sin(c * (xx + yy) / (w + h) * 7 + a)], axis=-1).clip(0, 255).astype(np.uint8)
            shapes: list[Shape] = [
                (int(rng.integers(0, 2)), tuple(int(v) for v in rng.integers(0, 256, 3)),
                 float(rng.uniform(0.05, 0.2)), float(rng.uniform(-0.2, 0.2)), float(rng.uniform(0, 6.28)))
                for _ in range(4)]
            scene_cache[scene] = (bg, shapes, f"scene {scene} / seed {seed}")
        bg, shapes, caption = scene_cache[scene]
        img = Image.fromarray(bg)
        draw = ImageDraw.Draw(img)
        for k, (kind, colour, radius, speed, phase) in enumerate(shapes):
            cx = w * (0.5 + 0.35 * np.sin(phase + speed * t * 3 + k))
            cy = h * (0.5 + 0.35 * np.cos(phase * 1.3 + speed * t * 2))
            r = radius * min(w, h)
            box = (cx - r, cy - r, cx + r, cy + r)
            if kind:
                draw.ellipse(box, fill=colour[:3])
            else:
                draw.rectangle(box, fill=colour[:3])
        draw.text((8, h - 20), f"{caption}  t={t:04.1f}", fill=(255, 255, 255))
        yield np.asarray(img)


def write_video(path: Path, seed: int, seconds: float = 8.0, fps: int = 10, size: tuple[int, int] = (320, 240),
                codec: str = "mpeg4", start: float = 0.0, bit_rate: int = 400_000) -> Path:
    """Encode the video of ``seed`` (from ``start`` seconds on, ``seconds`` long) into ``path``.

    Frames are drawn at 320x240 and scaled to ``size``, so the same seed in two sizes is one video resized.
    """
    av = import_av()
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = bit_rate
        skip = round(start * fps)
        for i, pixels in enumerate(frames(seed, start + seconds, fps)):
            if i < skip:
                continue
            if pixels.shape[1::-1] != size:
                pixels = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR))
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def write_sparse_long_video(path: Path, hours: float, size: tuple[int, int] = (64, 48)) -> Path:
    """A tiny video that really lasts ``hours``: a few frames, far apart (made in milliseconds)."""
    av = import_av()
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=1)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for k, t in enumerate((0, int(hours * 3600 / 2), int(hours * 3600))):
            frame = av.VideoFrame.from_ndarray(np.full((size[1], size[0], 3), 40 * k, dtype=np.uint8), format="rgb24")
            frame.pts = t
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def write_audio_only(path: Path, seconds: float = 2.0) -> Path:
    """An audio file (a quiet tone in an MP4/M4A container) with no video stream."""
    av = import_av()
    rate = 44_100
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=rate)
        n = int(seconds * rate)
        tone = (0.1 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)).astype(np.float32)
        for lo in range(0, n, 1024):
            chunk = tone[lo:lo + 1024]
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path
