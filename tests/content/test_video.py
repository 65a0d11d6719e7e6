"""vPDQ: hashing generated videos, matching copies, clips and strangers by vPDQ's rule, and every bad input refused.

Videos are drawn by :mod:`basira.content.videogen` (moving shapes, captions, scene cuts), never real footage.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from tests.conftest import need
from tests.factories import with_content

from basira.content import vpdq
from basira.content.photo import bits_to_hex
from basira.content.video import VPDQIndex, VPDQSignal, hash_video
from basira.core.errors import ContentTooLarge, EmptyContent, InvalidSignal, UnsupportedContent
from basira.core.settings import Settings, load_settings
from basira.core.signals import Content

HAVE_AV = importlib.util.find_spec("av") is not None


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    need(HAVE_AV, "PyAV is not installed (pip install basira[video])")
    from basira.content import videogen

    d = tmp_path_factory.mktemp("videos")
    return {
        "original": videogen.write_video(d / "original.mp4", seed=1, seconds=9),
        # The same video, smaller, re-encoded at a lower bit rate in another container.
        "copy": videogen.write_video(d / "copy.avi", seed=1, seconds=9, size=(240, 180), bit_rate=150_000),
        # Seconds 3 to 6 of it: a clip.
        "clip": videogen.write_video(d / "clip.mp4", seed=1, seconds=3, start=3.0),
        "stranger": videogen.write_video(d / "stranger.mp4", seed=2, seconds=9),
    }


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path)


def _content(path: Path) -> Content:
    return Content(path, "video", path.stat().st_size)


def _value(path: Path, settings: Settings) -> str:
    [sig] = VPDQSignal.extract(_content(path), settings)
    return sig.value


def test_one_frame_a_second_is_hashed_with_its_time_span(videos: dict[str, Path], settings: Settings) -> None:
    [sig] = VPDQSignal.extract(_content(videos["original"]), settings)
    feats = vpdq.parse(sig.value)
    assert [f.start for f in feats] == [float(s) for s in range(9)]
    assert feats[0].end == 1.0 and feats[-1].end == pytest.approx(9.0, abs=0.15)
    assert sig.details["sampled_frames"] == 9 and sig.quality is not None and sig.quality >= 50
    assert VPDQSignal.validate(sig.value) == sig.value


def test_frames_are_hashed_at_full_size_as_the_reference_frame_hasher(videos: dict[str, Path],
                                                                      settings: Settings) -> None:
    import av

    ours = vpdq.parse(_value(videos["original"], settings))
    reference: dict[float, str] = {}
    with av.open(str(videos["original"])) as c:
        for frame in c.decode(video=0):
            t = round(float(frame.time), 3)
            if t.is_integer() and t not in reference:
                reference[t] = bits_to_hex(pdqhash.compute(frame.to_ndarray(format="rgb24"))[0])
    gaps = [(int(f.hash, 16) ^ int(reference[f.start], 16)).bit_count() for f in ours]
    assert gaps == [0] * 9


def test_a_setting_can_scale_frames_down_before_hashing(videos: dict[str, Path], settings: Settings) -> None:
    full = vpdq.parse(_value(videos["original"], settings))
    scaled = vpdq.parse(_value(videos["original"], with_content(settings, vpdq_frame_max_side=64)))
    gaps = [(int(a.hash, 16) ^ int(b.hash, 16)).bit_count() for a, b in zip(full, scaled, strict=True)]
    assert 0 < max(gaps) <= 40


def test_reencoded_smaller_copy_matches_with_both_shares_high(videos: dict[str, Path], settings: Settings) -> None:
    cmp = vpdq.compare(vpdq.parse(_value(videos["copy"], settings)), vpdq.parse(_value(videos["original"], settings)))
    assert cmp.matches() and cmp.bank_share >= 0.8 and cmp.query_share >= 0.8
    assert cmp.bank_ranges[0][0] == 0.0


def test_a_different_video_does_not_match(videos: dict[str, Path], settings: Settings) -> None:
    cmp = vpdq.compare(vpdq.parse(_value(videos["stranger"], settings)),
                       vpdq.parse(_value(videos["original"], settings)))
    assert not cmp.matches() and cmp.bank_share < 0.2


def test_a_clip_matches_all_its_frames_and_reports_where_it_sits_in_the_bank_video(
        videos: dict[str, Path], settings: Settings) -> None:
    cmp = vpdq.compare(vpdq.parse(_value(videos["clip"], settings)), vpdq.parse(_value(videos["original"], settings)))
    assert cmp.query_share == 1.0
    assert 0.2 <= cmp.bank_share <= 0.5  # a third of the bank video
    # python-threatexchange's rule asks 80 % of the query's frames: a clip of a bank video matches; a bank that
    # also asks for half of its own video's frames does not.
    assert cmp.matches() and not cmp.matches(bank_share=0.5)
    [(start, end)] = cmp.bank_ranges
    assert 2.0 <= start <= 3.0 and 6.0 <= end <= 7.0


def test_index_finds_the_bank_video_and_applies_the_query_share_threshold(videos: dict[str, Path],
                                                                          settings: Settings) -> None:
    index = VPDQIndex()
    original = _value(videos["original"], settings)
    index.build([(1, original), (2, _value(videos["stranger"], settings))])
    copy, clip = _value(videos["copy"], settings), _value(videos["clip"], settings)
    [[(vid, dist)]] = index.query([copy], VPDQSignal.default_threshold)
    assert vid == 1 and dist <= 20
    assert dist == VPDQSignal.distance(copy, original)
    assert [v for v, _ in index.query([clip], 20.0)[0]] == [1]
    # The whole bank video queried against a bank holding only the clip: a third of the query is found.
    clip_bank = VPDQIndex()
    clip_bank.build([(3, clip)])
    assert clip_bank.query([original], 20.0) == [[]]
    assert [v for v, _ in clip_bank.query([original], 75.0)[0]] == [3]
    index.remove([1])
    assert index.query([copy], 20.0) == [[]] and len(index) == 1


def test_a_bank_share_setting_also_asks_for_the_bank_videos_frames(videos: dict[str, Path],
                                                                   settings: Settings) -> None:
    strict = VPDQSignal.new_index(with_content(settings, vpdq_bank_share_percent=50))
    strict.build([(1, _value(videos["original"], settings))])
    assert strict.query([_value(videos["clip"], settings)], 20.0) == [[]]
    assert [v for v, _ in strict.query([_value(videos["copy"], settings)], 20.0)[0]] == [1]


def test_index_answers_equal_pairwise_comparison_after_changes() -> None:
    rng = np.random.default_rng(5)
    base = [bits_to_hex(rng.integers(0, 2, 256)) for _ in range(30)]

    def video(picks: list[int], flips: int) -> str:
        feats = []
        for k, i in enumerate(picks):
            n = int(base[i], 16) ^ sum(1 << int(b) for b in rng.choice(256, flips, replace=False))
            feats.append(vpdq.Feature(float(k), float(k + 1), f"{n:064x}"))
        return vpdq.format_features(feats)

    bank = {sid: video(list(rng.choice(30, 6, replace=False)), 10) for sid in range(1, 13)}
    index = VPDQIndex()
    index.add(bank.items())
    index.remove([3, 4])
    index.add([(5, bank[6])])
    bank.pop(3), bank.pop(4)
    bank[5] = bank[6]
    for _ in range(10):
        q = video(list(rng.choice(30, 8, replace=False)), 8)
        for threshold in (0.0, 20.0, 50.0, 100.0):
            want = sorted(((sid, round(100 * (1 - vpdq.compare(vpdq.parse(q), vpdq.parse(v)).query_share), 4))
                           for sid, v in bank.items()
                           if vpdq.compare(vpdq.parse(q), vpdq.parse(v)).query_share > 0), key=lambda t: (t[1], t[0]))
            assert index.query([q], threshold) == [[(s, d) for s, d in want if d <= threshold]]


@pytest.mark.parametrize("value", [
    "",  # no frame
    "0.000-1.000:" + "a" * 63,  # short hash
    "0.000-1.000:" + "g" * 64,  # not hex
    "1.000-0.500:" + "a" * 64,  # ends before it starts
    "2.000-3.000:" + "a" * 64 + ",1.000-2.000:" + "b" * 64,  # out of time order
    "0-1" + "a" * 64,  # no colon
    "-1.000-0.000:" + "a" * 64,  # negative time
])
def test_malformed_vpdq_value_is_refused(value: str) -> None:
    with pytest.raises(InvalidSignal):
        VPDQSignal.validate(value)


def test_value_is_normalised_to_three_decimals_and_lowercase() -> None:
    assert VPDQSignal.validate(" 0-1.5:" + "AB" * 32 + " , 1.5-2:" + "cd" * 32) == \
        "0.000-1.500:" + "ab" * 32 + ",1.500-2.000:" + "cd" * 32


def test_sampling_rate_is_configurable(videos: dict[str, Path], settings: Settings) -> None:
    vh = hash_video(_content(videos["original"]), settings, fps=2.0)
    assert vh.sampled == 18
    assert [f.start for f in vh.features[:3]] == [0.0, 0.5, 1.0]


def test_near_identical_consecutive_frames_are_merged_when_pruning_is_on(
        videos: dict[str, Path], tmp_path: Path) -> None:
    loose = hash_video(_content(videos["original"]), load_settings(data_dir=tmp_path), fps=5.0)
    pruned_settings = load_settings(data_dir=tmp_path, vpdq_prune_distance=70)
    pruned = hash_video(_content(videos["original"]), pruned_settings, fps=5.0)
    assert pruned.pruned > 0 and len(pruned.features) < len(loose.features)
    # Spans still cover the whole video without gaps.
    assert pruned.features[0].start == 0.0 and pruned.features[-1].end == loose.features[-1].end
    assert all(a.end == b.start for a, b in zip(pruned.features, pruned.features[1:], strict=False))


def test_flat_frames_under_the_quality_floor_are_dropped(tmp_path: Path, settings: Settings) -> None:
    from basira.content import videogen

    path = videogen.write_sparse_long_video(tmp_path / "flat.mp4", hours=5 / 3600)  # 5 s of flat grey frames
    [sig] = VPDQSignal.extract(_content(path), settings)
    # No frame reaches the floor: the signal is kept, flagged by its quality, and never goes into a bank.
    assert sig.quality is not None and sig.quality < VPDQSignal.quality_floor(settings)  # type: ignore[operator]


def test_progress_is_reported_while_decoding(videos: dict[str, Path], settings: Settings) -> None:
    from basira.content.videodecode import reporting_progress

    seen: list[tuple[float, float]] = []
    with reporting_progress(lambda done, total: seen.append((done, total))):
        _value(videos["original"], settings)
    assert len(seen) >= 9 and seen[-1][0] == seen[-1][1] == pytest.approx(9.0, abs=0.15)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# -- bad input --------------------------------------------------------------------------------------------------

def _bad(tmp_path: Path, make: Callable[[Path], Path], settings: Settings) -> Exception:
    path = make(tmp_path / "bad.mp4")
    with pytest.raises((UnsupportedContent, ContentTooLarge, EmptyContent)) as info:
        VPDQSignal.extract(_content(path), settings)
    return info.value


def test_truncated_mp4_is_refused(videos: dict[str, Path], tmp_path: Path, settings: Settings) -> None:
    data = videos["original"].read_bytes()
    e = _bad(tmp_path, lambda p: (p.write_bytes(data[: len(data) // 2]), p)[1], settings)
    assert isinstance(e, UnsupportedContent) and "video" in e.detail


def test_truncated_mp4_with_its_index_first_is_refused(videos: dict[str, Path], tmp_path: Path,
                                                       settings: Settings) -> None:
    import av

    faststart = tmp_path / "faststart.mp4"
    with av.open(str(videos["original"])) as src, av.open(str(faststart), "w",
                                                          options={"movflags": "faststart"}) as dst:
        out = dst.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = out
                dst.mux(packet)
    data = faststart.read_bytes()
    e = _bad(tmp_path, lambda p: (p.write_bytes(data[: len(data) // 2]), p)[1], settings)
    assert isinstance(e, UnsupportedContent) and "truncated" in e.detail


def test_file_that_is_not_a_video_is_refused(tmp_path: Path, settings: Settings) -> None:
    e = _bad(tmp_path, lambda p: (p.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"neutral text " * 500), p)[1],
             settings)
    assert isinstance(e, UnsupportedContent) and "not a readable video" in e.detail


def test_video_without_decodable_frames_is_refused(videos: dict[str, Path], tmp_path: Path,
                                                   settings: Settings) -> None:
    data = bytearray(videos["original"].read_bytes())
    start = data.find(b"mdat") + 4
    moov = data.find(b"moov")
    end = moov if moov > start else len(data)
    data[start:end] = bytes(end - start)  # every frame's bytes zeroed, the index intact
    e = _bad(tmp_path, lambda p: (p.write_bytes(bytes(data)), p)[1], settings)
    assert isinstance(e, UnsupportedContent)
    assert "no decodable frames" in e.detail or "corrupt" in e.detail


def test_ten_hour_video_is_refused_before_decoding(tmp_path: Path, settings: Settings) -> None:
    from basira.content import videogen

    e = _bad(tmp_path, lambda p: videogen.write_sparse_long_video(p, hours=10), settings)
    assert isinstance(e, ContentTooLarge) and "BASIRA_MAX_VIDEO_SECONDS" in e.detail


def test_audio_only_file_is_refused(tmp_path: Path, settings: Settings) -> None:
    from basira.content import videogen

    e = _bad(tmp_path, lambda p: videogen.write_audio_only(p), settings)
    assert isinstance(e, UnsupportedContent) and "no video stream" in e.detail and "audio" in e.detail


def test_empty_file_is_refused(tmp_path: Path, settings: Settings) -> None:
    need(HAVE_AV, "PyAV is not installed")
    e = _bad(tmp_path, lambda p: (p.write_bytes(b""), p)[1], settings)
    assert isinstance(e, EmptyContent)


def test_without_pyav_a_video_is_refused_with_how_to_install_it(
        videos: dict[str, Path], settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # The extra is missing: Python's import machinery finds no module named av.
    monkeypatch.setitem(sys.modules, "av", None)
    with pytest.raises(UnsupportedContent) as info:
        VPDQSignal.extract(_content(videos["original"]), settings)
    assert "basira[video]" in info.value.detail and info.value.status == 415


