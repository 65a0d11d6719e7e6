"""Hashing and matching through the API: by upload (streamed, size-limited, never kept) and by signal values."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.api.helpers import encode, noise_image
from tests.factories import Api, auth, problem

from basira.api.app import create_app
from basira.api.uploads import upload_dir
from basira.core import orgs
from basira.core.instance import Instance
from basira.core.principal import Principal, system_principal
from basira.core.settings import load_settings

TEXT = b"plain neutral bytes for hashing\n"


def _signals(body: dict[str, object]) -> dict[str, dict[str, object]]:
    return {s["signal_type"]: s for s in body["signals"]}  # type: ignore[attr-defined, index]


def test_hash_of_plain_bytes_is_md5_and_sha256(api: Api, instance: Instance) -> None:
    r = api.post("/v1/hash", files={"file": ("note.txt", TEXT, "text/plain")})
    assert r.status_code == 200, r.text
    assert r.json()["content_type"] == "file" and r.json()["size"] == len(TEXT)
    sigs = _signals(r.json())
    assert set(sigs) == {"md5", "sha256"}
    assert sigs["md5"]["value"] == hashlib.md5(TEXT).hexdigest()
    assert sigs["sha256"]["value"] == hashlib.sha256(TEXT).hexdigest()
    # Nothing stored, nothing left on disk.
    assert list(upload_dir(instance.settings).iterdir()) == []


def test_hash_of_a_photo_adds_pdq_with_quality(api: Api, png: bytes) -> None:
    r = api.post("/v1/hash", files={"file": ("a.bin", png, "application/octet-stream")})
    assert r.json()["content_type"] == "photo"  # sniffed from the bytes, not the name or declared type
    pdq = _signals(r.json())["pdq"]
    assert len(str(pdq["value"])) == 64 and pdq["quality"] == 100 and pdq["low_quality"] is False


def test_match_by_upload_finds_the_same_photo_in_another_encoding(api: Api, png: bytes, jpeg: bytes) -> None:
    bank = api.bank("photos")
    pdq = _signals(api.post("/v1/hash", files={"file": ("a.png", png)}).json())["pdq"]["value"]
    sig = api.add(bank["id"], "pdq", str(pdq))
    r = api.post("/v1/match", files={"file": ("b.jpg", jpeg, "image/jpeg")},
                 data={"ref": "post-1", "banks": str(bank["id"])})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["matched"] is True and body["item"]["ref"] == "post-1" and body["item"]["id"]
    hit = body["matches"][0]
    assert hit["signal"]["id"] == sig["id"] and 0 < hit["distance"] <= 31
    other = encode(noise_image(seed=99), "PNG")
    assert api.post("/v1/match", files={"file": ("c.png", other)}).json()["matched"] is False


def test_match_by_upload_of_plain_bytes_uses_md5(api: Api) -> None:
    bank = api.bank("files")
    api.add(bank["id"], "md5", hashlib.md5(TEXT).hexdigest())
    r = api.post("/v1/match", files={"file": ("x", TEXT)})
    assert r.json()["matched"] is True and r.json()["matches"][0]["signal_type"] == "md5"


def test_match_by_signal_values(api: Api) -> None:
    bank = api.bank("values")
    api.add(bank["id"], "sha256", "a" * 64, entry_ref="known")
    r = api.match(("sha256", "A" * 64), ("md5", "b" * 32), ref="item-9")
    assert r.status_code == 200
    assert r.json()["matched"] is True and r.json()["matches"][0]["entry"]["ref"] == "known"
    assert api.match(("sha256", "a" * 64), banks=[bank["id"] + 1000]).json()["matches"] == []


def test_negative_bank_suppresses_other_hits(api: Api) -> None:
    known = api.bank("known")
    benign = api.bank("benign", negative=True)
    api.add(known["id"], "md5", "c" * 32)
    api.add(benign["id"], "md5", "c" * 32)
    body = api.match(("md5", "c" * 32)).json()
    assert body["suppressed"] is True and body["matched"] is False
    by_bank = {m["bank"]["name"]: m for m in body["matches"]}
    assert by_bank["known"]["suppressed"] is True
    assert api.match(("md5", "d" * 32)).json()["suppressed"] is False


def test_bad_match_requests(api: Api) -> None:
    problem(api.match(("md5", "zz")), 422)  # invalid hash string
    problem(api.match(("nope", "1")), 422)  # unknown signal type
    problem(api.post("/v1/match", json={"signals": []}), 422)
    problem(api.post("/v1/match", json={"signals": [{"signal_type": "md5"}]}), 422)
    body = problem(api.post("/v1/match", content=b'{"signals": [', headers={"Content-Type": "application/json"}),
                   422)
    assert body["errors"][0]["loc"][0] == "body"
    problem(api.post("/v1/match", content=b"hello", headers={"Content-Type": "text/plain"}), 415)
    problem(api.post("/v1/match", files={"file": ("x", TEXT)}, data={"banks": "1,two"}), 422)
    problem(api.post("/v1/match", files={"other": ("x", TEXT)}), 422)  # no `file` field


def test_empty_upload_is_400(api: Api, instance: Instance) -> None:
    problem(api.post("/v1/hash", files={"file": ("empty", b"")}), 400)
    problem(api.post("/v1/match", files={"file": ("empty", b"")}), 400)
    problem(api.post("/v1/hash", content=b"", headers={"Content-Type": "application/octet-stream"}), 400)
    assert list(upload_dir(instance.settings).iterdir()) == []


def test_unreadable_photo_is_415_and_leaves_nothing(api: Api, png: bytes, instance: Instance) -> None:
    problem(api.post("/v1/hash", files={"file": ("broken.png", png[:40])}), 415)
    assert list(upload_dir(instance.settings).iterdir()) == []


def test_malformed_multipart_is_422(api: Api) -> None:
    problem(api.post("/v1/hash", content=b"--x\r\nnonsense",
                     headers={"Content-Type": "multipart/form-data; boundary=x"}), 422)
    problem(api.post("/v1/hash", content=b"abc", headers={"Content-Type": "multipart/form-data"}), 422)


@pytest.fixture
def small(database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, str, Instance]]:
    """An instance that accepts uploads of at most 1000 bytes, with an admin key."""
    settings = load_settings(environ={}, data_dir=tmp_path / "data", database_url=database_url,
                             max_upload_bytes=1000, secret_key="test-secret")
    inst = Instance(settings)
    with inst.db.session() as s:
        org = orgs.create_org(s, "test", "small", operator=True)
        key = orgs.create_key(s, system_principal(org.id), org.id, "admin").secret
    with TestClient(create_app(inst)) as c:
        yield c, key, inst
    inst.close()


def test_upload_over_the_limit_is_413(small: tuple[TestClient, str, Instance]) -> None:
    client, key, inst = small
    problem(client.post("/v1/hash", headers=auth(key), files={"file": ("big", b"x" * 1001)}), 413)
    problem(client.post("/v1/match", headers=auth(key), files={"file": ("big", b"x" * 5000)}), 413)
    # Exactly at the limit is fine.
    assert client.post("/v1/hash", headers=auth(key), files={"file": ("ok", b"x" * 1000)}).status_code == 200
    # A raw body that declares its length is refused before it is read.
    problem(client.post("/v1/hash", headers={**auth(key), "Content-Type": "application/octet-stream"},
                        content=b"y" * 1001), 413)
    assert list(upload_dir(inst.settings).iterdir()) == []


def test_streamed_upload_without_length_is_cut_off_at_the_limit(small: tuple[TestClient, str, Instance]) -> None:
    client, key, inst = small
    # Sent chunked, so without Content-Length: only the running count can refuse it.

    def body() -> Iterator[bytes]:
        for _ in range(1000):
            yield b"z" * 100

    r = client.post("/v1/hash", headers={**auth(key), "Content-Type": "application/octet-stream"},
                    content=body())
    problem(r, 413)
    assert list(upload_dir(inst.settings).iterdir()) == []

    def parts() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n'
        for _ in range(100):
            yield b"q" * 100
        yield b"\r\n--b--\r\n"

    problem(client.post("/v1/hash", headers={**auth(key), "Content-Type": "multipart/form-data; boundary=b"},
                        content=parts()), 413)
    assert list(upload_dir(inst.settings).iterdir()) == []


def test_a_lookup_with_store_false_answers_the_same_and_writes_nothing(
        client: TestClient, instance: Instance, admin: Principal, admin_key: str) -> None:
    from tests.factories import A, count, make_bank

    from basira.core.models import Event, Item, Match

    make_bank(instance, admin, "known", [A])
    body = {"signals": [{"signal_type": "md5", "value": A}], "ref": "lookup-1"}
    before = {m: count(instance, m) for m in (Item, Match, Event)}
    looked = client.post("/v1/match", headers={"Authorization": f"Bearer {admin_key}"}, json={**body, "store": False})
    assert looked.status_code == 200, looked.text
    assert {m: count(instance, m) for m in (Item, Match, Event)} == before
    assert looked.json()["item"]["id"] is None and looked.json()["matched"]
    stored = client.post("/v1/match", headers={"Authorization": f"Bearer {admin_key}"}, json=body).json()
    assert stored["item"]["id"] is not None
    assert [m["signal"] for m in stored["matches"]] == [m["signal"] for m in looked.json()["matches"]]
    assert count(instance, Item) == before[Item] + 1
    form = client.post("/v1/match", headers={"Authorization": f"Bearer {admin_key}"},
                       files={"file": ("a.bin", b"abc")}, data={"store": "maybe"})
    assert form.status_code == 422 and "store is true or false" in form.text


def test_concurrent_storing_matches_share_a_transaction_and_answer_after_it(database_url: str,
                                                                            tmp_path: Path) -> None:
    """JSON storing matches sent at once are grouped by the process's MatchWriter; each answer names a committed
    item; a bad value is still a 422 of its own."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import select

    from basira.core.models import Item

    settings = load_settings(environ={}, data_dir=tmp_path / "data", database_url=database_url,
                             secret_key="test", worker_interval_s=0, match_batch_wait_ms=300.0)
    inst = Instance(settings)
    try:
        with inst.db.session() as s:
            org = orgs.create_org(s, "test", "acme", "Acme", operator=True)
            key = orgs.create_key(s, system_principal(org.id, actor="t"), org.id, "admin", "k").secret
        with TestClient(create_app(inst)) as client:
            api = Api(client, key)
            bank = api.bank("known")
            api.add(bank["id"], "md5", "a" * 32)
            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda n: api.match(("md5", "a" * 32 if n % 2 else "b" * 32), ref=f"p{n}"),
                                        range(8)))
            assert [r.status_code for r in answers] == [200] * 8
            assert [r.json()["matched"] for r in answers] == [bool(n % 2) for n in range(8)]
            writer = inst.match_writer()
            assert writer is not None and writer.items == 8 and writer.groups < 8
            problem(api.match(("md5", "zz")), 422)
        with inst.db.session() as s:
            stored = dict(s.execute(select(Item.ref, Item.id)).all())
        assert stored == {f"p{n}": r.json()["item"]["id"] for n, r in enumerate(answers)}
    finally:
        inst.close()
