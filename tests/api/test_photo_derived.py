"""End to end through the HTTP API: bank a real photo, find cropped, turned and pasted copies of it with the hit
explained, and keep its derived hashes out of what is shared unless the bank allows them.

The photo is ThreatExchange's test photo ``tests/data/pdq/q0122.jpg``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from tests.factories import Api, problem

from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.sharing import export, stix

REAL = Path(__file__).resolve().parents[1] / "data" / "pdq" / "q0122.jpg"


def _jpeg(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _pasted(im: Image.Image) -> Image.Image:
    w, h = im.size
    page = Image.new("RGB", (w * 2, h * 2), (245, 246, 248))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, w * 2, h // 3), fill=(59, 89, 152))
    draw.text((w // 2, h * 2 - h // 3), "12 likes  3 comments", fill=(90, 90, 90), font_size=14)
    page.paste(im, (w // 2, h // 2))
    return page


COPIES: dict[str, Callable[[Image.Image], Image.Image]] = {
    "cropped": lambda im: im.crop((25, 25, 231, 231)),
    "turned": lambda im: im.rotate(-5, resample=Image.Resampling.BILINEAR),
    "pasted": _pasted,
}


def _stix_pdq(instance: Instance, admin: Principal, bank_id: int) -> list[str]:
    with instance.db.session() as s:
        bundle = json.loads("".join(export.bank_bundle(s, admin, "test-secret", bank_id)))
    return [r.value for o in bundle["objects"] if o["type"] == "indicator"
            for r in stix.records_of(o) if r.signal_type == "pdq"]


def test_a_banked_photo_finds_edited_copies_and_shares_derived_hashes_only_when_allowed(
        api: Api, instance: Instance, admin: Principal, org_key: Callable[..., str]) -> None:
    with Image.open(REAL) as im:
        original = im.convert("RGB")
    bank = api.bank("photos", tlp="GREEN")
    r = api.post(f"/v1/banks/{bank['id']}/content", files={"file": ("orig.jpg", REAL.read_bytes(), "image/jpeg")},
                 data={"entry_ref": "case-42", "labels": "propaganda"})
    assert r.status_code == 201, r.text
    stored = r.json()["signals"]
    pdq = [s for s in stored if s["signal_type"] == "pdq"]
    plain = [s["value"] for s in pdq if not s["derived"]]
    derived = {s["details"]["derived"]: s["value"] for s in pdq if s["derived"]}
    assert len(plain) == 1 and {"crop_10pct", "rotate_minus5", "mirror"} <= set(derived)
    assert {s["entry"]["ref"] for s in stored} == {"case-42"}
    assert all(s["labels"] == ["propaganda"] for s in stored)

    found: dict[str, dict[str, Any]] = {}
    for name, edit in COPIES.items():
        r = api.post("/v1/match", files={"file": (f"{name}.jpg", _jpeg(edit(original)), "image/jpeg")})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["matched"] is True, name
        found[name] = body["matches"][0]["explanation"]
    assert found["cropped"]["bank_derived"] == "crop_10pct"
    assert found["turned"]["bank_derived"] == "rotate_minus5"
    assert found["pasted"]["query_variant"] == "region"
    # A partner that matches with plain PDQ still finds the plain hash: it is what is shared.
    partner = api.as_(org_key("partner", "analyst"))
    assert partner.match(("pdq", plain[0])).json()["matched"] is True

    assert _stix_pdq(instance, admin, bank["id"]) == plain
    hma = api.get(f"/c/bank/photos/content/{stored[0]['entry']['id']}?include_signals=true").json()
    assert hma["signals"]["pdq"] == plain[0]
    assert api.patch(f"/v1/banks/{bank['id']}", json={"share_derived": True}).json()["share_derived"] is True
    assert sorted(_stix_pdq(instance, admin, bank["id"])) == sorted(plain + list(derived.values()))

    # Hostile or wrong uploads: clear problems, nothing half-written.
    problem(api.post(f"/v1/banks/{bank['id']}/content", files={"file": ("f.bin", b"")}), 400)
    problem(partner.post(f"/v1/banks/{bank['id']}/content", files={"file": ("f.jpg", REAL.read_bytes())}), 404)
    problem(api.post(f"/v1/banks/{bank['id']}/content", files={"file": ("f.jpg", REAL.read_bytes())},
                     data={"entry_ref": "x" * 301}), 422)
    flat = io.BytesIO()
    Image.new("RGB", (64, 64), (128, 128, 128)).save(flat, "PNG")
    problem(api.post(f"/v1/banks/{bank['id']}/content", files={"file": ("flat.png", flat.getvalue())}), 422)
    r = api.post(f"/v1/banks/{bank['id']}/content", files={"file": ("notes.bin", b"not a photo at all")})
    assert r.status_code == 201 and {s["signal_type"] for s in r.json()["signals"]} == {"md5", "sha256"}


def test_a_misp_feed_leaves_derived_hashes_out_unless_the_bank_shares_them(instance: Instance, admin: Principal,
                                                                          tmp_path: Path) -> None:
    from basira.core import banks
    from basira.sharing.misp import export_feed

    plain, derived = "0123456789abcdef" * 4, "fedcba9876543210" * 4
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="feed", tlp="GREEN"))
        banks.add_signals(s, admin, instance.registry, instance.settings, bank.id, [
            banks.SignalSpec("pdq", plain, entry_ref="e"),
            banks.SignalSpec("pdq", derived, entry_ref="e", details={"derived": "crop_10pct"})])
        bank_id = bank.id

    def written(folder: Path) -> str:
        with instance.db.session() as s:
            export_feed(s, admin, bank_id, folder)
        return "".join(p.read_text() for p in folder.glob("*.json"))

    first = written(tmp_path / "a")
    assert plain in first and derived not in first
    with instance.db.session() as s:
        banks.update_bank(s, admin, instance.registry, bank_id, banks.BankSpec(share_derived=True))
    assert derived in written(tmp_path / "b")
