"""The finance signal types: ``name`` (a listed name or alias), ``crypto_address`` and ``identifier``.

They register through the ``basira.signal_types`` entry point like any plugin. Names are compared by the name
matcher of :mod:`basira.finance.names` in the screening service; as plain signals they match exactly on their
canonical form, which is what bank imports, exports and the core matching API need.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from rapidfuzz.distance import JaroWinkler

from basira.core.errors import InvalidSignal
from basira.core.exact import ExactSignalType
from basira.core.signal_examples import SignalExamples
from basira.core.signals import SignalType
from basira.finance import wallets

#: Longest name accepted, in characters (the longest on the UN, OFAC and EU lists is under 300).
MAX_NAME_CHARS = 500
# Bidirectional overrides and isolates, zero-width characters and the soft hyphen: invisible, so they can make
# a name look like another; they never belong in a name.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


def clean_name(value: str) -> str:
    """A name's canonical form: NFC, invisible and bidirectional controls removed, single spaces.

    Raises:
        InvalidSignal: The name is empty, has no letter (only punctuation or digits), or is too long.
    """
    if not isinstance(value, str):
        raise InvalidSignal("a name is text")
    if len(value) > MAX_NAME_CHARS * 4:
        raise InvalidSignal(f"a name has at most {MAX_NAME_CHARS} characters (got {len(value)})")
    name = _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", value))).strip()
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise InvalidSignal("a name must not contain control characters")
    if not name:
        raise InvalidSignal("a name is empty")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidSignal(f"a name has at most {MAX_NAME_CHARS} characters (got {len(name)})")
    if not any(unicodedata.category(c).startswith("L") for c in name):
        raise InvalidSignal(f"{name[:40]!r} is not a name: it has no letter")
    return name


class NameSignal(ExactSignalType):
    """A person's or organization's name or alias, in any script."""

    name: ClassVar[str] = "name"
    content_types: ClassVar[frozenset[str]] = frozenset()
    default_threshold: ClassVar[float] = 0.0
    max_threshold: ClassVar[float] = 1.0
    description: ClassVar[str] = ("A listed name or alias in any script; screened with the Arabic-aware name "
                                  "matcher (POST /v1/screen), matched exactly elsewhere.")
    default_content_type: ClassVar[str] = "person"

    @classmethod
    def validate(cls, value: str) -> str:
        return clean_name(value)

    @classmethod
    def examples(cls) -> SignalExamples:
        return SignalExamples(canonical=("Mohammed Ali", "إبراهيم عواد البدري"),
                              spellings=(("  Mohammed   Ali ", "Mohammed Ali"),),
                              invalid=("", "   ", "123", "x" * 2000))

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        """1 - Jaro-Winkler similarity of the case-folded names (0 for equal names)."""
        return 1.0 - JaroWinkler.similarity(a.casefold(), b.casefold())


class CryptoAddressSignal(ExactSignalType):
    """A crypto wallet address, validated (checksums) and in canonical form; matched exactly."""

    name: ClassVar[str] = "crypto_address"
    content_types: ClassVar[frozenset[str]] = frozenset()
    description: ClassVar[str] = ("A wallet address (Bitcoin, Ethereum and EVM chains, Tron, Litecoin, Monero, "
                                  "Zcash, Dash, XRP, ...), checksum-verified; EVM and bech32 lower-cased.")
    default_content_type: ClassVar[str] = "wallet"

    @classmethod
    def validate(cls, value: str) -> str:
        currency, sep, address = value.partition(":")
        # ``XBT:1A1z...`` names the currency; a bare address is recognised by its format.
        if sep and currency.upper() in wallets.SUPPORTED | {"BTC"}:
            return wallets.normalise(address, currency).address
        return wallets.normalise(value).address

    @classmethod
    def facets(cls, value: str) -> dict[str, str]:
        """What an exchange format may say of a canonical value besides the value: its ``currency`` code."""
        try:
            return {"currency": wallets.normalise(value).currency}
        except InvalidSignal:
            return {}

    @classmethod
    def examples(cls) -> SignalExamples:
        bitcoin, ethereum = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
        return SignalExamples(canonical=(bitcoin, ethereum),
                              spellings=((f"XBT:{bitcoin}", bitcoin),
                                         ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", ethereum)),
                              invalid=("", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "not an address"))


_IDENT = re.compile(r"[^0-9A-Z]")


def clean_identifier(value: str) -> str:
    """A document number as compared: upper-case letters and digits only (``A-123 456`` → ``A123456``).

    Raises:
        InvalidSignal: Nothing of a document number is left, or it is longer than 64 characters.
    """
    ident = _IDENT.sub("", unicodedata.normalize("NFKC", value or "").upper())
    if not ident or len(ident) > 64:
        raise InvalidSignal(f"{value[:40]!r} is not a document number (1-64 letters and digits)")
    return ident


class IdentifierSignal(ExactSignalType):
    """A passport, national id or registration number; matched exactly on letters and digits."""

    name: ClassVar[str] = "identifier"
    content_types: ClassVar[frozenset[str]] = frozenset()
    description: ClassVar[str] = "A document number (passport, national id, registration), letters and digits."
    default_content_type: ClassVar[str] = "person"

    @classmethod
    def validate(cls, value: str) -> str:
        return clean_identifier(value)

    @classmethod
    def examples(cls) -> SignalExamples:
        return SignalExamples(canonical=("A123456", "P0123456789"), spellings=(("a-123 456", "A123456"),),
                              invalid=("", "---", "9" * 65))


FINANCE_SIGNAL_TYPES: tuple[type[SignalType], ...] = (NameSignal, CryptoAddressSignal, IdentifierSignal)
