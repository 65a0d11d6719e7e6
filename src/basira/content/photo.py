"""Photo signals: PDQ perceptual hashes (256 bits, written as 64 lowercase hex digits).

Near-identical photos (re-encoded, resized, lightly edited) are within a small Hamming distance of each other;
the default threshold of 31 bits is the one the PDQ authors advise. Decoding lives in
:mod:`basira.content.decode`, the index in :mod:`basira.content.hamming`.
"""

from __future__ import annotations

import string

import numpy as np
import pdqhash

from basira.content.decode import decode_photo
from basira.content.hamming import HammingIndex
from basira.content.settings import ContentSettings
from basira.core.errors import InvalidSignal
from basira.core.settings import Settings
from basira.core.signal_examples import SignalExamples
from basira.core.signals import Content, ExtractedSignal, SignalIndex, SignalType

HEX_DIGITS = 64
_HEX = frozenset(string.hexdigits)

#: Names of the eight dihedral variants, in the order ``pdqhash.compute_dihedral`` returns them. Each names
#: what was done to the photo whose plain hash equals that variant (Pillow's terms: ``rotate90`` turns
#: counter-clockwise, ``flip`` swaps top and bottom, ``mirror`` swaps left and right).
DIHEDRAL_VARIANTS = ("original", "rotate90", "rotate180", "rotate270", "flip", "mirror", "transpose",
                     "transverse")


def bits_to_hex(bits: np.ndarray) -> str:
    """The canonical hex of a PDQ bit vector (most significant bit first, as PDQ's reference writes it)."""
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def pdq_hash(pixels: np.ndarray) -> tuple[str, int]:
    """PDQ hash (hex) and quality (0-100) of an RGB ``(height, width, 3)`` uint8 array."""
    bits, quality = pdqhash.compute(pixels)
    return bits_to_hex(bits), int(quality)


def pdq_dihedral(pixels: np.ndarray) -> tuple[list[tuple[str, str]], int]:
    """The eight (variant name, hex) hashes of the photo's rotations and mirror images, and the quality."""
    vectors, quality = pdqhash.compute_dihedral(pixels)
    return [(name, bits_to_hex(v)) for name, v in zip(DIHEDRAL_VARIANTS, vectors, strict=True)], int(quality)


def dihedral_enabled(settings: Settings) -> bool:
    """Whether queries also carry the seven rotated and mirrored hashes (setting ``pdq_dihedral``)."""
    return settings.of(ContentSettings).pdq_dihedral


class PDQSignal(SignalType):
    """PDQ hash of a photo; near-identical photos are within a small Hamming distance (default 31 bits)."""

    name = "pdq"
    content_types = frozenset({"photo"})
    default_content_type = "photo"
    default_threshold = 31.0
    max_threshold = 64.0
    description = "PDQ perceptual hash of a photo (256 bits); matches within a Hamming distance."

    @classmethod
    def validate(cls, value: str) -> str:
        v = value.strip().lower()
        if len(v) != HEX_DIGITS or not set(v) <= _HEX:
            raise InvalidSignal(f"a pdq value is 64 hexadecimal digits, got {value[:80]!r}")
        return v

    @classmethod
    def examples(cls) -> SignalExamples:
        base = "0123456789abcdef" * 4
        five_bits_off = f"{int(base, 16) ^ 0b11111:064x}"
        return SignalExamples(canonical=("f" * 64, base), spellings=(("  " + base.upper(), base),),
                              near=((base, five_bits_off),), invalid=("", "f" * 63, "x" * 64, "f" * 65))

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        """The photo's PDQ hash; with ``pdq_dihedral`` on, then its distinct rotated and mirrored variants.

        Variants carry ``details["variant"]`` (a name of :data:`DIHEDRAL_VARIANTS`): they are for queries,
        and a caller that adds hashes to a bank keeps only the signal without it.
        """
        pixels = decode_photo(content.path, settings, luma_only=True).pixels
        if not dihedral_enabled(settings):
            value, quality = pdq_hash(pixels)
            return [ExtractedSignal(cls.name, value, quality=quality)]
        variants, quality = pdq_dihedral(pixels)
        out = [ExtractedSignal(cls.name, variants[0][1], quality=quality)]
        seen = {variants[0][1]}
        for name, value in variants[1:]:
            # A symmetric photo gives the same hash twice; one query is enough.
            if value not in seen:
                seen.add(value)
                out.append(ExtractedSignal(cls.name, value, quality=quality, details={"variant": name},
                                           query_only=True))
        return out

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return float((int(cls.validate(a), 16) ^ int(cls.validate(b), 16)).bit_count())

    @classmethod
    def new_index(cls, settings: Settings | None = None) -> SignalIndex:
        fast = settings is not None and settings.of(ContentSettings).pdq_index_mode == "fast"
        return HammingIndex(mode="fast" if fast else "exact")

    @classmethod
    def quality_floor(cls, settings: Settings) -> int | None:
        return settings.of(ContentSettings).pdq_quality_floor
