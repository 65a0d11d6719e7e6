"""vPDQ values from partners and the reference: formats read, python-threatexchange's rule, the reference videos.

The reference checks hash ThreatExchange's sample videos (``../shared/data/reference/vpdq``) and compare them with
the reference hasher's own output, every frame and one a second, full size and 128x128; they are skipped with the
reason when that folder or PyAV is absent.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from basira.content import vpdq
from basira.content.video import VPDQIndex, VPDQSignal
from basira.core.errors import InvalidSignal
from basira.core.settings import load_settings
from basira.core.signals import Content

SHARED = Path(__file__).parents[2] / ".." / "shared" / "data" / "reference" / "vpdq"
#: Small sample videos of the three scenes (a pattern, a chair, a doorknob) and one with odd frame dimensions.
VIDEOS = ("pattern-sd-grey-bar", "chair-19-sd-bar", "doorknob-hd-no-bar", "test-padded-dimensions")

H1, H2, H3 = "a" * 64, "b" * 64, "0f" * 32


def _lines(*frames: tuple[int, int, str, float]) -> str:
    return "\n".join(f"{n},{q},{h},{t:.3f}" for n, q, h, t in frames)


def test_reference_hasher_lines_become_features_without_low_quality_frames() -> None:
    text = _lines((0, 100, H1, 0.0), (1, 100, H1, 0.033), (2, 10, H2, 0.067), (3, 90, H3, 0.1))
    assert vpdq.canonical(text) == f"0.000-0.100:{H1},0.100-0.133:{H3}"


def test_python_threatexchange_json_is_read_like_the_reference_lines() -> None:
    frames = [(0, 100, H1, 0.0), (1, 20, H2, 1.0), (2, 80, H3, 2.0)]
    pytx = json.dumps([f"{h},{q},{t}" for _, q, h, t in frames])
    assert VPDQSignal.validate(pytx) == VPDQSignal.validate(_lines(*frames)) == \
        f"0.000-2.000:{H1},2.000-3.000:{H3}"


def test_a_value_with_only_low_quality_frames_keeps_them_rather_than_nothing() -> None:
    assert vpdq.canonical(_lines((0, 5, H1, 0.0))) == f"0.000-1.000:{H1}"


@pytest.mark.parametrize("value", [
    "[1, 2]",                                    # JSON, not strings
    '["' + H1 + ',100"]',                        # a field short
    '["' + H1 + ',101,0.0"]',                    # quality over 100
    "[not json",
    "0,100," + "g" * 64 + ",0.000",              # not hex
    "0,100," + H1 + ",-1.0\n1,100," + H2 + ",0",  # negative time
    "0,abc," + H1 + ",0.0\n",
])
def test_malformed_partner_values_are_refused(value: str) -> None:
    with pytest.raises(InvalidSignal):
        VPDQSignal.validate(value)


@given(st.text(alphabet="[]\",0123456789abcdef.-:\n ", max_size=200))
def test_any_text_is_a_value_or_a_clear_refusal(text: str) -> None:
    try:
        value = VPDQSignal.validate(text)
    except InvalidSignal:
        return
    assert VPDQSignal.validate(value) == value


def test_default_rule_is_python_threatexchanges_80_percent_of_the_query() -> None:
    assert vpdq.QUERY_SHARE == 0.8 and vpdq.BANK_SHARE == 0.0
    assert VPDQSignal.default_threshold == 20
    long_video = vpdq.format_features([vpdq.Feature(float(i), i + 1.0, f"{i:064x}") for i in range(10)])
    clip = vpdq.format_features([vpdq.Feature(0.0, 1.0, f"{3:064x}"), vpdq.Feature(1.0, 2.0, f"{4:064x}")])
    cmp = vpdq.compare(vpdq.parse(clip), vpdq.parse(long_video), frame_distance=0)
    assert (cmp.query_share, cmp.bank_share) == (1.0, 0.2) and cmp.matches()
    assert not vpdq.compare(vpdq.parse(long_video), vpdq.parse(clip), frame_distance=0).matches()


# -- against the reference hasher's output on ThreatExchange's sample videos -----------------------------------

@pytest.fixture(scope="module")
def hashed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not (SHARED / "sample-hashes").is_dir():
        pytest.skip("../shared/data/reference/vpdq is absent")
    if importlib.util.find_spec("av") is None:
        pytest.skip("PyAV is not installed (pip install basira[video])")
    settings = load_settings(environ={}, data_dir=tmp_path_factory.mktemp("vpdq"))
    out = {}
    for name in VIDEOS:
        path = SHARED / "sample-videos" / f"{name}.mp4"
        [sig] = VPDQSignal.extract(Content(path, "video", path.stat().st_size), settings)
        out[name] = sig.value
    return out


def _reference(name: str, suffix: str = "") -> str:
    return (SHARED / "sample-hashes" / f"{name}{suffix}.txt").read_text()


def _one_a_second(text: str) -> str:
    kept: dict[int, str] = {}
    for line in text.splitlines():
        second = int(float(line.split(",")[3]))
        kept.setdefault(second, line)
    return "\n".join(kept.values())


@pytest.mark.parametrize("name", VIDEOS)
def test_frames_land_within_8_bits_of_the_reference_at_the_same_time(hashed: dict[str, str], name: str) -> None:
    reference = {round(float(t), 3): (int(q), h) for _, q, h, t in
                 (line.split(",") for line in _reference(name).splitlines())}
    gaps = []
    for f in vpdq.parse(hashed[name]):
        nearest = min(reference, key=lambda t, s=f.start: abs(t - s))
        quality, value = reference[nearest]
        if quality >= vpdq.PARTNER_QUALITY_FLOOR:
            gaps.append((int(f.hash, 16) ^ int(value, 16)).bit_count())
    assert gaps and max(gaps) <= 8, gaps


def _bank_forms() -> list[tuple[str, str]]:
    """Each video with each form its reference exists in (the reference has no 128x128 hash of some videos)."""
    forms = [(name, form) for name in VIDEOS for form in ("every frame", "one a second")]
    return forms + [(name, "every frame 128x128") for name in VIDEOS
                    if (SHARED / "sample-hashes" / f"{name}-128x128.txt").is_file()]


@pytest.mark.parametrize(("name", "bank_form"), _bank_forms())
def test_each_sample_video_matches_the_reference_hash_of_itself(hashed: dict[str, str], name: str,
                                                                bank_form: str) -> None:
    text = _reference(name, "-128x128" if "128" in bank_form else "")
    bank_value = VPDQSignal.validate(_one_a_second(text) if bank_form == "one a second" else text)
    index = VPDQIndex()
    index.build([(1, bank_value)])
    [[(vid, dist)]] = index.query([hashed[name]], VPDQSignal.default_threshold)
    assert vid == 1 and dist <= 20
    assert vpdq.compare(vpdq.parse(hashed[name]), vpdq.parse(bank_value)).matches()


def test_sample_videos_of_other_scenes_do_not_match(hashed: dict[str, str]) -> None:
    index = VPDQIndex()
    index.build([(i, VPDQSignal.validate(_reference(name))) for i, name in enumerate(VIDEOS)])
    for i, name in enumerate(VIDEOS):
        [found] = index.query([hashed[name]], VPDQSignal.default_threshold)
        assert [vid for vid, _ in found] == [i], name
