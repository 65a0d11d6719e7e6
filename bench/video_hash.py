"""vPDQ extraction speed: seconds of video hashed per second of wall time, beside decoding alone (the floor).

A generated video (moving shapes, captions, scene cuts; never real footage) is encoded once into
``.bench-cache/``; extraction samples one frame a second and hashes it with PDQ at full size. The baseline decodes
every frame with PyAV and does nothing else, so the ratio says how much hashing adds to decoding.

Run: ``.venv/bin/python bench/video_hash.py`` (``--seconds 20`` for a quick run).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import av

from basira.content.video import hash_video
from basira.content.videogen import write_video
from basira.core.settings import load_settings
from basira.core.signals import Content
from common import report
from imagegen import CACHE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--fps", type=int, default=25)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"video-{args.seconds}s-{args.fps}fps-640x360.mp4"
    if not path.exists():
        write_video(path, seed=11, seconds=args.seconds, fps=args.fps, size=(640, 360), bit_rate=1_500_000)

    start = time.perf_counter()
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        stream.thread_type = "AUTO"
        frames = sum(1 for _ in c.decode(stream))
    decode = time.perf_counter() - start

    settings = load_settings(data_dir=Path("/tmp"))
    start = time.perf_counter()
    vh = hash_video(Content(path, "video", path.stat().st_size), settings)
    full = time.perf_counter() - start
    report("vpdq_video_seconds_per_second", args.seconds / full, "video s/s", args.seconds / decode,
           note=f"{args.seconds} s of 640x360 at {args.fps} fps ({frames} frames), {vh.sampled} hashed; "
                "baseline decode only")


if __name__ == "__main__":
    main()
