"""Photo signals: PDQ perceptual hashes (256 bits, written as 64 lowercase hex digits).

Near-identical photos (re-encoded, resized, lightly edited) are within a small Hamming distance of each other;
the default threshold of 31 bits is the one the PDQ authors advise. The hash is ThreatExchange's reference
hash of the pixels as stored (:mod:`basira.content.pdqref`), so partners hashing with the reference, pdqhash or
python-threatexchange find the same photos. Decoding lives in :mod:`basira.content.decode`, the index in
:mod:`basira.content.hamming`.
"""

from __future__ import annotations

import string
from collections.abc import Callable

import numpy as np

from basira.content.borders import content_boxes
from basira.content.decode import DecodedPhoto, decode_photo
from basira.content.derived import derived_hashes, edits
from basira.content.hamming import HammingIndex
from basira.content.pdqref import pdq_coefficients, pdq_hash_reference
from basira.content.regions import candidate_regions
from basira.content.settings import ContentSettings
from basira.core.errors import InvalidSignal
from basira.core.settings import Settings
from basira.core.signal_examples import SignalExamples
from basira.core.signals import Content, ExtractedSignal, SignalIndex, SignalType

HEX_DIGITS = 64
_HEX = frozenset(string.hexdigits)

#: Names of the eight dihedral variants, in the reference's order. Each names what was done to the photo
#: whose plain hash equals that variant (Pillow's terms: ``rotate90`` turns counter-clockwise, ``flip`` swaps
#: top and bottom, ``mirror`` swaps left and right).
DIHEDRAL_VARIANTS = ("original", "rotate90", "rotate180", "rotate270", "flip", "mirror", "transpose",
                     "transverse")

#: A query hashed from a reduced decode is re-hashed at full size when a bank holds a hash this close: the two
#: hashes differ by a few bits, far less than this margin over the largest threshold a bank may set.
REDUCED_VERIFY_DISTANCE = 48


def bits_to_hex(bits: np.ndarray) -> str:
    """The canonical hex of a PDQ bit vector as pdqhash returns it (most significant bit first)."""
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def pdq_hash(pixels: np.ndarray) -> tuple[str, int]:
    """The reference PDQ hash (hex) and quality (0-100) of grey ``(h, w)`` or RGB ``(h, w, 3)`` uint8 pixels."""
    return pdq_hash_reference(pixels)


#: Each dihedral variant's transform of the pixels, in Pillow's sense of the name (``rotate90`` turns left).
_TURNS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "original": lambda a: a,
    "rotate90": lambda a: np.rot90(a, 1),
    "rotate180": lambda a: np.rot90(a, 2),
    "rotate270": lambda a: np.rot90(a, 3),
    "flip": lambda a: a[::-1],
    "mirror": lambda a: a[:, ::-1],
    "transpose": lambda a: a.swapaxes(0, 1),
    "transverse": lambda a: np.rot90(a, 2).swapaxes(0, 1),
}


def pdq_dihedral(pixels: np.ndarray) -> tuple[list[tuple[str, str]], int]:
    """The eight (variant name, hex) hashes of the photo's rotations and mirror images, and the quality.

    Each is the reference hash of the turned pixels, not the DCT sign rule: the reference's 512x512 sampling
    and cell centres are not symmetric, so the rule misses some turned copies of large photos (a quarter of
    the mirrored real photos in ``bench/robustness_real.py``) that hashing the turned pixels finds.
    """
    out = [(name, pdq_hash_reference(np.ascontiguousarray(turn(pixels)))) for name, turn in _TURNS.items()]
    return [(name, value) for name, (value, _) in out], out[0][1][1]


def dihedral_enabled(settings: Settings) -> bool:
    """Whether queries also carry the seven rotated and mirrored hashes (setting ``pdq_dihedral``)."""
    return settings.of(ContentSettings).pdq_dihedral


def photo_signals(decoded: DecodedPhoto, settings: Settings) -> list[ExtractedSignal]:
    """The PDQ signals of a decoded photo: the hash of the stored pixels first, then query-only variants.

    Variants carry ``details["variant"]``: ``upright`` (the photo turned as its EXIF orientation says, how
    earlier Basira versions hashed it), ``trimmed`` (the photo inside borders, bars or letterboxing, with
    ``pdq_trim_borders`` on; see :mod:`basira.content.borders`) and, with ``pdq_dihedral`` on, the names of
    :data:`DIHEDRAL_VARIANTS`.
    A hash from a reduced decode is query-only as well and carries ``details["verify_within"]``.
    """
    result = pdq_coefficients(decoded.pixels)
    found: list[tuple[str, str]] = [("original", result.hex())]
    if decoded.orientation != 1:
        found.append(("upright", pdq_hash_reference(decoded.upright_pixels())[0]))
    for name, box in content_boxes(decoded.pixels) if settings.of(ContentSettings).pdq_trim_borders else []:
        found.append((name, pdq_hash_reference(np.ascontiguousarray(box.crop(decoded.pixels)))[0]))
    if settings.of(ContentSettings).pdq_regions:
        for box in candidate_regions(decoded.pixels):
            found.append(("region", pdq_hash_reference(np.ascontiguousarray(box.crop(decoded.pixels)))[0]))
    if dihedral_enabled(settings):
        found.extend(pdq_dihedral(decoded.pixels)[0][1:])
    provisional = {"decode": "reduced", "verify_within": REDUCED_VERIFY_DISTANCE} if decoded.reduced else {}
    out: list[ExtractedSignal] = []
    seen: set[str] = set()
    for name, value in found:
        # A symmetric photo gives the same hash twice; one query is enough.
        if value in seen:
            continue
        seen.add(value)
        details = dict(provisional) if name == "original" else {"variant": name, **provisional}
        out.append(ExtractedSignal("pdq", value, quality=result.quality, details=details,
                                   query_only=bool(provisional) or name != "original"))
    return out


def derived_signals(pixels: np.ndarray, settings: Settings) -> list[ExtractedSignal]:
    """The derived signals of stored pixels: each edit of :data:`basira.content.derived.EDITS`, hashed (none when
    the photo's own hash is under the quality floor)."""
    floor = settings.of(ContentSettings).pdq_quality_floor
    plain, quality = pdq_hash_reference(pixels)
    if quality < floor:
        # A flat photo's turned copies get their detail from the black corners alone: such hashes would
        # match any turned flat photo. A photo too flat to bank has nothing derived either.
        return []
    content = settings.of(ContentSettings)
    chosen = edits(content.derived_crops(), content.derived_turns())
    return [ExtractedSignal("pdq", value, quality=quality, details={"derived": name})
            for name, value, quality in derived_hashes(pixels, chosen) if quality >= floor and value != plain]


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
        """The photo's PDQ hash, then its query-only variants (see :func:`photo_signals`).

        With ``pdq_reduced_decode`` on, a large JPEG is decoded reduced and every signal is provisional: the
        matching service re-hashes it with :meth:`extract_exact` before it may miss or reach a bank.
        """
        decoded = decode_photo(content.path, settings, luma_only=True)
        return photo_signals(decoded, settings)

    @classmethod
    def extract_exact(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        """As :meth:`extract`, always at full size: the reference hash, for banks and to verify a reduced one."""
        return photo_signals(decode_photo(content.path, settings, reduced=False, luma_only=True), settings)

    @classmethod
    def derive(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        """The derived hashes a bank stores beside the plain one (``pdq_derived``; see :mod:`.derived`).

        Each carries ``details["derived"]``, the edit's name. Hashes under the quality floor, and any equal to
        the plain hash, are left out.
        """
        if not settings.of(ContentSettings).pdq_derived:
            return []
        decoded = decode_photo(content.path, settings, reduced=False, luma_only=True)
        return derived_signals(decoded.pixels, settings)

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
