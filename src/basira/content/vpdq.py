"""The vPDQ signal value (a bag of frame PDQ hashes with their time spans) and how two videos are compared.

Canonical string form: frame features separated by commas, in time order, each ``START-END:HASH`` where START
and END are seconds with exactly three decimals (the span of video the frame stands for: from its own time to
the next kept frame, or to the end) and HASH is the frame's PDQ hash in 64 lowercase hex digits, e.g.
``0.000-1.000:a1b2...,1.000-2.000:c3d4...``. Frames of quality under the floor are left out when the value is
extracted; consecutive near-identical frames may be merged into one feature with a longer span.

Comparison follows vPDQ as python-threatexchange defines it: each video is a bag of distinct frame hashes; a frame
of one video is matched when some frame of the other is within the frame distance (31 bits by default). The
*query share* is the fraction of the query video's distinct hashes that are matched, the *bank share* that of the
bank video's (python-threatexchange's "compared" share). A video matches when the query share reaches 80 % and
the bank share 0 %, python-threatexchange's defaults.

Partners' values are read too (:func:`parse_any`): python-threatexchange's signal string (a JSON list of
``"HASH,QUALITY,SECONDS"``) and the reference hasher's output (lines of ``FRAME,QUALITY,HASH,SECONDS``). Their
frames under quality 50 are left out, as python-threatexchange leaves them out when it compares.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass

import numpy as np

from basira.core.errors import InvalidSignal

#: vPDQ's per-frame distance: the PDQ authors' threshold for near-identical images.
FRAME_DISTANCE = 31
#: Default share of the query video's distinct frames that must be matched (python-threatexchange: 80 %).
QUERY_SHARE = 0.80
#: Default share of the bank video's distinct frames that must be matched (python-threatexchange: 0 %).
BANK_SHARE = 0.0
#: Frames of partners' values under this quality are left out (python-threatexchange's quality threshold).
PARTNER_QUALITY_FLOOR = 50
#: The most frame features a value may hold (ten hours at one frame a second).
MAX_FEATURES = 36_000

_FEATURE = re.compile(r"(\d{1,6}(?:\.\d{1,3})?)-(\d{1,6}(?:\.\d{1,3})?):([0-9a-fA-F]{64})")


@dataclass(frozen=True)
class Feature:
    """One kept frame: its PDQ hash and the span of video, in seconds, that it stands for."""

    start: float
    end: float
    hash: str

    def text(self) -> str:
        return f"{self.start:.3f}-{self.end:.3f}:{self.hash}"


def format_features(features: list[Feature]) -> str:
    """The canonical string of a list of features (see the module docstring)."""
    return ",".join(f.text() for f in features)


def parse(value: str) -> list[Feature]:
    """The features of a vPDQ value, in time order; :class:`InvalidSignal` if it is not one.

    Accepts any case and spaces around the separators; times with up to three decimals.
    """
    parts = [p.strip() for p in value.strip().split(",")]
    if not parts or parts == [""]:
        raise InvalidSignal("a vpdq value holds at least one frame, written START-END:HASH")
    if len(parts) > MAX_FEATURES:
        raise InvalidSignal(f"a vpdq value holds at most {MAX_FEATURES} frames, got {len(parts)}")
    out: list[Feature] = []
    for i, part in enumerate(parts):
        m = _FEATURE.fullmatch(part)
        if m is None:
            raise InvalidSignal(f"frame {i + 1} of the vpdq value is not START-END:HASH (seconds, 64 hex "
                                f"digits): {part[:100]!r}")
        start, end = round(float(m.group(1)), 3), round(float(m.group(2)), 3)
        if end < start:
            raise InvalidSignal(f"frame {i + 1} of the vpdq value ends ({end}) before it starts ({start})")
        if out and start < out[-1].start:
            raise InvalidSignal(f"the frames of a vpdq value are in time order; frame {i + 1} is not")
        out.append(Feature(start, end, m.group(3).lower()))
    return out


def canonical(value: str) -> str:
    """``value`` in canonical form; partners' formats are converted (see :func:`parse_any`)."""
    return format_features(parse_any(value))


def parse_any(value: str) -> list[Feature]:
    """The features of a value in Basira's form, python-threatexchange's JSON, or the reference hasher's lines."""
    text = value.strip()
    if text.startswith("["):
        return _from_frames(_pytx_frames(text))
    if "\n" in text or (text.count(",") >= 3 and ":" not in text):
        return _from_frames(_reference_frames(text))
    return parse(value)


def _pytx_frames(text: str) -> list[tuple[float, int, str]]:
    try:
        items = json.loads(text)
    except ValueError:
        raise InvalidSignal("a vpdq value that starts with [ is a JSON list of \"HASH,QUALITY,SECONDS\"") from None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise InvalidSignal("a vpdq JSON value is a list of strings \"HASH,QUALITY,SECONDS\"")
    frames: list[tuple[float, int, str]] = []
    for i, item in enumerate(items):
        parts = [p.strip() for p in item.split(",")]
        if len(parts) != 3:
            raise InvalidSignal(f"frame {i + 1} of the vpdq JSON value is not HASH,QUALITY,SECONDS: {item[:100]!r}")
        frames.append(_frame(i, parts[2], parts[1], parts[0]))
    return frames


def _reference_frames(text: str) -> list[tuple[float, int, str]]:
    frames: list[tuple[float, int, str]] = []
    for i, line in enumerate(ln for ln in text.splitlines() if ln.strip()):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 4:
            raise InvalidSignal(f"line {i + 1} of the vpdq value is not FRAME,QUALITY,HASH,SECONDS: {line[:100]!r}")
        frames.append(_frame(i, parts[3], parts[1], parts[2]))
    return frames


def _frame(i: int, seconds: str, quality: str, hash_hex: str) -> tuple[float, int, str]:
    try:
        t, q = round(float(seconds), 3), int(quality)
    except ValueError:
        raise InvalidSignal(f"frame {i + 1} of the vpdq value has a bad time or quality") from None
    if not (0 <= t < 1e6 and 0 <= q <= 100 and re.fullmatch(r"[0-9a-fA-F]{64}", hash_hex)):
        raise InvalidSignal(f"frame {i + 1} of the vpdq value has a bad time, quality (0-100) or hash")
    return t, q, hash_hex.lower()


def _from_frames(frames: list[tuple[float, int, str]]) -> list[Feature]:
    """Frames of quality 50 or more, in time order, each spanning up to the next kept frame."""
    if not frames:
        raise InvalidSignal("a vpdq value holds at least one frame")
    if len(frames) > MAX_FEATURES * 30:
        raise InvalidSignal(f"a vpdq value holds at most {MAX_FEATURES * 30} frames")
    kept = sorted((t, h) for t, q, h in frames if q >= PARTNER_QUALITY_FLOOR) or sorted((t, h) for t, _, h in frames)
    # The last kept frame stands for one sampling interval, measured on every frame the partner hashed.
    times = sorted({t for t, _, _ in frames})
    step = min((b - a for a, b in itertools.pairwise(times)), default=1.0)
    out: list[Feature] = []
    for i, (t, h) in enumerate(kept):
        end = kept[i + 1][0] if i + 1 < len(kept) else t + step
        if out and out[-1].hash == h and out[-1].end >= t:
            out[-1] = Feature(out[-1].start, round(end, 3), h)
        else:
            out.append(Feature(t, round(end, 3), h))
    if len(out) > MAX_FEATURES:
        raise InvalidSignal(f"a vpdq value holds at most {MAX_FEATURES} distinct frames in a row, got {len(out)}")
    return out


def hashes_to_codes(hashes: list[str]) -> np.ndarray:
    """Hex hashes as a ``(n, 32)`` uint8 array (they are already validated)."""
    return np.frombuffer(bytes.fromhex("".join(hashes)), dtype=np.uint8).reshape(-1, 32).copy()


def distinct_hashes(features: list[Feature]) -> list[str]:
    """The distinct hashes of ``features``, in order of first appearance (vPDQ compares these)."""
    return list(dict.fromkeys(f.hash for f in features))


def close_pairs(a: list[str], b: list[str], radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Which hashes of ``a`` have some hash of ``b`` within ``radius`` bits, and which of ``b`` have one in ``a``.

    Works in blocks of rows so that two ten-hour videos never need their whole distance matrix at once.
    """
    wa = hashes_to_codes(a).view(">u8").astype(np.uint64)
    wb = hashes_to_codes(b).view(">u8").astype(np.uint64)
    a_hit = np.zeros(len(a), dtype=bool)
    b_hit = np.zeros(len(b), dtype=bool)
    for lo in range(0, len(a), 256):
        d = np.zeros((min(256, len(a) - lo), len(b)), dtype=np.int32)
        for k in range(4):
            d += np.bitwise_count(wa[lo:lo + 256, k, None] ^ wb[None, :, k])
        close = d <= radius
        a_hit[lo:lo + 256] = close.any(axis=1)
        b_hit |= close.any(axis=0)
    return a_hit, b_hit


def merge_spans(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Touching or overlapping spans joined, in order."""
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + 1e-6:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


@dataclass(frozen=True)
class VideoComparison:
    """How much of two videos match, by vPDQ's rule, and where."""

    query_share: float
    bank_share: float
    query_frames: int
    bank_frames: int
    #: Spans of the query video, then of the bank video, whose frames matched.
    query_ranges: list[tuple[float, float]]
    bank_ranges: list[tuple[float, float]]
    frame_distance: int

    def matches(self, query_share: float = QUERY_SHARE, bank_share: float = BANK_SHARE) -> bool:
        """Whether both shares reach their thresholds (fractions 0..1); a share of nothing never matches."""
        if not (self.query_share > 0 and self.bank_share > 0):
            return False
        return self.query_share >= query_share - 1e-9 and self.bank_share >= bank_share - 1e-9

    def as_dict(self) -> dict[str, object]:
        """The JSON form shown with a hit (shares as fractions, ranges as ``[start, end]`` seconds)."""
        return {
            "query_share": round(self.query_share, 4), "bank_share": round(self.bank_share, 4),
            "query_frames": self.query_frames, "bank_frames": self.bank_frames,
            "query_ranges": [[s, e] for s, e in self.query_ranges],
            "bank_ranges": [[s, e] for s, e in self.bank_ranges],
            "frame_distance": self.frame_distance,
        }


def compare(query: list[Feature], bank: list[Feature], frame_distance: int = FRAME_DISTANCE) -> VideoComparison:
    """Compare two videos' features the vPDQ way (distinct hashes, any-frame matching within the distance)."""
    qh, bh = distinct_hashes(query), distinct_hashes(bank)
    q_close, b_close = close_pairs(qh, bh, frame_distance)
    q_hit = {h for h, hit in zip(qh, q_close.tolist(), strict=True) if hit}
    b_hit = {h for h, hit in zip(bh, b_close.tolist(), strict=True) if hit}
    return VideoComparison(
        query_share=len(q_hit) / len(qh), bank_share=len(b_hit) / len(bh),
        query_frames=len(qh), bank_frames=len(bh),
        query_ranges=merge_spans([(f.start, f.end) for f in query if f.hash in q_hit]),
        bank_ranges=merge_spans([(f.start, f.end) for f in bank if f.hash in b_hit]),
        frame_distance=frame_distance)
