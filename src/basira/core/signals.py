"""Signal types and indexes as plugins: the two interfaces, and the registry that loads them.

A signal type knows how to extract its values from content, how to write them canonically, how far apart two
values are, and which index serves it. A front names its types in its manifest (``basira.fronts``); a type of
no front registers through the ``basira.signal_types`` entry point. Basira's own types come in exactly as a
partner's plugin would.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from basira.core.errors import ConfigurationError, InvalidSignal
from basira.core.settings import Settings

if TYPE_CHECKING:
    from basira.core.fronts import FrontRegistry

ENTRY_POINT_GROUP = "basira.signal_types"

#: What the core recognises an uploaded file as (``core.sniff``): ``file`` for bytes of no known kind. Each front
#: adds its own content types in its manifest (see :func:`content_types`).
FILE_CONTENT_TYPES = frozenset({"photo", "video", "file"})


def content_types(fronts: FrontRegistry | None = None) -> frozenset[str]:
    """Every content type an entry or item may have: the file types and each front's (the process's fronts when
    None)."""
    from basira.core.fronts import default_fronts

    return FILE_CONTENT_TYPES | (fronts or default_fronts()).content_types()


@dataclass(frozen=True)
class Content:
    """Submitted content, streamed to a file on disk, with the content type it was recognised as."""

    path: Path
    content_type: str
    size: int


@dataclass(frozen=True)
class ExtractedSignal:
    """One value of a signal type taken from content, with what is known about its quality."""

    signal_type: str
    value: str
    quality: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: For queries only, never put into a bank (e.g. the rotated variants of a photo's hash).
    query_only: bool = False


class SignalIndex(abc.ABC):
    """A searchable set of (signal id, canonical value) pairs; a cache rebuilt from the database.

    ``watermark`` is the id of the last signal change applied, so a caller can replay newer changes.
    """

    watermark: int = 0

    @abc.abstractmethod
    def build(self, items: Iterable[tuple[int, str]]) -> None:
        """Replace the contents with ``items``."""

    @abc.abstractmethod
    def add(self, items: Iterable[tuple[int, str]]) -> None:
        """Add items; adding an id that is present replaces its value."""

    @abc.abstractmethod
    def remove(self, ids: Iterable[int]) -> None:
        """Remove ids; unknown ids are ignored."""

    @abc.abstractmethod
    def query(self, values: Sequence[str], threshold: float) -> list[list[tuple[int, float]]]:
        """For each value, the (id, distance) pairs with distance <= threshold, nearest first."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """How many ids the index holds."""

    #: Whether :meth:`save` and :meth:`load` are implemented (worth it for indexes slow to rebuild).
    persistent: ClassVar[bool] = False

    def save(self, path: Path) -> None:
        """Write the index, with its watermark, to ``path``."""
        raise NotImplementedError(f"{type(self).__name__} is not persistent")

    @classmethod
    def load(cls, path: Path) -> SignalIndex:
        """Read an index written by :meth:`save`; raise ConfigurationError when the file is unusable."""
        raise NotImplementedError(f"{cls.__name__} is not persistent")


class SignalType(abc.ABC):
    """A comparable fingerprint. Subclasses are used as classes, never instantiated."""

    name: ClassVar[str]
    #: Content types this type can extract values from.
    content_types: ClassVar[frozenset[str]] = frozenset()
    #: Distances at or below the threshold match; 0 means exact only.
    default_threshold: ClassVar[float] = 0.0
    #: The largest threshold a bank may set.
    max_threshold: ClassVar[float] = 0.0
    #: A human description, shown in the docs and the API.
    description: ClassVar[str] = ""
    #: The content type of a bank entry made for a bare value of this type.
    default_content_type: ClassVar[str] = "file"

    @classmethod
    @abc.abstractmethod
    def validate(cls, value: str) -> str:
        """The canonical form of ``value``, or :class:`InvalidSignal` with the reason."""

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        """Values of this type in ``content`` (none by default)."""
        return []

    @classmethod
    def derive(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        """Values a bank stores beside ``extract``'s when ``content`` is banked: hashes of canonical edits of it
        (a photo's crops and small turns), each marked ``details["derived"]`` with the edit's name. They are
        signals of the same entry, matched like the others and shared only where the bank allows (none by
        default)."""
        return []

    @classmethod
    @abc.abstractmethod
    def distance(cls, a: str, b: str) -> float:
        """How far apart two canonical values are (0 for equal)."""

    @classmethod
    @abc.abstractmethod
    def new_index(cls, settings: Settings | None = None) -> SignalIndex:
        """An empty index suited to this type (``settings`` may choose among its modes)."""

    @classmethod
    def quality_floor(cls, settings: Settings) -> int | None:
        """Values of lower quality stay out of banks and are flagged on queries; None: no floor."""
        return None

    @classmethod
    def explain(cls, query_value: str, bank_value: str, settings: Settings | None = None) -> dict[str, Any] | None:
        """Why a query value matched a bank value, beyond the distance, for the caller to see (None by default).

        Called for each hit the caller may see in full; the result is shown with the hit and kept with the
        stored match. A video type, for example, gives the share of each video that matched and the matched
        time ranges.
        """
        return None

    @classmethod
    def check_threshold(cls, threshold: float) -> float:
        if not 0 <= threshold <= cls.max_threshold:
            raise InvalidSignal(
                f"threshold {threshold} for {cls.name} is outside 0..{cls.max_threshold}")
        return threshold


class ExactIndex(SignalIndex):
    """A hash map from canonical value to ids: exact matches only, any signal type."""

    def __init__(self) -> None:
        self._by_value: dict[str, set[int]] = {}
        self._by_id: dict[int, str] = {}

    def build(self, items: Iterable[tuple[int, str]]) -> None:
        self._by_value.clear()
        self._by_id.clear()
        self.add(items)

    def add(self, items: Iterable[tuple[int, str]]) -> None:
        for sid, value in items:
            self.remove([sid])
            self._by_id[sid] = value
            self._by_value.setdefault(value, set()).add(sid)

    def remove(self, ids: Iterable[int]) -> None:
        for sid in ids:
            value = self._by_id.pop(sid, None)
            if value is not None:
                bucket = self._by_value[value]
                bucket.discard(sid)
                if not bucket:
                    del self._by_value[value]

    def query(self, values: Sequence[str], threshold: float) -> list[list[tuple[int, float]]]:
        return [[(sid, 0.0) for sid in sorted(self._by_value.get(v, ()))] for v in values]

    def __len__(self) -> int:
        return len(self._by_id)


class SignalTypeRegistry:
    """The signal types of this process: the ``basira.signal_types`` entry points and every front's types."""

    def __init__(self, types: Iterable[type[SignalType]] = ()) -> None:
        self._types: dict[str, type[SignalType]] = {}
        for t in types:
            self.register(t)

    def register(self, t: type[SignalType]) -> None:
        existing = self._types.get(t.name)
        if existing is not None and existing is not t:
            raise ConfigurationError(f"two signal types are named {t.name!r}: {existing} and {t}")
        self._types[t.name] = t

    @classmethod
    def from_entry_points(cls, fronts: FrontRegistry | None = None) -> SignalTypeRegistry:
        """The entry points' types, then those of ``fronts`` (the process's fronts when None)."""
        from basira.core.fronts import default_fronts, load_ref

        reg = cls()
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            loaded = ep.load()
            reg.register(_signal_type(loaded, f"entry point {ep.name!r}"))
            if loaded.name != ep.name:
                raise ConfigurationError(f"entry point {ep.name!r} names signal type {loaded.name!r}")
        for ref in (fronts or default_fronts()).signal_type_refs():
            reg.register(_signal_type(load_ref(ref), repr(ref)))
        return reg

    def get(self, name: str) -> type[SignalType]:
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(sorted(self._types))
            raise InvalidSignal(f"unknown signal type {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        return sorted(self._types)

    def for_content(self, content_type: str) -> list[type[SignalType]]:
        return [t for _, t in sorted(self._types.items()) if content_type in t.content_types]

    def validate(self, name: str, value: str) -> str:
        return self.get(name).validate(value)


def _signal_type(loaded: object, where: str) -> type[SignalType]:
    if not (isinstance(loaded, type) and issubclass(loaded, SignalType)):
        raise ConfigurationError(f"{where} is not a SignalType subclass")
    return loaded


_default: SignalTypeRegistry | None = None


def default_registry() -> SignalTypeRegistry:
    """The process-wide registry, loaded on first use (never at import)."""
    global _default
    if _default is None:
        _default = SignalTypeRegistry.from_entry_points()
    return _default
