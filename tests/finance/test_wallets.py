"""Wallet validation: the BIP-173/350 and EIP-55 test vectors, the currencies OFAC lists, and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.core.errors import InvalidSignal
from basira.finance import wallets

# BIP-173 / BIP-350 valid segwit addresses (main net).
VALID_SEGWIT = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bech32"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "bech32m"),
    ("BC1SW50QGDZ25J", "bech32m"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "bech32m"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "bech32m"),  # taproot
]
# BIP-350 invalid addresses, each for a documented reason.
INVALID_SEGWIT = [
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32 checksum on a v1 program
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # bech32 checksum on v16
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # bech32m checksum on v0
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # invalid character
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # witness version 17
    "bc1pw5dgrnzv",  # program of 1 byte
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # v0 program of 16 bytes
    "bc1gmk9yu",  # empty data
]


@pytest.mark.parametrize(("address", "spec"), VALID_SEGWIT)
def test_bip_valid_segwit_addresses_are_accepted_and_lower_cased(address: str, spec: str) -> None:
    w = wallets.normalise(address)
    assert w.address == address.lower()
    assert w.encoding == spec and w.currency == "XBT"


@pytest.mark.parametrize("address", INVALID_SEGWIT)
def test_bip_invalid_segwit_addresses_are_refused(address: str) -> None:
    with pytest.raises(InvalidSignal):
        wallets.normalise(address, "XBT")


@pytest.mark.parametrize("address", [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
])
def test_eip55_vectors_are_accepted_and_compared_in_lower_case(address: str) -> None:
    w = wallets.normalise(address)
    assert w.address == address.lower() and w.checksum
    assert wallets.eip55(address[2:]) == address


def test_eip55_with_one_wrong_case_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidSignal, match="EIP-55"):
        wallets.normalise("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "ETH")


def test_bitcoin_address_with_a_mistyped_character_is_refused_for_its_checksum() -> None:
    with pytest.raises(InvalidSignal, match="checksum"):
        wallets.normalise("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9i", "XBT")


@pytest.mark.parametrize(("currency", "address"), [
    # Addresses as OFAC lists them (ofac_sdn_advanced_excerpt.xml).
    ("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"),
    ("LTC", "LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z"),
    ("TRX", "TFwjPScaJRCbSWVAywE1S1WgaUgSnyYUbD"),
    ("USDT", "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"),
    ("ZEC", "t1g7wowvQ8gn2v8jrU1biyJ26sieNqNsBJy"),
    ("DASH", "XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2"),
    ("BTG", "GPwg61XoHqQPNmAucFACuQ5H9sGCDv9TpS"),
    ("XVG", "DFFJhnQNZf8rf67tYnesPu7MuGUpYtzv7Z"),
    ("BCH", "qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq"),
    ("XRP", "rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66"),
    ("XMR", "884Bz8UH63aYsjVdkfWfScRYWZGGNbjFL7pztqvWNSrtYT4reFSwyvkCj9KEGUtheHhhMUj87ciTBFyzoesrMJ4L1FvSoxL"),
    ("BNB", "bnb136ns6lfw4zs5hg4n85vdthaad7hq5m4gtkgf23"),
    ("SOL", "42RLPACwZPx3vYYmxSueqsogfynBDqXK298EDsNoyoHi"),
    ("ETC", "0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344b"),
])
def test_every_currency_ofac_lists_is_validated(currency: str, address: str) -> None:
    assert wallets.normalise(address, currency).currency in (currency, "XBT")
    # The format alone is recognised too (the currency is never part of the canonical form).
    assert wallets.normalise(address).address == wallets.normalise(address, currency).address


@pytest.mark.parametrize(("currency", "address"), [
    ("TRX", "TFwjPScaJRCbSWVAywE1S1WgaUgSnyYUbD"),
    ("LTC", "LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z"),
    ("ZEC", "t1g7wowvQ8gn2v8jrU1biyJ26sieNqNsBJy"),
    ("XMR", "884Bz8UH63aYsjVdkfWfScRYWZGGNbjFL7pztqvWNSrtYT4reFSwyvkCj9KEGUtheHhhMUj87ciTBFyzoesrMJ4L1FvSoxL"),
    ("XRP", "rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66"),
])
def test_a_mistyped_address_without_a_currency_names_the_currency_it_looks_like(currency: str, address: str) -> None:
    i = len(address) // 2
    typo = address[:i] + ("2" if address[i] != "2" else "3") + address[i + 1:]
    with pytest.raises(InvalidSignal) as e:
        wallets.normalise(typo)
    assert f"({currency}: " in e.value.detail and "checksum" in e.value.detail
    assert "XBT" not in e.value.detail


def test_a_hexadecimal_value_kept_unverified_has_one_form_in_any_case() -> None:
    xmr = "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"  # OFAC profile 29585
    assert wallets.loose(xmr.upper()) == wallets.loose(f" {xmr}\u200b") == xmr
    assert wallets.loose("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9i") == "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9i"


def test_cashaddr_with_and_without_prefix_have_one_canonical_form() -> None:
    a = wallets.normalise("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a")
    b = wallets.normalise("QPM2QSZNHKS23Z7629MMS6S4CWEF74VCWVY22GDX6A", "BCH")
    assert a.address == b.address == "qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"


@pytest.mark.parametrize("value", ["", "   ", "not an address", "\u202e1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
                                   "x" * 5000, "0x123"])
def test_garbage_is_refused_with_a_clear_reason(value: str) -> None:
    with pytest.raises(InvalidSignal):
        wallets.normalise(value)


def test_invisible_characters_around_an_address_are_removed() -> None:
    assert wallets.normalise("\u200b 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h \u202c").address == \
        "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"


def test_unknown_currency_is_named_in_the_error() -> None:
    with pytest.raises(InvalidSignal, match="not supported"):
        wallets.normalise("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", "FOO")


@settings(max_examples=150, deadline=None)
@given(payload=st.binary(min_size=20, max_size=20), version=st.sampled_from([0x00, 0x05]))
def test_base58check_round_trip_and_single_character_changes_are_caught(payload: bytes, version: int) -> None:
    address = wallets.b58check_encode(bytes([version]) + payload)
    assert wallets.normalise(address, "XBT").address == address
    i = len(address) // 2
    other = "2" if address[i] != "2" else "3"
    with pytest.raises(InvalidSignal):
        wallets.normalise(address[:i] + other + address[i + 1:], "XBT")


@settings(max_examples=150, deadline=None)
@given(program=st.binary(min_size=32, max_size=32), pos=st.integers(min_value=4, max_value=60),
       version=st.sampled_from([0, 1]))
def test_segwit_round_trip_and_any_substitution_is_caught(program: bytes, pos: int, version: int) -> None:
    spec = "bech32" if version == 0 else "bech32m"
    address = wallets.bech32_encode("bc", [version, *wallets.convertbits(program, 8, 5, True)], spec)
    assert wallets.normalise(address).address == address
    chars = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    swapped = chars[(chars.index(address[pos]) + 1) % 32]
    # BCH codes detect every single substitution.
    with pytest.raises(InvalidSignal):
        wallets.normalise(address[:pos] + swapped + address[pos + 1:], "XBT")


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(min_size=20, max_size=20))
def test_evm_addresses_in_any_case_share_the_lower_case_form(raw: bytes) -> None:
    checksummed = wallets.eip55(raw.hex())
    assert wallets.normalise(checksummed).address == wallets.normalise("0x" + raw.hex().upper()).address \
        == "0x" + raw.hex()
