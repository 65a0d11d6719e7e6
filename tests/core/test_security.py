"""Passwords are stored as argon2id at RFC 9106's recommended cost (the suite itself hashes with the cheapest
parameters, tests/conftest.py: this checks what the product uses)."""

from __future__ import annotations

from argon2 import PasswordHasher

from basira.core import security


def test_passwords_are_hashed_with_argon2id_at_the_rfc_9106_cost() -> None:
    params = security.PASSWORD_PARAMETERS
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)
    stored = PasswordHasher.from_parameters(params).hash("correct horse")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    # A hash made at another cost still verifies: the stored hash carries its parameters.
    saved, security._hasher = security._hasher, PasswordHasher.from_parameters(params)
    try:
        assert security.verify_password("correct horse", stored)
        assert not security.verify_password("wrong horse", stored)
    finally:
        security._hasher = saved


def test_api_keys_are_stored_as_sha256_and_checked_in_constant_time() -> None:
    key_id, full, stored = security.new_api_key()
    assert security.split_api_key(full) == key_id
    assert security.key_matches(f" {full} ", stored)
    assert not security.key_matches(full + "x", stored)
    assert security.split_api_key("bsk_short_x") is None
