"""PDQ photo signals: the SignalType contract, strict hex values, dihedral variants, and a bank match end to end."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageOps
from tests.factories import with_content

from basira.content.photo import DIHEDRAL_VARIANTS, PDQSignal
from basira.content.settings import ContentSettings
from basira.core import banks
from basira.core.errors import InvalidSignal, LowQuality
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, match_item
from basira.core.principal import Principal
from basira.core.settings import Settings, load_settings
from basira.core.signals import Content, SignalIndex, SignalType, content_types, default_registry
from basira.core.sniff import sniff_file

from .conftest import PhotoFactory, Writer

CANONICAL = re.compile(r"[0-9a-f]{64}")


def DihedralSettings(**kw: object) -> Settings:
    """Settings with the query-side dihedral option on."""
    return load_settings(environ={}, pdq_dihedral=True, **kw)


def _content(path: Path) -> Content:
    return Content(path=path, content_type=sniff_file(path), size=path.stat().st_size)


def _extract(path: Path, settings: Settings) -> list[str]:
    return [s.value for s in PDQSignal.extract(_content(path), settings)]


# -- the SignalType contract ---------------------------------------------------------------------------------

def test_pdq_is_registered_through_the_entry_point() -> None:
    assert default_registry().get("pdq") is PDQSignal
    assert issubclass(PDQSignal, SignalType)


def test_pdq_declares_a_coherent_contract(settings: Settings) -> None:
    assert PDQSignal.name == "pdq"
    assert PDQSignal.content_types <= content_types() and "photo" in PDQSignal.content_types
    assert PDQSignal.default_content_type in content_types()
    assert 0 <= PDQSignal.default_threshold <= PDQSignal.max_threshold <= 256
    assert PDQSignal.check_threshold(PDQSignal.default_threshold) == 31
    with pytest.raises(InvalidSignal):
        PDQSignal.check_threshold(PDQSignal.max_threshold + 1)
    assert PDQSignal.quality_floor(settings) == settings.of(ContentSettings).pdq_quality_floor == 50
    assert PDQSignal.description
    assert isinstance(PDQSignal.new_index(), SignalIndex)


hashes = st.text(alphabet="0123456789abcdefABCDEF", min_size=64, max_size=64)


@given(a=hashes, b=hashes, c=hashes)
def test_distance_is_a_metric_on_canonical_values(a: str, b: str, c: str) -> None:
    ab, bc, ac = PDQSignal.distance(a, b), PDQSignal.distance(b, c), PDQSignal.distance(a, c)
    assert PDQSignal.distance(a, a) == 0
    assert ab == PDQSignal.distance(b, a)
    assert 0 <= ab <= 256
    assert ac <= ab + bc


@given(value=hashes, pad=st.sampled_from(["", " ", "\n", "\t "]))
def test_validate_canonicalises_and_is_idempotent(value: str, pad: str) -> None:
    canonical = PDQSignal.validate(pad + value + pad)
    assert CANONICAL.fullmatch(canonical)
    assert canonical == value.lower()
    assert PDQSignal.validate(canonical) == canonical


@given(value=st.text(max_size=80))
def test_validate_accepts_exactly_64_hex_digits_and_refuses_the_rest_cleanly(value: str) -> None:
    stripped = value.strip()
    if len(stripped) == 64 and set(stripped) <= set(string.hexdigits):
        assert PDQSignal.validate(value) == stripped.lower()
    else:
        with pytest.raises(InvalidSignal):
            PDQSignal.validate(value)


@pytest.mark.parametrize("value", [
    "0" * 62 + " 0",      # bytes.fromhex would skip the space
    "0" * 63,
    "0x" + "0" * 62,
    "０" * 64,             # full-width digits
    "0" * 63 + "g",
])
def test_near_miss_values_are_refused(value: str) -> None:
    with pytest.raises(InvalidSignal):
        PDQSignal.validate(value)


def test_extract_gives_canonical_values_that_the_index_finds(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    [sig] = PDQSignal.extract(_content(write(photo(20), "p.jpg")), settings)
    assert sig.signal_type == "pdq" and CANONICAL.fullmatch(sig.value)
    assert sig.quality is not None and sig.quality >= 50
    index = PDQSignal.new_index()
    index.build([(5, sig.value)])
    assert index.query([sig.value], PDQSignal.default_threshold) == [[(5, 0.0)]]


def test_flat_image_has_quality_below_the_floor(settings: Settings, write: Writer) -> None:
    [sig] = PDQSignal.extract(_content(write(Image.new("RGB", (300, 200), (90, 120, 40)), "flat.png")), settings)
    floor = PDQSignal.quality_floor(settings)
    assert sig.quality is not None and floor is not None and sig.quality < floor


# -- dihedral variants ---------------------------------------------------------------------------------------

def test_mirrored_copy_matches_only_with_dihedral_variants(
        tmp_path: Path, photo: PhotoFactory, write: Writer, settings: Settings) -> None:
    img = photo(21)
    original = _extract(write(img, "o.png"), settings)[0]
    mirrored = write(ImageOps.mirror(img), "m.jpg", quality=80)
    plain = _extract(mirrored, settings)
    assert len(plain) == 1 and PDQSignal.distance(plain[0], original) > 31
    with_variants = PDQSignal.extract(_content(mirrored), DihedralSettings(data_dir=tmp_path))
    assert with_variants[0].value == plain[0] and not with_variants[0].details
    assert {s.details["variant"] for s in with_variants[1:]} <= set(DIHEDRAL_VARIANTS[1:])
    best = min(with_variants, key=lambda s: PDQSignal.distance(s.value, original))
    assert PDQSignal.distance(best.value, original) <= 31
    assert best.details == {"variant": "mirror"}


@pytest.mark.parametrize(("transpose", "variant"), [
    (Image.Transpose.ROTATE_90, "rotate270"),   # the photo turned a quarter left is undone by a quarter right
    (Image.Transpose.ROTATE_180, "rotate180"),
    (Image.Transpose.FLIP_TOP_BOTTOM, "flip"),
])
def test_rotated_copies_match_through_the_named_variant(
        tmp_path: Path, photo: PhotoFactory, write: Writer, settings: Settings,
        transpose: Image.Transpose, variant: str) -> None:
    img = photo(22)
    original = _extract(write(img, "o.png"), settings)[0]
    turned = PDQSignal.extract(_content(write(img.transpose(transpose), "t.png")),
                               DihedralSettings(data_dir=tmp_path))
    best = min(turned, key=lambda s: PDQSignal.distance(s.value, original))
    assert PDQSignal.distance(best.value, original) <= 31
    assert best.details == {"variant": variant}


# -- through the core: bank, index manager, matching ---------------------------------------------------------

def test_photo_added_to_a_bank_is_found_after_a_jpeg_reencode(
        instance: Instance, admin: Principal, photo: PhotoFactory, write: Writer) -> None:
    img = photo(23, (640, 480))
    sig = PDQSignal.extract(_content(write(img, "known.png")), instance.settings)[0]
    reencoded = write(img.resize((480, 360)), "copy.jpg", quality=40)
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="photos", tlp="GREEN"))
        [stored] = banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                                     [banks.SignalSpec("pdq", sig.value, quality=sig.quality)])
        stored_id = stored.id
    with instance.db.session() as s:
        result = match_item(s, admin, instance.registry, instance.indexes, instance.settings,
                            MatchRequest(content=_content(reencoded), ref="upload-1"))
    assert result["matched"]
    [hit] = [m for m in result["matches"] if m["signal_type"] == "pdq"]
    assert hit["signal"]["id"] == stored_id
    assert 0 < hit["distance"] <= 31


def test_low_quality_hash_is_kept_out_of_banks_and_flagged_on_queries(
        instance: Instance, admin: Principal, write: Writer) -> None:
    flat = write(Image.new("RGB", (200, 200), (30, 60, 90)), "flat.png")
    [sig] = PDQSignal.extract(_content(flat), instance.settings)
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="b"))
        with pytest.raises(LowQuality):
            banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                              [banks.SignalSpec("pdq", sig.value, quality=sig.quality)])
    with instance.db.session() as s:
        result = match_item(s, admin, instance.registry, instance.indexes, instance.settings,
                            MatchRequest(content=_content(flat)))
    [flags] = [f for f in result["item"]["signals"] if f["signal_type"] == "pdq"]
    assert flags["low_quality"] is True


def test_dihedral_variants_are_query_only_and_never_banked(tmp_path: Path, photo: PhotoFactory) -> None:
    from basira.core.matching import extract
    from basira.core.signals import default_registry

    path = tmp_path / "p.png"
    photo(7).save(path)
    settings = DihedralSettings(data_dir=tmp_path)
    content = Content(path=path, content_type="photo", size=path.stat().st_size)
    query = [s for s in extract(default_registry(), settings, content) if s.signal_type == "pdq"]
    bank = [s for s in extract(default_registry(), settings, content, for_bank=True) if s.signal_type == "pdq"]
    assert len(query) > 1 and all(s.query_only for s in query[1:])
    assert [s.value for s in bank] == [query[0].value]


# -- interoperability: stored pixels, EXIF, the reduced query path ---------------------------------------------

def test_exif_rotated_photo_is_shared_as_its_stored_pixels_and_queried_upright_too(
        settings: Settings, photo: PhotoFactory, write: Writer) -> None:
    upright_photo = photo(27, (400, 300))
    stored = upright_photo.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated = write(stored, "rotated.png", exif=exif.tobytes())
    sigs = PDQSignal.extract(_content(rotated), with_content(settings, pdq_trim_borders=False))
    assert [s.details.get("variant") for s in sigs] == [None, "upright"]
    assert sigs[0].value == _extract(write(stored, "stored.png"), settings)[0]
    assert not sigs[0].query_only and sigs[1].query_only
    assert sigs[1].value == _extract(write(upright_photo, "upright.png"), settings)[0]


def _bank_with(instance: Instance, admin: Principal, value: str, quality: int | None) -> int:
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="big photos", tlp="GREEN"))
        [stored] = banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                                     [banks.SignalSpec("pdq", value, quality=quality)])
        return stored.id


def test_reduced_query_near_a_bank_hash_is_rehashed_at_full_size(
        instance: Instance, admin: Principal, photo: PhotoFactory, write: Writer) -> None:
    path = write(photo(28, (2400, 1600)), "big.jpg", quality=90)
    fast = with_content(instance.settings, pdq_reduced_decode=True)
    [provisional] = PDQSignal.extract(_content(path), fast)
    [exact] = PDQSignal.extract_exact(_content(path), fast)
    assert provisional.details["decode"] == "reduced" and provisional.query_only
    assert provisional.value != exact.value
    stored_id = _bank_with(instance, admin, exact.value, exact.quality)
    with instance.db.session() as s:
        result = match_item(s, admin, instance.registry, instance.indexes, fast,
                            MatchRequest(content=_content(path)))
    [hit] = [m for m in result["matches"] if m["signal_type"] == "pdq"]
    assert hit["signal"]["id"] == stored_id and hit["distance"] == 0
    [flags] = [f for f in result["item"]["signals"] if f["signal_type"] == "pdq"]
    assert flags["value"] == exact.value and "details" not in flags


def test_reduced_query_far_from_every_bank_hash_keeps_its_fast_hash(
        instance: Instance, admin: Principal, photo: PhotoFactory, write: Writer) -> None:
    other = PDQSignal.extract(_content(write(photo(29), "other.png")), instance.settings)[0]
    _bank_with(instance, admin, other.value, other.quality)
    path = write(photo(30, (2400, 1600)), "big.jpg", quality=90)
    fast = with_content(instance.settings, pdq_reduced_decode=True)
    with instance.db.session() as s:
        result = match_item(s, admin, instance.registry, instance.indexes, fast,
                            MatchRequest(content=_content(path)))
    assert not result["matched"]
    flags = [f for f in result["item"]["signals"] if f["signal_type"] == "pdq"]
    assert flags and all(f["details"]["decode"] == "reduced" for f in flags)


def test_hashes_for_a_bank_are_never_from_a_reduced_decode(tmp_path: Path, photo: PhotoFactory) -> None:
    from basira.core.matching import extract

    path = tmp_path / "big.jpg"
    photo(31, (2400, 1600)).save(path, quality=90)
    fast = load_settings(environ={}, data_dir=tmp_path, pdq_reduced_decode=True)
    content = _content(path)
    banked = [s for s in extract(default_registry(), fast, content, for_bank=True) if s.signal_type == "pdq"]
    assert [s.value for s in banked] == [PDQSignal.extract_exact(content, fast)[0].value]
    assert not banked[0].details
