"""Safe video decoding for vPDQ: sampled frames as RGB arrays, with limits checked before and during decoding.

PyAV (FFmpeg) is an optional extra (``pip install basira[video]``): it is imported on first use, and its absence
is a clear "unsupported content" error. Limits: the declared duration (``max_video_seconds``) and frame size
(``max_image_pixels``) are checked from the container header before any frame is decoded, and again while
decoding, since headers can lie. A file that stops well before its declared end is refused as truncated:
a hash of half a video must never be mistaken for a hash of the video.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from basira.content.settings import ContentSettings
from basira.core.errors import BasiraError, ContentTooLarge, EmptyContent, UnsupportedContent
from basira.core.settings import Settings

#: A file whose last frame comes this much before its declared end (and over this share of it) is truncated.
TRUNCATION_SLACK_SECONDS = 2.0
TRUNCATION_SLACK_SHARE = 0.05
#: Source frames decoded per second of video at most (a 1000 fps header would otherwise be a decoding bomb).
MAX_SOURCE_FPS = 240

ProgressCallback = Callable[[float, float], None]
_progress: contextvars.ContextVar[ProgressCallback | None] = contextvars.ContextVar("video_progress", default=None)


@contextlib.contextmanager
def reporting_progress(callback: ProgressCallback) -> Iterator[None]:
    """Within the block, decoding calls ``callback(seconds_done, seconds_total)`` (for a CLI progress bar)."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


def import_av() -> ModuleType:
    """PyAV, or :class:`UnsupportedContent` saying how to install it."""
    try:
        return importlib.import_module("av")
    except ImportError:
        raise UnsupportedContent(
            "video needs the optional PyAV package: install basira[video] (pip install 'basira[video]')") from None


@dataclass(frozen=True)
class SampledFrame:
    """A decoded frame chosen for hashing: its time in seconds and its pixels (RGB, ``(h, w, 3)`` uint8)."""

    time: float
    pixels: np.ndarray


@dataclass
class VideoInfo:
    """What the container declares, and what decoding found."""

    duration: float
    width: int
    height: int
    codec: str
    decoded_frames: int = 0
    last_time: float = 0.0


def scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The frame size to hash: as decoded (the reference's) unless ``max_side`` (over 0) asks for smaller."""
    if max_side <= 0 or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    # Even sizes: some pixel formats subsample chroma by two.
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def _declared_duration(container: Any, stream: Any) -> float:
    if container.duration:
        return float(container.duration) / 1_000_000
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return 0.0


def sample_frames(path: Path, settings: Settings, info_out: list[VideoInfo] | None = None,
                  fps: float | None = None) -> Iterator[SampledFrame]:
    """The frames of the video at ``path`` taken ``fps`` times a second (setting ``vpdq_frames_per_second``).

    The first frame at or after each sampling instant is taken. ``info_out`` receives the :class:`VideoInfo`.

    Raises:
        EmptyContent: The file is empty.
        UnsupportedContent: PyAV is missing; the file is not a readable video, has no video stream (audio
            only), no decodable frame, or is truncated.
        ContentTooLarge: Longer than ``max_video_seconds`` or frames larger than ``max_image_pixels``.
    """
    if path.stat().st_size == 0:
        raise EmptyContent("the file is empty")
    av = import_av()
    rate = float(fps if fps is not None else settings.of(ContentSettings).vpdq_frames_per_second)
    if not 0 < rate <= 60:
        raise UnsupportedContent(f"vPDQ samples between 0 and 60 frames a second, not {rate}")
    max_seconds = float(settings.of(ContentSettings).max_video_seconds)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as e:
        raise UnsupportedContent(f"the file is not a readable video: {_reason(e)}") from None
    progress = _progress.get()
    with container:
        if not container.streams.video:
            kinds = sorted({s.type for s in container.streams})
            raise UnsupportedContent("the file has no video stream" + (f" (only {', '.join(kinds)})" if kinds
                                                                        else ""))
        stream = container.streams.video[0]
        ctx = stream.codec_context
        info = VideoInfo(duration=_declared_duration(container, stream), width=int(ctx.width or 0),
                         height=int(ctx.height or 0), codec=str(ctx.name or ""))
        if info_out is not None:
            info_out.append(info)
        _check_header(info, settings, max_seconds)
        stream.thread_type = "AUTO"
        next_time = 0.0
        taken = 0
        max_frames = int(max(max_seconds, 1.0) * MAX_SOURCE_FPS)
        try:
            for frame in container.decode(stream):
                t = float(frame.time) if frame.time is not None else info.decoded_frames / rate
                info.decoded_frames += 1
                info.last_time = max(info.last_time, t)
                if t > max_seconds + 1:
                    raise ContentTooLarge(f"the video runs past {max_seconds:g} seconds, the limit "
                                          "(BASIRA_MAX_VIDEO_SECONDS)")
                if info.decoded_frames > max_frames:
                    raise ContentTooLarge(f"the video has over {max_frames} frames for its length limit")
                if t + 1e-6 < next_time:
                    continue
                w, h = int(frame.width), int(frame.height)
                if w * h > settings.max_image_pixels:
                    raise ContentTooLarge(f"a frame is {w}x{h} pixels, over BASIRA_MAX_IMAGE_PIXELS")
                sw, sh = scaled_size(w, h, int(settings.of(ContentSettings).vpdq_frame_max_side))
                pixels = frame.to_ndarray(format="rgb24", width=sw, height=sh)
                taken += 1
                # The next instant after this frame's time: a gap in the video skips the instants it covers.
                next_time = (int(t * rate + 1e-6) + 1) / rate
                if progress is not None:
                    progress(t, info.duration)
                yield SampledFrame(t, np.ascontiguousarray(pixels))
        except BasiraError:
            raise
        except av.FFmpegError as e:
            raise UnsupportedContent(f"the video is corrupt or truncated after {info.last_time:.1f} s: "
                                     f"{_reason(e)}") from None
        except MemoryError:
            raise ContentTooLarge("the video needs more memory to decode than this process has") from None
    if taken == 0:
        raise UnsupportedContent("the video has no decodable frames")
    missing = info.duration - info.last_time
    if info.duration and missing > TRUNCATION_SLACK_SECONDS and missing > TRUNCATION_SLACK_SHARE * info.duration:
        raise UnsupportedContent(f"the video is truncated: it declares {info.duration:.1f} s, but frames stop "
                                 f"at {info.last_time:.1f} s")
    if progress is not None:
        progress(info.duration or info.last_time, info.duration or info.last_time)


def _check_header(info: VideoInfo, settings: Settings, max_seconds: float) -> None:
    if info.duration > max_seconds:
        raise ContentTooLarge(f"the video lasts {info.duration:.0f} seconds, over the limit of {max_seconds:g} "
                              "(BASIRA_MAX_VIDEO_SECONDS); it was not decoded")
    if info.width * info.height > settings.max_image_pixels:
        raise ContentTooLarge(f"the video's frames are {info.width}x{info.height} pixels, over the limit of "
                              f"{settings.max_image_pixels} (BASIRA_MAX_IMAGE_PIXELS)")


def _reason(e: Exception) -> str:
    text = str(e).strip()
    # FFmpeg messages end with the file name, which is a temporary path of no use to the caller.
    text = text.split(": '")[0] if ": '" in text else text
    return text[:200] or type(e).__name__
