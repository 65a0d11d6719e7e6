"""A NUL character in a name, a reference, a path or a query (issue 21): PostgreSQL refuses it in text, and the
API answered 500. It now answers 4xx on every backend."""

from __future__ import annotations

from tests.factories import Api, problem

NUL = "\x00"


CASES = [
    ("POST", "/v1/banks", {"name": f"a{NUL}b"}),  # a name
    ("GET", "/v1/banks/a%00b", None),  # a path
    ("GET", "/v1/banks?after=%00", None),  # a query
    ("POST", "/v1/match", {"signals": [{"signal_type": "md5", "value": "a" * 32}], "ref": f"post{NUL}1"}),  # a ref
    ("POST", "/v1/banks/1/signals", {"signal_type": "md5", "value": "a" * 32, "entry_ref": f"e{NUL}"}),
    ("POST", "/v1/banks/1/signals", {"signal_type": "md5", "value": "a" * 32, "labels": [f"x{NUL}"]}),
    ("GET", "/m/lookup?signal_type=md5&signal=%00", None),
    ("POST", "/v1/orgs", {"slug": "nul", "name": f"N{NUL}"}),
]


def test_a_nul_character_is_a_client_error(api: Api) -> None:
    api.bank("first")
    for method, url, body in CASES:
        r = api.request(method, url, json=body) if body is not None else api.request(method, url)
        assert 400 <= r.status_code < 500, (method, url, r.status_code, r.text)
        assert "NUL" in problem(r, r.status_code)["detail"]
    # Nothing was stored on the way.
    assert [b["name"] for b in api.get("/v1/banks").json()] == ["first"]


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(api: Api) -> None:
    r = api.post("/v1/banks", content=b'{"name": "a\\\\u0000b"}', headers={"content-type": "application/json"})
    assert r.status_code == 201 and r.json()["name"] == "a\\u0000b"


def test_the_nul_scan_sees_an_escape_cut_between_chunks() -> None:
    from basira.api.limits import NulScan

    scan = NulScan()
    assert not scan.holds_nul(b'{"name": "a\\u00')
    assert scan.holds_nul(b'00"}')
    scan = NulScan()
    assert not scan.holds_nul(b'{"name": "a\\\\')
    assert not scan.holds_nul(b'u0000"}')
