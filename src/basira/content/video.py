"""Video signals: vPDQ, the PDQ hashes of a video's frames taken once a second, matched as a bag of frames.

Extraction samples frames (:mod:`basira.content.videodecode`, PyAV, an optional extra), hashes each at its own
size with PDQ as the reference vPDQ hasher does (no 512x512 sampling: that is the photo hasher's), drops frames
under the quality floor and merges runs of near-identical consecutive frames. The value and the matching rule
(python-threatexchange's) are in :mod:`basira.content.vpdq`; the index below finds candidate videos through one
Hamming index of all their frames (:class:`basira.content.hamming.HammingIndex`) and keeps those whose shares
reach the thresholds. md5 and sha256 of the file come from core's generic file hashes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pdqhash

from basira.content import vpdq
from basira.content.hamming import HammingIndex
from basira.content.photo import bits_to_hex
from basira.content.settings import ContentSettings
from basira.content.videodecode import VideoInfo, sample_frames
from basira.core.errors import ContentTooLarge, InvalidInput
from basira.core.settings import Settings
from basira.core.signal_examples import SignalExamples
from basira.core.signals import Content, ExtractedSignal, SignalIndex, SignalType


@dataclass(frozen=True)
class VideoHash:
    """The vPDQ features of a video and what was done to get them."""

    features: list[vpdq.Feature]
    quality: int
    duration: float
    sampled: int
    low_quality: int
    pruned: int

    def details(self) -> dict[str, Any]:
        return {"frames": len(self.features), "sampled_frames": self.sampled, "duration": round(self.duration, 3),
                "dropped_low_quality": self.low_quality, "merged_near_identical": self.pruned}


def hash_video(content: Content, settings: Settings, fps: float | None = None) -> VideoHash:
    """vPDQ features of the video in ``content`` (errors as in :func:`videodecode.sample_frames`)."""
    own = settings.of(ContentSettings)
    floor = int(own.vpdq_quality_floor)
    prune = int(own.vpdq_prune_distance)
    info_out: list[VideoInfo] = []
    frames: list[tuple[float, str, int, int]] = []  # time, hash, quality, bits as int (for pruning)
    for frame in sample_frames(content.path, settings, info_out, fps):
        if len(frames) >= vpdq.MAX_FEATURES:
            raise ContentTooLarge(f"the video gives over {vpdq.MAX_FEATURES} sampled frames; lower "
                                  "BASIRA_VPDQ_FRAMES_PER_SECOND or send a shorter video")
        # pdqhash runs the reference's frame path (luminance, Jarosz filter, DCT on the full frame) in C++.
        bits, quality = pdqhash.compute(frame.pixels)
        h = bits_to_hex(bits)
        frames.append((frame.time, h, int(quality), int(h, 16)))
    info = info_out[0]
    # The declared duration ends the last span; without one, the last decoded frame does (plus one frame).
    end_of_video = info.duration if info.duration > info.last_time else info.last_time + 1.0 / max(
        1, info.decoded_frames / max(info.last_time, 1e-3))
    kept = [f for f in frames if f[2] >= floor]
    low = len(frames) - len(kept)
    if not kept:
        # Nothing reaches the floor: keep every frame, so the caller sees a (flagged) low-quality signal.
        kept = frames
    features: list[vpdq.Feature] = []
    anchor = -1
    pruned = 0
    for i, (t, h, _, bits) in enumerate(kept):
        end = kept[i + 1][0] if i + 1 < len(kept) else end_of_video
        if features and anchor >= 0 and (bits ^ anchor).bit_count() <= prune:
            # Near-identical to the frame that opened this run: extend its span instead of adding a feature.
            last = features[-1]
            features[-1] = vpdq.Feature(last.start, round(end, 3), last.hash)
            pruned += 1
            continue
        features.append(vpdq.Feature(round(t, 3), round(max(end, t), 3), h))
        anchor = bits
    qualities = sorted(f[2] for f in kept)
    return VideoHash(features=features, quality=qualities[len(qualities) // 2], duration=end_of_video,
                     sampled=len(frames), low_quality=low if low < len(frames) else 0, pruned=pruned)


class VPDQSignal(SignalType):
    """vPDQ of a video: frame PDQ hashes; matches when enough of the query's frames are found (80 %)."""

    name = "vpdq"
    content_types = frozenset({"video"})
    default_content_type = "video"
    #: The bank threshold is the share of the query video's frames that may go unmatched, in percent.
    default_threshold = round(100 * (1 - vpdq.QUERY_SHARE), 4)
    max_threshold = 100.0
    description = ("vPDQ of a video: PDQ hashes of one frame a second; matches when at least (100 - threshold) % "
                   "of the query video's distinct frames are within 31 bits of a frame of the bank video, "
                   "python-threatexchange's rule.")

    @classmethod
    def validate(cls, value: str) -> str:
        """Basira's canonical value; python-threatexchange's JSON and the reference hasher's lines are converted."""
        return vpdq.canonical(value)

    @classmethod
    def examples(cls) -> SignalExamples:
        frames = [f"{i:064x}" for i in (0x0F0F, 0xF0F0F0F0F0F0, 0x123456789ABCDEF)]
        value = ",".join(f"{i}.000-{i + 1}.000:{h}" for i, h in enumerate(frames))
        # The same video with each frame a few bits off: every frame is still found (distance 0).
        nudged = ",".join(f"{i}.000-{i + 1}.000:{int(h, 16) ^ 0b111:064x}" for i, h in enumerate(frames))
        return SignalExamples(canonical=(value, f"0.000-2.500:{'f' * 64}"),
                              spellings=((value.upper().replace(",", " , "), value),), near=((value, nudged),),
                              invalid=("", "nope", f"0-1:{'f' * 63}", f"0-1:{'f' * 64},",
                                       f"0-1:{'a' * 64};1-2:{'b' * 64}"))

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        """The video's vPDQ value; ``quality`` is the median frame quality, ``details`` say what was kept."""
        vh = hash_video(content, settings)
        return [ExtractedSignal(cls.name, vpdq.format_features(vh.features), quality=vh.quality,
                                details=vh.details())]

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        """100 times the share of ``a``'s (the query video's) distinct frames not matched in ``b``."""
        return round(100 * (1 - vpdq.compare(vpdq.parse(a), vpdq.parse(b)).query_share), 4)

    @classmethod
    def explain(cls, query_value: str, bank_value: str, settings: Settings | None = None) -> dict[str, object]:
        """Both shares and the matched time ranges of a hit (shown with the hit; see docs/video.md)."""
        radius = settings.of(ContentSettings).vpdq_frame_distance if settings else vpdq.FRAME_DISTANCE
        return vpdq.compare(vpdq.parse(query_value), vpdq.parse(bank_value), radius).as_dict()

    @classmethod
    def new_index(cls, settings: Settings | None = None) -> SignalIndex:
        """An empty index; with ``settings``, its frame distance and bank share come from them."""
        if settings is None:
            return VPDQIndex()
        own = settings.of(ContentSettings)
        return VPDQIndex(frame_distance=int(own.vpdq_frame_distance),
                         bank_share=float(own.vpdq_bank_share_percent) / 100)

    @classmethod
    def quality_floor(cls, settings: Settings) -> int | None:
        return int(settings.of(ContentSettings).vpdq_quality_floor)


class VPDQIndex(SignalIndex):
    """Videos by their frames: one Hamming index of every distinct frame hash, with its video.

    A query video's distinct frames are searched in one batch; each video with a frame hit gets its two shares,
    and is returned when the query share reaches ``100 - threshold`` percent and the bank share ``bank_share``.
    """

    persistent = False

    def __init__(self, frame_distance: int = vpdq.FRAME_DISTANCE, bank_share: float = vpdq.BANK_SHARE) -> None:
        self.frame_distance = frame_distance
        self.bank_share = bank_share
        self.watermark = 0
        self._frames = HammingIndex()
        self._videos: dict[int, list[int]] = {}  # video id -> its frame row ids
        self._owner = np.zeros(1024, dtype=np.int64)  # frame row id -> video id
        self._next = 0

    def build(self, items: Iterable[tuple[int, str]]) -> None:
        self._frames = HammingIndex()
        self._videos.clear()
        self._next = 0
        self.add(items)

    def add(self, items: Iterable[tuple[int, str]]) -> None:
        latest = {int(sid): value for sid, value in items}
        if not latest:
            return
        if min(latest) < 0:
            raise InvalidInput("signal ids in an index are not negative")
        parsed = {sid: vpdq.distinct_hashes(vpdq.parse(v)) for sid, v in latest.items()}
        self.remove(latest)
        hashes: list[str] = []
        for sid, hs in parsed.items():
            rows = list(range(self._next, self._next + len(hs)))
            self._next += len(hs)
            self._videos[sid] = rows
            hashes.extend(hs)
        if self._next > self._owner.size:
            grown = np.zeros(max(self._next, 2 * self._owner.size), dtype=np.int64)
            grown[: self._owner.size] = self._owner
            self._owner = grown
        first = self._next - len(hashes)
        for sid, rows in ((s, self._videos[s]) for s in parsed):
            self._owner[rows] = sid
        self._frames.add_codes(np.arange(first, self._next, dtype=np.int64), vpdq.hashes_to_codes(hashes))

    def remove(self, ids: Iterable[int]) -> None:
        rows: list[int] = []
        for sid in ids:
            rows.extend(self._videos.pop(int(sid), ()))
        if rows:
            self._frames.remove(rows)

    def query(self, values: Sequence[str], threshold: float) -> list[list[tuple[int, float]]]:
        """For each query video, the (video id, 100 - query share %) pairs that match, best first."""
        out: list[list[tuple[int, float]]] = []
        for value in values:
            qh = vpdq.distinct_hashes(vpdq.parse(value))
            out.append(self._query_one(qh, threshold) if self._videos and threshold >= 0 else [])
        return out

    def _query_one(self, qh: list[str], threshold: float) -> list[tuple[int, float]]:
        qpos, rows, _ = self._frames.search(vpdq.hashes_to_codes(qh), self.frame_distance)
        if not rows.size:
            return []
        owners = self._owner[rows]
        found: list[tuple[int, float]] = []
        for vid in np.unique(owners).tolist():
            mine = owners == vid
            bank_share = np.unique(rows[mine]).size / len(self._videos[vid])
            query_share = np.unique(qpos[mine]).size / len(qh)
            dist = round(100 * (1 - query_share), 4)
            if dist <= threshold + 1e-9 and bank_share >= self.bank_share - 1e-9:
                found.append((vid, dist))
        return sorted(found, key=lambda t: (t[1], t[0]))

    def __len__(self) -> int:
        return len(self._videos)
