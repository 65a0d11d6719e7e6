"""The content front's settings (``BASIRA_IMAGE_*``, ``BASIRA_PDQ_*``, ``BASIRA_VPDQ_*``, ``BASIRA_MAX_VIDEO_SECONDS``,
``BASIRA_EMBEDDING_MARGIN``).

Read them with ``settings.of(ContentSettings)``; they are loaded from the environment with the core settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from basira.core.errors import ConfigurationError


def _numbers(name: str, raw: str, low: float, high: float) -> tuple[float, ...]:
    """Comma-separated numbers within ``low``..``high`` (empty: none), or ConfigurationError naming the setting."""
    out: list[float] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:
            raise ConfigurationError(f"BASIRA_{name.upper()}={raw!r}: each value is a number from {low:g} to {high:g}")
        out.append(value)
    if len(out) > 20:
        raise ConfigurationError(f"BASIRA_{name.upper()}={raw!r}: at most 20 values")
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class ContentSettings:
    """How photos and videos are hashed and indexed. The metadata ``help`` is the documentation of each one."""

    image_max_metadata_segments: int = field(
        default=64,
        metadata={"help": "Most metadata segments (JPEG APPn/COM, PNG, GIF, WebP chunks) a photo may hold; "
                          "more are refused before decoding."},
    )
    image_max_metadata_bytes: int = field(
        default=4 * 1024 * 1024,
        metadata={"help": "Most bytes of metadata segments a photo may hold; more are refused before decoding."},
    )
    pdq_quality_floor: int = field(
        default=50,
        metadata={"help": "PDQ hashes with a lower quality are kept out of banks and flagged on queries."},
    )
    pdq_reduced_decode: bool = field(
        default=False,
        metadata={"help": "Queries decode large JPEGs reduced (faster); re-hashed at full size near a bank hash."},
    )
    pdq_dihedral: bool = field(
        default=False,
        metadata={"help": "Also hash the 7 rotated and mirrored variants of query photos (finds flipped copies)."},
    )
    pdq_trim_borders: bool = field(
        default=True,
        metadata={"help": "Query photos also hash the picture inside borders, bars or letterboxing (query-only)."},
    )
    pdq_regions: bool = field(
        default=True,
        metadata={"help": "Query photos also hash the pictures found inside them (screenshots, collages; query-only)."},
    )
    pdq_derived: bool = field(
        default=True,
        metadata={"help": "Banked photos also store derived hashes (crops, small turns, mirror) as signals of the "
                          "entry, shared only where the bank allows."},
    )
    pdq_derived_crops: str = field(
        default="5,10,15",
        metadata={"help": "Centred crops (percent cut per side, 1-40, comma-separated) stored as derived hashes."},
    )
    pdq_derived_turns: str = field(
        default="3,5",
        metadata={"help": "Turns (degrees, 0.5-45, comma-separated; each both ways) stored as derived hashes."},
    )
    pdq_index_mode: str = field(
        default="exact",
        metadata={"help": "PDQ index search: exact (every hit within the threshold) or fast (recall >= 0.99, faster)."},
    )
    max_video_seconds: int = field(
        default=4 * 3600, metadata={"help": "Longest video accepted, in seconds; longer ones are refused unread."},
    )
    vpdq_frames_per_second: float = field(
        default=1.0, metadata={"help": "Video frames hashed per second of video (vPDQ)."},
    )
    vpdq_quality_floor: int = field(
        default=50, metadata={"help": "Video frames whose PDQ quality is lower are left out of the vPDQ signal."},
    )
    vpdq_prune_distance: int = field(
        default=0,
        metadata={"help": "Consecutive video frames within this many bits are kept once (0: only identical ones)."},
    )
    vpdq_frame_distance: int = field(
        default=31, metadata={"help": "Largest Hamming distance at which two video frames match."},
    )
    vpdq_bank_share_percent: int = field(
        default=0,
        metadata={"help": "Share of the bank video's frames that must match too (python-threatexchange: 0)."},
    )
    embedding_margin: float = field(
        default=0.10,
        metadata={"help": "text_embedding: a match must beat the next-best different banked text by this much "
                          "cosine (0: off); keeps same-topic paragraphs from matching (bench/text_embedding_"
                          "calibration.py)."},
    )
    vpdq_frame_max_side: int = field(
        default=0,
        metadata={"help": "Scale video frames to this longest side before hashing (0: full size, as the reference)."},
    )

    def __post_init__(self) -> None:
        self.derived_crops()
        self.derived_turns()

    def derived_crops(self) -> tuple[float, ...]:
        """The centred crops of ``pdq_derived_crops``, as shares of each side (0.05 for 5 %)."""
        return tuple(p / 100 for p in _numbers("pdq_derived_crops", self.pdq_derived_crops, 1, 40))

    def derived_turns(self) -> tuple[float, ...]:
        """The turns of ``pdq_derived_turns`` in degrees (each is stored both ways)."""
        return _numbers("pdq_derived_turns", self.pdq_derived_turns, 0.5, 45)
