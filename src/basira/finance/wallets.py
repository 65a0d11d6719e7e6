"""Crypto wallet addresses: validate and normalise the addresses that sanctions lists name, for exact matching.

Every checksum is checked (base58check, BIP-173 bech32, BIP-350 bech32m, CashAddr, EIP-55, Monero's keccak
checksum); a bad one is refused with the reason. The canonical form is what matching compares: case-insensitive
encodings (hex, bech32, CashAddr) are lower-cased and lose their prefix, case-sensitive ones (base58) stay as written.
The currency does not enter the canonical form: OFAC lists the same address under several tickers (ETH, USDC,
ARB, BSC), and a customer's wallet must match whichever ticker the list chose.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from Crypto.Hash import keccak

from basira.core.errors import InvalidSignal

MAX_ADDRESS_CHARS = 128

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_RIPPLE = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
_BECH32_CHARS = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3


@dataclass(frozen=True)
class Wallet:
    """A valid address.

    Attributes:
        address: The canonical form (what exact matching compares).
        currency: The ticker given or recognised (``XBT`` for Bitcoin, as OFAC writes it).
        encoding: How the address is written: ``base58check``, ``bech32``, ``bech32m``, ``cashaddr``, ``hex``,
            ``monero`` or ``base58``.
        checksum: Whether the encoding carries a checksum that was verified (Solana's and lower-case EVM
            addresses carry none).
    """

    address: str
    currency: str
    encoding: str
    checksum: bool = True


class _Bad(ValueError):
    """An address does not decode; the message is the reason shown to the caller."""


# -- encodings ------------------------------------------------------------------------------------------------


def b58decode(text: str, alphabet: str = _B58) -> bytes:
    """Bytes of a base58 string (leading first-alphabet characters are leading zero bytes)."""
    n = 0
    for ch in text:
        i = alphabet.find(ch)
        if i < 0:
            raise _Bad(f"{ch!r} is not a base58 character")
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip(alphabet[0]))
    return b"\x00" * pad + body


def b58encode(data: bytes, alphabet: str = _B58) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(alphabet[r])
    pad = len(data) - len(data.lstrip(b"\x00"))
    return alphabet[0] * pad + "".join(reversed(out))


def _dsha(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def b58check_decode(text: str, alphabet: str = _B58) -> bytes:
    """The payload of a base58check string (version bytes included), or _Bad when the checksum fails."""
    raw = b58decode(text, alphabet)
    if len(raw) < 5:
        raise _Bad("too short for base58check")
    if _dsha(raw[:-4])[:4] != raw[-4:]:
        raise _Bad("the base58check checksum does not match (a mistyped character?)")
    return raw[:-4]


def b58check_encode(payload: bytes, alphabet: str = _B58) -> str:
    return b58encode(payload + _dsha(payload)[:4], alphabet)


def _bech32_polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_decode(text: str) -> tuple[str, list[int], str]:
    """(human-readable part, data values without checksum, ``bech32`` or ``bech32m``), per BIP-173 and BIP-350."""
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise _Bad("bech32 allows printable ASCII only")
    if text.lower() != text and text.upper() != text:
        raise _Bad("bech32 must not mix upper and lower case")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text) or len(text) > 90:
        raise _Bad("not a bech32 string (separator or length)")
    hrp = text[:pos]
    try:
        data = [_BECH32_CHARS.index(c) for c in text[pos + 1:]]
    except ValueError:
        raise _Bad("a character outside the bech32 alphabet") from None
    const = _bech32_polymod(_hrp_expand(hrp) + data)
    if const == _BECH32_CONST:
        return hrp, data[:-6], "bech32"
    if const == _BECH32M_CONST:
        return hrp, data[:-6], "bech32m"
    raise _Bad("the bech32 checksum does not match (a mistyped character?)")


def bech32_encode(hrp: str, data: list[int], spec: str) -> str:
    const = _BECH32M_CONST if spec == "bech32m" else _BECH32_CONST
    polymod = _bech32_polymod([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32_CHARS[d] for d in data + checksum)


def convertbits(data: list[int] | bytes, frombits: int, tobits: int, pad: bool) -> list[int]:
    """Regroup bits (8→5 to encode, 5→8 to decode); without ``pad`` leftover bits must be zero padding."""
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            raise _Bad("a value out of range")
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise _Bad("non-zero padding")
    return out


def segwit_decode(hrp: str, text: str) -> tuple[int, bytes, str]:
    """(witness version, program, spec) of a segwit address with ``hrp``, checked as BIP-173/350 require."""
    got, data, spec = bech32_decode(text)
    if got != hrp:
        raise _Bad(f"the prefix is {got!r}, not {hrp!r}")
    if not data:
        raise _Bad("no witness version")
    version = data[0]
    program = bytes(convertbits(data[1:], 5, 8, False))
    if version > 16:
        raise _Bad("witness version above 16")
    if not 2 <= len(program) <= 40:
        raise _Bad("witness program of a wrong length")
    if version == 0 and len(program) not in (20, 32):
        raise _Bad("a version 0 witness program has 20 or 32 bytes")
    if (version == 0) != (spec == "bech32"):
        raise _Bad("version 0 uses bech32, later versions bech32m (BIP-350)")
    return version, program, spec


def _cashaddr_polymod(values: list[int]) -> int:
    gen = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
    c = 1
    for d in values:
        c0 = c >> 35
        c = ((c & 0x07FFFFFFFF) << 5) ^ d
        for i in range(5):
            if (c0 >> i) & 1:
                c ^= gen[i]
    return c ^ 1


def cashaddr_decode(text: str, prefix: str = "bitcoincash") -> bytes:
    """The payload (version byte + hash) of a CashAddr address, with or without its prefix."""
    if text.lower() != text and text.upper() != text:
        raise _Bad("CashAddr must not mix upper and lower case")
    body = text.lower()
    if ":" in body:
        given, _, body = body.partition(":")
        if given != prefix:
            raise _Bad(f"the prefix is {given!r}, not {prefix!r}")
    try:
        data = [_BECH32_CHARS.index(c) for c in body]
    except ValueError:
        raise _Bad("a character outside the CashAddr alphabet") from None
    if len(data) < 9:
        raise _Bad("too short for CashAddr")
    if _cashaddr_polymod([ord(c) & 31 for c in prefix] + [0] + data) != 0:
        raise _Bad("the CashAddr checksum does not match (a mistyped character?)")
    payload = bytes(convertbits(data[:-8], 5, 8, False))
    if len(payload) != 21:
        raise _Bad("a CashAddr payload of a wrong length")
    return payload


def _keccak(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def eip55(address_hex40: str) -> str:
    """The EIP-55 mixed-case checksum spelling of a 40-digit hex address (without ``0x``)."""
    low = address_hex40.lower()
    digest = _keccak(low.encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(low))


_XMR_BLOCK_SIZES = (0, 2, 3, 5, 6, 7, 9, 10, 11)


def monero_decode(text: str) -> bytes:
    """Monero's base58 (8-byte blocks of 11 characters), checked against its keccak-256 checksum."""
    out = bytearray()
    for start in range(0, len(text), 11):
        block = text[start:start + 11]
        size = _XMR_BLOCK_SIZES.index(len(block)) if len(block) in _XMR_BLOCK_SIZES else -1
        if size <= 0:
            raise _Bad("not a Monero base58 block length")
        n = 0
        for ch in block:
            i = _B58.find(ch)
            if i < 0:
                raise _Bad(f"{ch!r} is not a base58 character")
            n = n * 58 + i
        if n >> (8 * size):
            raise _Bad("a Monero base58 block overflows")
        out += n.to_bytes(size, "big")
    raw = bytes(out)
    if len(raw) < 5 or _keccak(raw[:-4])[:4] != raw[-4:]:
        raise _Bad("the Monero checksum does not match (a mistyped character?)")
    return raw


# -- currencies -----------------------------------------------------------------------------------------------

_EVM = {"ETH", "ETC", "USDC", "ARB", "BSC", "BNB-BSC", "MATIC", "POL", "OP", "AVAX", "DAI", "BASE"}
# base58check version bytes of the Bitcoin-derived currencies: (pay-to-pubkey-hash, pay-to-script-hash).
_B58_VERSIONS: dict[str, tuple[int, ...]] = {
    "XBT": (0x00, 0x05), "BCH": (0x00, 0x05), "BSV": (0x00, 0x05), "LTC": (0x30, 0x32, 0x05),
    "DASH": (0x4C, 0x10), "BTG": (0x26, 0x17), "XVG": (0x1E, 0x21), "DOGE": (0x1E, 0x16),
}
_SEGWIT_HRP = {"XBT": "bc", "LTC": "ltc", "BTG": "btg"}
_ALIASES = {"BTC": "XBT", "BITCOIN": "XBT", "ETHEREUM": "ETH", "TRON": "TRX", "LITECOIN": "LTC", "MONERO": "XMR",
            "ZCASH": "ZEC", "RIPPLE": "XRP", "SOLANA": "SOL", "TETHER": "USDT", "BNB": "BNB"}
_HEX40 = re.compile(r"^0[xX][0-9a-fA-F]{40}$")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

#: Tickers this module validates; others are refused with a clear reason.
SUPPORTED = frozenset({*_EVM, *_B58_VERSIONS, "XMR", "ZEC", "TRX", "USDT", "XRP", "SOL", "BNB"})


def _evm(text: str, currency: str) -> Wallet:
    if not _HEX40.match(text):
        raise _Bad("an EVM address is 0x followed by 40 hexadecimal digits")
    digits = text[2:]
    mixed = digits != digits.lower() and digits != digits.upper()
    if mixed and eip55(digits) != "0x" + digits:
        raise _Bad("the EIP-55 checksum (the mixed case) does not match (a mistyped character?)")
    return Wallet("0x" + digits.lower(), currency, "hex", checksum=mixed)


def _b58_family(text: str, currency: str) -> Wallet:
    hrp = _SEGWIT_HRP.get(currency)
    if hrp and text.lower().startswith(hrp + "1"):
        _, _, spec = segwit_decode(hrp, text)
        return Wallet(text.lower(), currency, spec)
    if currency == "BCH" and text[:1] not in ("1", "3"):
        cashaddr_decode(text)
        return Wallet(text.lower().removeprefix("bitcoincash:"), currency, "cashaddr")
    payload = b58check_decode(text)
    if len(payload) != 21 or payload[0] not in _B58_VERSIONS[currency]:
        raise _Bad(f"not a {currency} address (version byte {payload[0]:#04x} or length {len(payload)})")
    return Wallet(text, currency, "base58check")


def _tron(text: str, currency: str) -> Wallet:
    payload = b58check_decode(text)
    if len(payload) != 21 or payload[0] != 0x41:
        raise _Bad("a Tron address is 21 bytes starting with 0x41 (T...)")
    return Wallet(text, currency, "base58check")


def _one(text: str, currency: str) -> Wallet:
    if currency in _EVM:
        return _evm(text, currency)
    if currency in _B58_VERSIONS:
        return _b58_family(text, currency)
    if currency == "TRX":
        return _tron(text, currency)
    if currency == "USDT":
        # Tether circulates on Tron, on Ethereum and (Omni) on Bitcoin; OFAC lists all three under USDT.
        if text[:2].lower() == "0x":
            return _evm(text, currency)
        if text[:1] == "T":
            return _tron(text, currency)
        return _b58_family(text, "XBT")
    if currency == "ZEC":
        payload = b58check_decode(text)
        if len(payload) != 22 or payload[:2] not in (b"\x1c\xb8", b"\x1c\xbd"):
            raise _Bad("a transparent Zcash address is t1... or t3... (2 version bytes and 20)")
        return Wallet(text, currency, "base58check")
    if currency == "XRP":
        payload = b58check_decode(text, _RIPPLE)
        if len(payload) != 21 or payload[0] != 0:
            raise _Bad("an XRP account address is r... (21 bytes, version 0)")
        return Wallet(text, currency, "base58check")
    if currency == "XMR":
        raw = monero_decode(text)
        if len(raw) not in (69, 77) or raw[0] not in (18, 19, 42):
            raise _Bad("not a Monero main-net address (prefix or length)")
        return Wallet(text, currency, "monero")
    if currency == "SOL":
        if not 32 <= len(text) <= 44 or len(b58decode(text)) != 32:
            raise _Bad("a Solana address is 32 bytes in base58")
        return Wallet(text, currency, "base58", checksum=False)
    if currency == "BNB":
        if text[:2].lower() == "0x":
            return _evm(text, currency)
        hrp, data, spec = bech32_decode(text)
        if hrp != "bnb" or spec != "bech32" or len(convertbits(data, 5, 8, False)) != 20:
            raise _Bad("a BNB Beacon Chain address is bech32 bnb1... of 20 bytes")
        return Wallet(text.lower(), currency, "bech32")
    raise _Bad(f"the currency {currency!r} is not supported (supported: {', '.join(sorted(SUPPORTED))})")


# Order of recognition when the caller names no currency: most specific formats first.
_GUESS_ORDER = ("ETH", "XBT", "TRX", "LTC", "BCH", "XMR", "ZEC", "DASH", "BTG", "XVG", "XRP", "BNB", "SOL")


def clean(text: str) -> str:
    """The address without surrounding space, invisible characters or a ``bitcoin:``-style URI scheme."""
    value = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).strip()
    scheme, sep, rest = value.partition(":")
    if sep and scheme.lower() in {"bitcoin", "ethereum", "litecoin", "tron"}:
        value = rest.split("?", 1)[0]
    return value


def canonical_currency(currency: str) -> str:
    up = currency.strip().upper()
    return _ALIASES.get(up, up)


def normalise(address: str, currency: str | None = None) -> Wallet:
    """A valid address in canonical form, or :class:`InvalidSignal` with the reason.

    Args:
        address: As the customer or the list wrote it.
        currency: A ticker (``XBT``/``BTC``, ``ETH``, ``TRX`` ...); when None the format is recognised.
    """
    if not isinstance(address, str) or not address.strip():
        raise InvalidSignal("a wallet address is empty")
    if len(address) > MAX_ADDRESS_CHARS * 2:
        raise InvalidSignal(f"a wallet address has at most {MAX_ADDRESS_CHARS} characters")
    text = clean(address)
    if not text or len(text) > MAX_ADDRESS_CHARS or not text.isascii() or any(c.isspace() for c in text):
        raise InvalidSignal(f"{text[:60]!r} is not a wallet address (ASCII, no spaces, at most "
                            f"{MAX_ADDRESS_CHARS} characters)")
    if text.lower().startswith("bitcoincash:"):
        currency = currency or "BCH"
    if currency:
        cur = canonical_currency(currency)
        try:
            return _one(text, cur)
        except _Bad as e:
            raise InvalidSignal(f"invalid {cur} address {text[:60]!r}: {e}") from None
    reasons: list[str] = []
    for cur in _GUESS_ORDER:
        try:
            return _one(text, cur)
        except _Bad as e:
            reasons.append(f"{cur}: {e}")
    # The reason worth telling is that of the currency the address looks like (T... is Tron, r... XRP), not of
    # the first currency tried.
    likely = likely_currency(text)
    hint = next((r for r in reasons if likely and r.startswith(f"{likely}:")), None) or \
        next((r for r in reasons if "checksum" in r), None)
    detail = f" ({hint})" if hint else ""
    raise InvalidSignal(f"{text[:60]!r} is not a valid address of a supported currency{detail}")


_SHAPES = (("0x", "ETH"), ("bc1", "XBT"), ("ltc1", "LTC"), ("bnb1", "BNB"), ("bitcoincash:", "BCH"), ("t1", "ZEC"),
           ("t3", "ZEC"), ("T", "TRX"), ("r", "XRP"), ("L", "LTC"), ("M", "LTC"), ("X", "DASH"), ("D", "XVG"),
           ("G", "BTG"), ("1", "XBT"), ("3", "XBT"))


def likely_currency(text: str) -> str | None:
    """The currency an address looks like from its first characters and length, valid or not (a mistyped Tron
    address still starts with T); ``None`` when it looks like none."""
    if text[:1] in "48" and len(text) in (95, 106):
        return "XMR"
    for prefix, cur in _SHAPES:
        if text.startswith(prefix) or (len(prefix) > 1 and text.lower().startswith(prefix)):
            return cur
    return None


_LONG_HEX = re.compile(r"^(?:0[xX])?[0-9a-fA-F]{32,}$")


def loose(address: str) -> str:
    """The cleaned text of an address that failed validation (lists sometimes carry such values), lower-cased when
    it is hexadecimal (OFAC's 64-digit XMR value of profile 29585: hex has no case, and a customer may write it in
    capitals); other values stay as written (base58 is case-sensitive)."""
    text = clean(address)
    return text.lower() if _HEX40.match(text) or _LONG_HEX.match(text) else text
