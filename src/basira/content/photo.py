"""Photo signals: PDQ perceptual hashes (256 bits, written as 64 hex digits) and their Hamming index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pdqhash
from PIL import Image, UnidentifiedImageError

from basira.core.errors import ContentTooLarge, InvalidSignal, UnsupportedContent
from basira.core.settings import Settings
from basira.core.signals import Content, ExtractedSignal, SignalIndex, SignalType

HEX_DIGITS = 64


def _decode(content: Content, settings: Settings) -> np.ndarray:
    try:
        with Image.open(content.path) as im:
            w, h = im.size
            if w * h > settings.max_image_pixels:
                raise ContentTooLarge(f"the image is {w}x{h} pixels, over the limit of {settings.max_image_pixels}")
            im.draft("RGB", (512, 512)) if settings.pdq_reduced_decode else None
            rgb = im.convert("RGB")
            return np.asarray(rgb)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise UnsupportedContent(f"the file is not a readable image ({e})") from None


def bits_to_hex(bits: np.ndarray) -> str:
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


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
        if len(v) != HEX_DIGITS:
            raise InvalidSignal(f"a pdq value is 64 hexadecimal digits, got {len(v)} characters")
        try:
            bytes.fromhex(v)
        except ValueError:
            raise InvalidSignal("a pdq value is 64 hexadecimal digits") from None
        return v

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        pixels = _decode(content, settings)
        bits, quality = pdqhash.compute(pixels)
        return [ExtractedSignal(cls.name, bits_to_hex(bits), quality=int(quality))]

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return float((int(cls.validate(a), 16) ^ int(cls.validate(b), 16)).bit_count())

    @classmethod
    def new_index(cls) -> SignalIndex:
        return HammingIndex()

    @classmethod
    def quality_floor(cls, settings: Settings) -> int | None:
        return settings.pdq_quality_floor


class HammingIndex(SignalIndex):
    """Exact brute-force Hamming search over packed 256-bit hashes with numpy."""

    def __init__(self) -> None:
        self._ids: list[int] = []
        self._rows: list[bytes] = []
        self._pos: dict[int, int] = {}
        self._matrix: np.ndarray | None = None

    def build(self, items: Iterable[tuple[int, str]]) -> None:
        self._ids, self._rows, self._pos, self._matrix = [], [], {}, None
        self.add(items)

    def add(self, items: Iterable[tuple[int, str]]) -> None:
        for sid, value in items:
            raw = bytes.fromhex(value)
            if sid in self._pos:
                self._rows[self._pos[sid]] = raw
            else:
                self._pos[sid] = len(self._ids)
                self._ids.append(sid)
                self._rows.append(raw)
        self._matrix = None

    def remove(self, ids: Iterable[int]) -> None:
        gone = {i for i in ids if i in self._pos}
        if not gone:
            return
        keep = [(i, r) for i, r in zip(self._ids, self._rows, strict=True) if i not in gone]
        self._ids = [i for i, _ in keep]
        self._rows = [r for _, r in keep]
        self._pos = {i: n for n, i in enumerate(self._ids)}
        self._matrix = None

    def query(self, values: Sequence[str], threshold: float) -> list[list[tuple[int, float]]]:
        if not self._ids:
            return [[] for _ in values]
        if self._matrix is None:
            self._matrix = np.frombuffer(b"".join(self._rows), dtype=np.uint8).reshape(-1, 32)
        out = []
        for v in values:
            q = np.frombuffer(bytes.fromhex(v), dtype=np.uint8)
            d = np.unpackbits(np.bitwise_xor(self._matrix, q), axis=1).sum(axis=1)
            hit = np.nonzero(d <= threshold)[0]
            out.append(sorted(((self._ids[i], float(d[i])) for i in hit), key=lambda t: t[1]))
        return out

    def __len__(self) -> int:
        return len(self._ids)
