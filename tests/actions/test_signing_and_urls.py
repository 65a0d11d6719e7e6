"""Pure functions: signatures, URL safety and the back-off schedule (no database, so they run once)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import random

import pytest

from basira.actions.config import RetryPolicy, parse_allowlist
from basira.actions.signing import new_secret, sign, verify_signature
from basira.actions.urls import UnsafeTarget, check_target, validate_url
from basira.core.errors import ConfigurationError, InvalidInput

BODY = b'{"type":"case.decided"}'


def test_a_signature_verifies_and_any_change_breaks_it() -> None:
    secret = new_secret()
    header = sign(secret, BODY, 1_700_000_000)
    assert verify_signature(secret, BODY, header, now=1_700_000_010)
    assert not verify_signature(secret, BODY + b" ", header, now=1_700_000_010)  # body changed
    assert not verify_signature(new_secret(), BODY, header, now=1_700_000_010)  # other secret
    assert not verify_signature(secret, BODY, header, now=1_700_000_000 + 301)  # too old: a replay
    assert verify_signature(secret, BODY, header, now=1_700_009_000, tolerance_s=0)  # check turned off
    moved = header.replace("t=1700000000", "t=1700000005")  # the time is signed too
    assert not verify_signature(secret, BODY, moved, now=1_700_000_005)


@pytest.mark.parametrize("header", ["", "t=,v1=", "v1=abc", "t=1700000000", "t=x,v1=00", "t=1700000000,v1=\u00e9",
                                    "garbage", "t=99999999999999999999,v1=00"])
def test_a_malformed_signature_header_is_refused_not_raised(header: str) -> None:
    assert verify_signature("s", BODY, header, now=1_700_000_000) is False


def test_a_rotated_secret_can_send_two_signatures() -> None:
    old, new = new_secret(), new_secret()
    both = sign(old, BODY, 100) + "," + sign(new, BODY, 100).split(",")[1]
    assert verify_signature(old, BODY, both, now=100) and verify_signature(new, BODY, both, now=100)


@pytest.mark.parametrize("url,why", [
    ("ftp://hooks.example.org/x", "https://"),
    ("file:///etc/passwd", "https://"),
    ("https://user:pw@hooks.example.org/x", "user name"),
    ("https://hooks.example.org@10.0.0.1/x", "user name"),
    ("https:///x", "names a host"),
    ("https://hooks.example.org/a b", "spaces"),
    ("https://hooks.example.org/\u0000", "control"),
    ("https://h\u00f6oks.example.org/", "ASCII"),
    ("https://hooks.example.org:99999/", "malformed"),
    ("https://hooks.example.org/x#frag", "fragment"),
    ("http://127.0.0.1:8080/hook", "127.0.0.1"),
    ("http://localhost/hook", "127.0.0.1"),
    ("http://[::1]/hook", "::1"),
    ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),  # cloud metadata
    ("http://10.1.2.3/", "10.1.2.3"),
    ("http://[::ffff:192.168.0.1]/", "c0a8"),  # an IPv4-mapped private address
    ("http://0.0.0.0/", "0.0.0.0"),
    ("", "1-2000"),
    ("https://hooks.example.org/" + "a" * 2000, "1-2000"),
])
def test_unsafe_webhook_urls_are_refused(url: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        validate_url(url)


def test_safe_urls_pass_and_the_allowlist_opens_a_private_network() -> None:
    assert validate_url(" https://hooks.example.org/basira?x=1 ") == "https://hooks.example.org/basira?x=1"
    assert validate_url("http://8.8.8.8:8443/h") == "http://8.8.8.8:8443/h"
    allow = parse_allowlist("127.0.0.1/32, 10.0.0.0/8")
    assert validate_url("http://127.0.0.1:9/h", allow) and validate_url("http://10.9.9.9/h", allow)
    with pytest.raises(InvalidInput):
        validate_url("http://192.168.1.1/h", allow)
    with pytest.raises(ConfigurationError):
        parse_allowlist("10.0.0.0/8, not-a-network")


def test_check_target_refuses_private_addresses_when_sending() -> None:
    with pytest.raises(UnsafeTarget):
        check_target("http://10.0.0.1/h")
    with pytest.raises(UnsafeTarget):
        check_target("http://localhost:1/h")  # resolved: loopback
    check_target("http://127.0.0.1:1/h", (ipaddress.ip_network("127.0.0.0/8"),))
    check_target("http://8.8.8.8/h")


def test_back_off_doubles_with_jitter_is_capped_and_ends_at_the_horizon() -> None:
    policy = RetryPolicy(base=10, cap=600, horizon=3600, jitter=0.2)
    rng = random.Random(1)
    delays = [policy.delay(n, rng).total_seconds() for n in range(1, 12)]
    assert all(10 * 2 ** i * 0.8 <= d <= 10 * 2 ** i * 1.2 for i, d in enumerate(delays[:6]))
    assert all(480 <= d <= 720 for d in delays[6:])
    start = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    near_end = start + dt.timedelta(seconds=3590)
    assert policy.next_attempt(start, near_end, 9, rng) == start + dt.timedelta(seconds=3600)  # a last chance
    assert policy.next_attempt(start, start + dt.timedelta(seconds=3600), 10, rng) is None  # then dead
    assert RetryPolicy(jitter=0).delay(2, rng) == dt.timedelta(seconds=20)
