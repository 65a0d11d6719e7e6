"""Safe photo decoding for perceptual hashing: hostile files get a clear error, never a crash, a hang or a bomb.

The file's markers and chunks are scanned before Pillow sees it (:mod:`basira.content.imageguard`), the declared
size is checked before any pixel is decoded (``Image.open`` only reads the header), only common photo formats are
opened, and every image comes out the same way: the pixels as stored (EXIF orientation is reported, not applied,
since the reference PDQ hashes what is stored), 8-bit grey or RGB, transparency composited on white, animations
reduced to their first frame. Large JPEGs can be decoded reduced, a speed path for queries only.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from basira.content.imageguard import scan_image
from basira.content.settings import ContentSettings
from basira.core.budget import pixel_budget
from basira.core.errors import BasiraError, ContentTooLarge, EmptyContent, UnsupportedContent
from basira.core.settings import Settings

#: Formats opened at all. Pillow can read many more (EPS would start Ghostscript, for one); photos shared
#: on platforms come in these. MPO is how Pillow names the JPEGs that cameras write with a second picture.
PHOTO_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF")

#: The longest side may be at most this many times the shortest. PDQ summarises an image on a 64x64 grid:
#: beyond 64:1 the short side covers less than one cell, so the hash says nothing about that direction.
MAX_ASPECT = 64

#: A reduced JPEG decode keeps at least this many pixels on each side: the reference PDQ samples any larger
#: image to 512x512, so fewer pixels than that would lose detail the reference sees.
REDUCED_MIN_SIDE = 512

_HIGH_DEPTH_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
_GREY_MODES = frozenset({"1", "L"})
#: EXIF tag 0x0112: how the stored pixels must be turned to show the photo upright (1: as stored).
_ORIENTATION_TAG = 0x0112
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})


@dataclass(frozen=True)
class DecodedPhoto:
    """The stored pixels, 8-bit, as ``(height, width)`` for grey or ``(height, width, 3)`` RGB, and how it was read."""

    pixels: np.ndarray
    format: str
    #: Width and height as the file declares them, before orientation and reduction.
    declared_size: tuple[int, int]
    #: True when the image was decoded or scaled down below its declared size.
    reduced: bool
    #: The EXIF orientation (1 to 8; 1 when absent or unreadable): what :func:`upright` applies.
    orientation: int = 1

    def upright_pixels(self) -> np.ndarray:
        """The pixels turned as the EXIF orientation says, the way a viewer shows the photo."""
        return upright(self.pixels, self.orientation)


def upright(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """``pixels`` turned as EXIF orientation ``orientation`` asks (a view; 1 or an unknown value: unchanged)."""
    turned = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.swapaxes(0, 1),
        6: lambda a: a[::-1].swapaxes(0, 1),
        7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
        8: lambda a: a[:, ::-1].swapaxes(0, 1),
    }.get(orientation)
    return pixels if turned is None else turned(pixels)


def check_declared_size(width: int, height: int, settings: Settings) -> None:
    """Refuse sizes that are too large to decode or too thin to hash, from the header alone."""
    if width <= 0 or height <= 0:
        raise UnsupportedContent(f"the image declares a size of {width}x{height} pixels")
    if width * height > settings.max_image_pixels:
        raise ContentTooLarge(
            f"the image is {width}x{height} pixels, over the limit of {settings.max_image_pixels} "
            "(BASIRA_MAX_IMAGE_PIXELS); it was not decoded")
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise UnsupportedContent(
            f"the image is {width}x{height} pixels: an aspect ratio over {MAX_ASPECT}:1 is too thin "
            "for a perceptual hash")


def decode_photo(path: Path, settings: Settings, *, reduced: bool | None = None,
                 luma_only: bool = False) -> DecodedPhoto:
    """Decode the photo at ``path`` for hashing.

    Args:
        path: The file, whose content was recognised as a photo.
        settings: Supplies ``max_image_pixels`` and, unless ``reduced`` is given, ``pdq_reduced_decode``.
        reduced: Decode large JPEGs at reduced size (JPEG draft mode) so that each side stays at least
            ``REDUCED_MIN_SIDE`` pixels. The hash then differs from the reference by a few bits: for queries only.
        luma_only: The caller only needs brightness (PDQ does): a reduced JPEG may then be decoded as grey,
            which skips the colour planes.

    Raises:
        EmptyContent: The file has no bytes.
        ContentTooLarge: The declared size is over ``settings.max_image_pixels``.
        UnsupportedContent: Not an image of a supported format, truncated or corrupt, too thin to hash, or
            refused by the pre-decode scan (:func:`basira.content.imageguard.scan_image`).
    """
    if path.stat().st_size == 0:
        raise EmptyContent("the file is empty")
    # Pillow guards places this module never sees (sub-images, frames) with its own limit: keep it the same.
    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels
    scan_image(path, settings)
    use_reduced = settings.of(ContentSettings).pdq_reduced_decode if reduced is None else reduced
    try:
        with warnings.catch_warnings():
            # Pillow only warns between one and two times its limit; the check below refuses those.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=_open_formats()) as im:
                declared = (int(im.size[0]), int(im.size[1]))
                check_declared_size(*declared, settings)
                fmt = str(im.format or "")
                if use_reduced and fmt in ("JPEG", "MPO"):
                    # Scales 1/2, 1/4 or 1/8 in the DCT: the pixels are never produced at full size.
                    # Grey is JPEG's own Y plane, the same weighting of R, G and B that PDQ applies.
                    im.draft("L" if luma_only else "RGB", (REDUCED_MIN_SIDE, REDUCED_MIN_SIDE))
                # Only the first frame of an animation is loaded; the frame count is never asked for,
                # since counting would walk through every frame of the file. The decode holds its pixels
                # from the budget every thread of this process shares (BASIRA_IMAGE_PIXEL_BUDGET).
                with pixel_budget(settings.image_pixel_budget).hold(declared[0] * declared[1]):
                    im.load()
                    orientation = _orientation(im)
                    pixels = np.ascontiguousarray(np.asarray(_hashable(im), dtype=np.uint8))
    except BasiraError:
        raise
    except Image.DecompressionBombError as e:
        # Pillow refused at the header, before our check saw the size; its message carries the pixel count.
        found = re.search(r"\((\d+) pixels\)", str(e))
        count = f"{int(found.group(1))} pixels" if found else "larger"
        raise ContentTooLarge(
            f"the image is {count}, over the limit of {settings.max_image_pixels} "
            "(BASIRA_MAX_IMAGE_PIXELS); it was not decoded") from None
    except MemoryError:
        raise ContentTooLarge("the image needs more memory to decode than this process has") from None
    except Exception as e:  # Pillow's decoders raise many types on corrupt data (OSError, SyntaxError, ...).
        raise UnsupportedContent(f"the file is not a readable image: {_reason(e)}") from None
    return DecodedPhoto(pixels=pixels, format=fmt, declared_size=declared,
                        reduced=pixels.shape[0] * pixels.shape[1] < declared[0] * declared[1],
                        orientation=orientation)


def _open_formats() -> list[str]:
    Image.init()
    return [f for f in PHOTO_FORMATS if f in Image.OPEN]


def _reason(e: Exception) -> str:
    text = str(e).strip()
    if "truncated" in text or isinstance(e, EOFError):
        return "it is truncated"
    if text.startswith("cannot identify image file"):
        return "it is not a photo in a supported format (" + ", ".join(PHOTO_FORMATS) + ")"
    return text[:200] or type(e).__name__


def _orientation(im: Image.Image) -> int:
    """The EXIF orientation, 1 when there is none or it cannot be read."""
    try:
        value = im.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block should not stop hashing; the pixels are fine.
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _hashable(im: Image.Image) -> Image.Image:
    """Bring any mode to 8-bit grey (grey images, as the reference reads them) or 8-bit RGB."""
    mode = im.mode
    if mode in _GREY_MODES and "transparency" not in im.info:
        return im if mode == "L" else im.convert("L")
    if mode in _HIGH_DEPTH_MODES:
        return _stretch_to_8bit(im)
    if mode in _ALPHA_MODES or "transparency" in im.info:
        # Transparent areas show as white (how a page usually shows them), not as whatever colour the
        # fully transparent pixels happen to hold.
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        return white.convert("RGB")
    if mode == "RGB":
        return im
    return im.convert("RGB")


def _stretch_to_8bit(im: Image.Image) -> Image.Image:
    """16-bit, 32-bit and float grey images, scaled linearly onto 0..255.

    Pillow's own conversion clips at 255 instead of scaling, which turns most 16-bit photos white. A linear
    stretch keeps the PDQ hash (medians of DCT coefficients are unchanged by it).
    """
    arr = np.asarray(im, dtype=np.float32)
    finite = np.isfinite(arr)
    if not finite.all():
        arr = np.where(finite, arr, 0.0).astype(np.float32)
    lo, hi = float(arr.min()), float(arr.max())
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    grey = ((arr - lo) * scale).astype(np.uint8)
    return Image.fromarray(grey)
