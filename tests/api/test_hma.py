"""HMA 2.0's hashing, matching and curation API through the real HTTP app: HMA's request and response shapes,
visibility (RED values never returned) and bad input with HMA's status codes and ``message``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.factories import Api, problem

PDQ = "f" * 16 + "0" * 16 + "a5" * 16
NEAR = "c" + PDQ[1:]  # two bits apart
FAR = "0" * 16 + "f" * 16 + "5a" * 16
MD5 = "9e107d9d372bb6826bd81d3542a419d6"


def hma_error(response: Any, status: int, says: str) -> dict[str, Any]:
    body = problem(response, status)
    assert says in body["message"], body
    return body


def put(api: Api, url: str, **kw: Any) -> Any:
    return api.request("PUT", url, **kw)


def _key(api: Api, role: str) -> str:
    r = api.post("/v1/orgs/acme/keys", json={"role": role})
    assert r.status_code == 201, r.text
    secret: str = r.json()["secret"]
    return secret


def _bank_with_pdq(api: Api, name: str = "SEED_BANK") -> int:
    assert api.post("/c/banks", json={"name": name}).status_code == 201
    r = api.post(f"/c/bank/{name}/signal", json={"pdq": PDQ.upper()})
    assert r.status_code == 200, r.text
    assert r.json()["signals"] == {"pdq": PDQ}
    content_id: int = r.json()["id"]
    return content_id


def test_hash_upload_maps_signal_types_to_values(api: Api, png: bytes) -> None:
    r = api.post("/h/hash", files={"photo": ("a.png", png, "image/png")})
    assert r.status_code == 200, r.text
    ours = api.post("/v1/hash", files={"file": ("a.png", png, "image/png")}).json()["signals"]
    assert r.json() == {s["signal_type"]: s["value"] for s in ours}
    assert set(r.json()) == {"pdq", "md5", "sha256"}
    only = api.post("/h/hash?types=pdq", files={"photo": ("a.png", png, "image/png")})
    assert list(only.json()) == ["pdq"]


@pytest.mark.parametrize(("files", "says"), [
    ({"image": ("a.txt", b"hello", "text/plain")}, "'photo' or 'video'"),  # the field names no content type
    ({"video": ("a.png", None, "image/png")}, "not a video"),  # replaced by the photo below
])
def test_hash_upload_refuses_a_field_that_is_not_the_contents_type(
        api: Api, png: bytes, files: dict[str, Any], says: str) -> None:
    files = {k: (n, png if body is None else body, t) for k, (n, body, t) in files.items()}
    hma_error(api.post("/h/hash", files=files), 400, says)


def test_hashing_by_url_is_turned_off(api: Api) -> None:
    hma_error(api.get("/h/hash", params={"url": "http://169.254.169.254/latest"}), 403, "turned off")
    hma_error(api.get("/m/lookup", params={"url": "http://127.0.0.1/x.jpg"}), 403, "turned off")


def test_bank_curation_in_hmas_shapes(api: Api) -> None:
    r = api.post("/c/banks", json={"name": "SEED_BANK", "enabled_ratio": 1.0})
    assert (r.status_code, r.json()) == (201, {"name": "SEED_BANK", "matching_enabled_ratio": 1.0})
    hma_error(api.post("/c/banks", json={"name": "SEED_BANK"}), 403, "exists")
    assert {"name": "SEED_BANK", "matching_enabled_ratio": 1.0} in api.get("/c/banks").json()
    r = put(api, "/c/bank/SEED_BANK", json={"name": "RENAMED", "enabled": False})
    assert r.json() == {"name": "RENAMED", "matching_enabled_ratio": 0.0}
    assert api.get("/c/bank/RENAMED").json() == {"name": "RENAMED", "matching_enabled_ratio": 0.0}
    hma_error(api.get("/c/bank/SEED_BANK"), 404, "not found")
    hma_error(put(api, "/c/bank/RENAMED", json={"enabled_ratio": 0.5}), 400, "fully or not at all")
    assert api.delete("/c/bank/RENAMED").json() == {"message": "Done"}
    assert api.delete("/c/bank/RENAMED").json() == {"message": "Done"}  # as HMA: no such bank is no error
    hma_error(api.get("/c/bank/RENAMED"), 404, "not found")


def test_content_is_an_entry_with_its_signals(api: Api) -> None:
    content_id = _bank_with_pdq(api)
    r = api.get(f"/c/bank/SEED_BANK/content/{content_id}")
    assert r.json() == {"id": content_id, "disable_until_ts": 1, "collab_metadata": {},
                        "original_media_uri": None, "bank": {"name": "SEED_BANK", "matching_enabled_ratio": 1.0}}
    with_signals = api.get(f"/c/bank/SEED_BANK/content/{content_id}", params={"include_signals": "true"})
    assert with_signals.json()["signals"] == {"pdq": PDQ}
    hma_error(api.get(f"/c/bank/SEED_BANK/content/{content_id + 99}"), 404, "not found")
    hma_error(api.get(f"/c/bank/SEED_BANK/content/{content_id}", params={"include_signals": "maybe"}), 400,
              "boolean")


def test_disabling_content_stops_its_matches_and_enabling_brings_them_back(api: Api) -> None:
    content_id = _bank_with_pdq(api)
    lookup = {"signal_type": "pdq", "signal": NEAR}
    assert api.get("/m/lookup", params=lookup).json() == {
        "SEED_BANK": [{"bank_content_id": content_id, "distance": "2"}]}
    r = put(api, f"/c/bank/SEED_BANK/content/{content_id}", json={"disable_until_ts": 0})
    assert r.json()["disable_until_ts"] == 0
    assert api.get("/m/lookup", params=lookup).json() == {}
    put(api, f"/c/bank/SEED_BANK/content/{content_id}", json={"disable_until_ts": 1})
    assert "SEED_BANK" in api.get("/m/lookup", params=lookup).json()
    hma_error(put(api, f"/c/bank/SEED_BANK/content/{content_id}", json={"disable_until_ts": 4_000_000_000}),
              400, "until a time")
    assert api.delete(f"/c/bank/SEED_BANK/content/{content_id}").json() == {"deleted": 1}
    assert api.delete(f"/c/bank/SEED_BANK/content/{content_id}").json() == {"deleted": 0}
    assert api.get("/m/lookup", params=lookup).json() == {}


def test_lookup_and_raw_lookup_answer_in_hmas_shapes(api: Api) -> None:
    content_id = _bank_with_pdq(api)
    _bank_with_pdq(api, "OTHER_BANK")
    hit = {"signal_type": "pdq", "signal": NEAR}
    both = api.get("/m/lookup", params=hit).json()
    assert set(both) == {"SEED_BANK", "OTHER_BANK"}
    assert api.get("/m/lookup", params={**hit, "banks": "SEED_BANK"}).json() == {
        "SEED_BANK": [{"bank_content_id": content_id, "distance": "2"}]}
    raw = api.get("/m/raw_lookup", params={**hit, "banks": "SEED_BANK"}).json()
    assert raw == {"matches": [content_id]}
    with_distance = api.get("/m/raw_lookup", params={**hit, "banks": "SEED_BANK", "include_distance": "true"})
    assert with_distance.json() == {"matches": [{"bank_content_id": content_id, "distance": "2"}]}
    assert api.get("/m/raw_lookup", params={"signal_type": "pdq", "signal": FAR}).json() == {"matches": []}


@pytest.mark.parametrize(("params", "says"), [
    ({"signal_type": "pdq"}, "signal is required"),
    ({"signal": PDQ}, "signal_type is required"),
    ({"signal_type": "tmk", "signal": PDQ}, "No such SignalType"),
    ({"signal_type": "pdq", "signal": "not-a-hash"}, "invalid signal"),
    ({"signal_type": "pdq", "signal": PDQ, "include_distance": "yes please"}, "boolean"),
])
def test_a_bad_lookup_is_a_400_with_a_message(api: Api, params: dict[str, str], says: str) -> None:
    hma_error(api.get("/m/raw_lookup", params=params), 400, says)


def test_an_uploaded_photo_is_looked_up_by_every_signal_it_gives(api: Api, png: bytes, jpeg: bytes) -> None:
    assert api.post("/c/banks", json={"name": "PHOTOS"}).status_code == 201
    added = api.post("/c/bank/PHOTOS/content", files={"photo": ("a.png", png, "image/png")})
    assert added.status_code == 200, added.text
    assert set(added.json()["signals"]) == {"pdq", "md5", "sha256"}
    content_id = added.json()["id"]
    same = api.post("/m/lookup", files={"photo": ("a.png", png, "image/png")}).json()
    assert {t: list(v) for t, v in same.items()} == {"pdq": ["PHOTOS"], "md5": ["PHOTOS"], "sha256": ["PHOTOS"]}
    reencoded = api.post("/m/lookup", files={"photo": ("a.jpg", jpeg, "image/jpeg")}).json()
    assert reencoded["pdq"]["PHOTOS"][0]["bank_content_id"] == content_id
    assert reencoded["md5"] == {}  # other bytes, same picture


def test_compare_gives_the_match_and_the_distance(api: Api) -> None:
    r = api.post("/m/compare", json={"pdq": [PDQ, NEAR], "md5": [MD5, MD5.upper()]})
    assert r.json() == {"pdq": [True, {"distance": 2}], "md5": [True, {"distance": 0}]}
    assert api.post("/m/compare", json={"pdq": [PDQ, FAR]}).json()["pdq"][0] is False


@pytest.mark.parametrize(("body", "says"), [
    ([1, 2], "not a dict"),
    ({"pdq": PDQ}, "was not a list"),
    ({"pdq": [PDQ, PDQ, PDQ]}, "exactly 2"),
    ({"pdq": [PDQ, "zz"]}, "Invalid pdq hash"),
    ({"no_such_type": [PDQ, PDQ]}, "No such SignalType"),
])
def test_a_bad_compare_is_a_400_with_a_message(api: Api, body: Any, says: str) -> None:
    hma_error(api.post("/m/compare", json=body), 400, says)


def test_index_status_counts_what_the_caller_may_match(api: Api) -> None:
    _bank_with_pdq(api)
    status = api.get("/m/index/status").json()
    assert status["pdq"]["present"] is True and status["pdq"]["size"] == 1 and status["pdq"]["built_to"] > 0
    assert status["md5"] == {"present": False, "built_to": -1, "size": 0}
    assert list(api.get("/m/index/status", params={"signal_type": "video_md5"}).json()) == ["video_md5"]
    hma_error(api.get("/m/index/status", params={"signal_type": "nope"}), 400, "No such SignalType")


def test_signal_and_content_type_lists(api: Api) -> None:
    assert {"name": "pdq", "enabled_ratio": 1.0} in api.get("/c/signal_type").json()
    assert api.get("/c/content_type").json() == [{"name": "photo", "enabled": True},
                                                 {"name": "video", "enabled": True}]


def _partner_bank(api: Api, partner: Api, name: str, tlp: str, share: bool) -> int:
    bank = partner.bank(name, tlp)
    partner.add(bank["id"], "pdq", PDQ)
    if share:
        assert partner.post(f"/v1/banks/{bank['id']}/share", json={"org": "acme"}).status_code == 200
    bank_id: int = bank["id"]
    return bank_id


def test_a_red_bank_shared_for_matching_shows_its_owner_never_its_values(
        api: Api, org_key: Callable[..., str]) -> None:
    partner = api.as_(org_key("partner"))
    _partner_bank(api, partner, "Secret", "RED", share=True)
    hit = {"signal_type": "pdq", "signal": NEAR}
    assert api.get("/m/lookup", params=hit).json() == {"partner:RED": []}
    assert api.get("/m/raw_lookup", params={**hit, "include_distance": "true"}).json() == {"matches": []}
    assert all(b["name"] != "partner:Secret" for b in api.get("/c/banks").json())
    hma_error(api.get("/c/bank/partner:Secret"), 404, "not found")
    content = partner.get("/c/bank/Secret/content/1", params={"include_signals": "true"}).json()
    assert content["signals"] == {"pdq": PDQ}  # the owner sees its own values
    hma_error(api.get(f"/c/bank/partner:Secret/content/{content['id']}"), 404, "not found")
    assert PDQ not in str(api.get("/m/index/status").json())


def test_banks_of_other_organizations_are_named_owner_colon_name_and_never_changed(
        api: Api, org_key: Callable[..., str]) -> None:
    partner = api.as_(org_key("partner"))
    _partner_bank(api, partner, "Public", "GREEN", share=False)
    _partner_bank(api, partner, "Private", "AMBER", share=False)
    names = {b["name"] for b in api.get("/c/banks").json()}
    assert "partner:Public" in names and "partner:Private" not in names
    assert "partner:Public" in api.get("/m/lookup", params={"signal_type": "pdq", "signal": PDQ}).json()
    assert api.get("/c/bank/partner:Public").json()["name"] == "partner:Public"
    hma_error(put(api, "/c/bank/partner:Public", json={"enabled": False}), 404, "not found")
    hma_error(api.post("/c/bank/partner:Public/signal", json={"md5": MD5}), 404, "not found")
    assert api.delete("/c/bank/partner:Public").json() == {"message": "Done"}
    assert api.get("/c/bank/partner:Public").status_code == 200  # still there


def test_roles_and_keys_are_checked_as_in_the_rest_of_the_api(api: Api) -> None:
    problem(api.client.get("/c/banks"), 401)
    reviewer = api.as_(_key(api, "reviewer"))
    hma_error(reviewer.post("/c/banks", json={"name": "X"}), 403, "may not")
    auditor = api.as_(_key(api, "auditor"))
    hma_error(auditor.get("/m/lookup", params={"signal_type": "pdq", "signal": PDQ}), 403, "may not")
    assert auditor.get("/c/banks").status_code == 200


def test_bad_bodies_are_refused(api: Api) -> None:
    problem(api.post("/c/banks", json={"enabled": True}), 422)  # no name: the schema says so
    api.post("/c/banks", json={"name": "B"})
    hma_error(api.post("/c/bank/B/signal", json={}), 400, "No signals")
    hma_error(api.post("/c/bank/B/signal", json=["pdq", PDQ]), 400, "JSON object")
    hma_error(api.post("/c/bank/B/signal", json={"pdq": 7}), 400, "string")
    hma_error(api.post("/c/bank/B/signal", content=b"{nope", headers={"content-type": "application/json"}),
              400, "not JSON")
    hma_error(api.post("/c/bank/B/signal", json={"pdq": "f" * 63}), 400, "Invalid signal")
