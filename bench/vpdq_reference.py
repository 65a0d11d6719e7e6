"""vPDQ against ThreatExchange's reference: frame distances and match verdicts on its sample videos.

Each sample video of ``../shared/data/reference/vpdq/sample-videos`` is hashed by Basira (one frame a second, full
size, the default) and compared with the reference hasher's output for it (``sample-hashes``: every frame, at
full size and at 128x128), taken whole and thinned to one frame a second: four banks per video. Baselines, in the
same run: frames scaled to 512 pixels before hashing (Basira's former default) for the distances, and the former
rule (80 % of the bank video's frames) for the verdicts. Different scenes (chair, pattern, doorknob, padded test
card) must never match.

Run: ``.venv/bin/python bench/vpdq_reference.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np

from basira.content import vpdq
from basira.content.video import VPDQSignal
from basira.core.settings import load_settings
from basira.core.signals import Content
from common import report

ROOT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "reference" / "vpdq"
SETTINGS = load_settings(environ={}, data_dir=Path(tempfile.gettempdir()))


def scene(name: str) -> str:
    return name.split("-")[0]


def extract(path: Path, max_side: int) -> str:
    settings = dataclasses.replace(SETTINGS, vpdq_frame_max_side=max_side)
    return VPDQSignal.extract(Content(path, "video", path.stat().st_size), settings)[0].value


def one_a_second(text: str) -> str:
    kept: dict[int, str] = {}
    for line in text.splitlines():
        kept.setdefault(int(float(line.split(",")[3])), line)
    return "\n".join(kept.values())


def frame_gaps(value: str, reference: str) -> list[int]:
    frames = {round(float(t), 3): (int(q), h) for _, q, h, t in (ln.split(",") for ln in reference.splitlines())}
    gaps = []
    for f in vpdq.parse(value):
        quality, h = frames[min(frames, key=lambda t, s=f.start: abs(t - s))]
        if quality >= vpdq.PARTNER_QUALITY_FLOOR:
            gaps.append((int(f.hash, 16) ^ int(h, 16)).bit_count())
    return gaps


def banks_of(name: str) -> dict[str, str]:
    out = {}
    for suffix in ("", "-128x128"):
        path = ROOT / "sample-hashes" / f"{name}{suffix}.txt"
        if path.is_file():
            text = path.read_text()
            out[f"every_frame{suffix}"] = VPDQSignal.validate(text)
            out[f"one_a_second{suffix}"] = VPDQSignal.validate(one_a_second(text))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=100, help="sample videos to use at most")
    args = parser.parse_args()
    videos = sorted(p for p in (ROOT / "sample-videos").glob("*.mp4") if p.stat().st_size > 0)[: args.videos]
    ours: dict[str, str] = {}
    gaps: list[int] = []
    old_gaps: list[int] = []
    spent = 0.0
    for path in videos:
        start = time.perf_counter()
        ours[path.stem] = extract(path, 0)
        spent += time.perf_counter() - start
        reference = (ROOT / "sample-hashes" / f"{path.stem}.txt").read_text()
        gaps += frame_gaps(ours[path.stem], reference)
        old_gaps += frame_gaps(extract(path, 512), reference)
    note = f"{len(gaps)} frames of {len(videos)} videos, reference quality >= 50; baseline: frames scaled to 512 px"
    report("vpdq_frame_distance_mean", float(np.mean(gaps)), "bits", float(np.mean(old_gaps)), note)
    report("vpdq_frame_distance_max", float(max(gaps)), "bits", float(max(old_gaps)))
    report("vpdq_frames_within_8_bits", sum(g <= 8 for g in gaps), "frames", sum(g <= 8 for g in old_gaps),
           f"of {len(gaps)}")
    report("vpdq_extract_seconds_per_video", spent / len(videos), "s")

    matched = old_matched = pairs = false = old_false = strangers = 0
    for name, value in ours.items():
        query = vpdq.parse(value)
        for other in ours:
            for bank in banks_of(other).values():
                cmp = vpdq.compare(query, vpdq.parse(bank))
                if other == name:
                    pairs += 1
                    matched += cmp.matches()
                    old_matched += cmp.matches(query_share=0.0, bank_share=0.8)
                elif scene(other) != scene(name):
                    strangers += 1
                    false += cmp.matches()
                    old_false += cmp.matches(query_share=0.0, bank_share=0.8)
    report("vpdq_reference_pairs_matched", matched, "pairs", old_matched,
           f"of {pairs}: each video against its reference hash, every frame and one a second, full size and "
           "128x128; baseline: 80 % of the bank video's frames")
    report("vpdq_other_scene_false_matches", false, "pairs", old_false, f"of {strangers}")


if __name__ == "__main__":
    main()
