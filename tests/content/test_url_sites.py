"""Per-site URL rules, url_prefix that never broadens, look-alike hosts, invalid hosts, over-long URLs in text,
and property tests of the canonicaliser."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.content.lookalike import skeleton
from basira.content.sites import site_kind
from basira.content.url_signals import AncestorIndex, DomainSignal, UrlPrefixSignal, UrlSignal
from basira.content.urls import canonical_host, canonical_url, find_urls, parse_url
from basira.core.errors import InvalidSignal


@pytest.mark.parametrize(("spellings", "canonical"), [
    (["t.me/SomeChannel/123", "https://t.me/s/somechannel/123", "https://telegram.me/SOMECHANNEL/123/?single",
      "telegram.dog/SomeChannel/123?embed=1"], "https://t.me/somechannel/123"),
    (["https://youtu.be/dQw4w9WgXcQ?t=30s", "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=30s&list=PL1",
      "https://youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=4",
      "https://m.youtube.com/live/dQw4w9WgXcQ?feature=share", "youtube.com/v/dQw4w9WgXcQ"],
     "https://youtube.com/watch?v=dQw4w9WgXcQ"),
    (["https://web.facebook.com/SomePage/posts/123?__cft__=x&ref=page", "https://m.facebook.com/somepage/posts/123/",
      "fb.com/SOMEPAGE/posts/123", "https://mbasic.facebook.com/somepage/posts/123?refid=17"],
     "https://facebook.com/somepage/posts/123"),
    (["https://www.facebook.com/permalink.php?story_fbid=1&id=2&ref=x", "facebook.com/permalink.php?id=2&story_fbid=1"],
     "https://facebook.com/permalink.php?id=2&story_fbid=1"),
    (["https://twitter.com/SomeUser/status/17?s=20&t=abc", "https://x.com/someuser/status/17/photo/1",
      "mobile.twitter.com/SomeUser/status/17", "https://fxtwitter.com/someuser/status/17"],
     "https://x.com/someuser/status/17"),
    (["https://www.tiktok.com/@Some.User/video/7?is_from_webapp=1&sender_device=pc", "m.tiktok.com/@some.user/video/7"],
     "https://tiktok.com/@some.user/video/7"),
    (["https://www.instagram.com/reel/CxYz_1/?igsh=abc", "instagram.com/p/CxYz_1", "instagr.am/tv/CxYz_1/",
      "https://www.instagram.com/someone/p/CxYz_1/"], "https://instagram.com/p/CxYz_1"),
    (["archive.today/AbC12", "http://archive.is/AbC12", "https://archive.ph/AbC12/", "archive.md/AbC12"],
     "https://archive.ph/AbC12"),
    (["https://drive.google.com/open?id=1AbC", "https://drive.google.com/file/d/1AbC/view?usp=sharing",
      "drive.google.com/uc?id=1AbC&export=download"], "https://drive.google.com/file/d/1AbC"),
    (["https://mega.nz/#!AbCd!secretkey", "https://mega.nz/file/AbCd#secretkey", "mega.co.nz/file/AbCd"],
     "https://mega.nz/file/AbCd"),
    (["https://www.dropbox.com/s/abc/report.pdf?dl=0", "dropbox.com/s/abc/report.pdf?dl=1"],
     "https://dropbox.com/s/abc/report.pdf"),
    (["https://example.com/a/b/", "https://example.com/a/b"], "https://example.com/a/b"),
    (["https://bit.ly/AbC", "http://bit.ly/AbC/"], "https://bit.ly/AbC"),
])
def test_the_spellings_of_one_item_are_one_url(spellings: list[str], canonical: str) -> None:
    assert {canonical_url(s) for s in spellings} == {canonical}


def test_case_stays_where_it_carries_identity() -> None:
    assert canonical_url("https://bit.ly/AbC") != canonical_url("https://bit.ly/abc")  # shorteners: case-sensitive
    assert canonical_url("https://t.me/+AbCdEf") == "https://t.me/+AbCdEf"  # invite hashes too
    assert canonical_url("youtu.be/AbC") != canonical_url("youtu.be/abc")  # video ids too


@pytest.mark.parametrize(("url", "kind"), [
    ("https://t.me/x", "telegram"), ("https://youtu.be/x", "youtube"), ("https://fb.com/x", "facebook"),
    ("https://twitter.com/x", "x"), ("https://vm.tiktok.com/ZMabc/", "shortener"), ("https://bit.ly/x", "shortener"),
    ("https://t.co/x", "shortener"), ("https://mega.nz/file/x", "file_locker"), ("https://archive.is/x", "archive"),
    ("https://example.com/x", "web"),
])
def test_sites_are_typed(url: str, kind: str) -> None:
    assert site_kind(parse_url(url).host) == kind


@pytest.mark.parametrize("prefix", ["https://example.com", "https://example.com/", "https://www.youtube.com/watch",
                                    "t.me/s", "https://instagram.com/p/", "https://bit.ly", "https://x.com/i"])
def test_a_url_prefix_covering_a_whole_site_is_refused(prefix: str) -> None:
    with pytest.raises(InvalidSignal, match="would match every page"):
        UrlPrefixSignal.validate(prefix)


def test_a_url_prefix_keeps_the_query_that_carries_identity() -> None:
    assert UrlPrefixSignal.validate("https://www.youtube.com/watch?v=abc&t=1") == "https://youtube.com/watch?v=abc"
    index = AncestorIndex(UrlPrefixSignal)
    index.add([(1, UrlPrefixSignal.validate("https://www.youtube.com/watch?v=abc")),
               (2, UrlPrefixSignal.validate("https://example.org/item?id=5")),
               (3, UrlPrefixSignal.validate("https://t.me/SomeChannel/"))])
    assert index.query(["https://youtube.com/watch?v=abd"], 100) == [[]]
    assert index.query(["https://youtu.be/abc"], 100) == [[(1, 0.0)]]
    assert index.query(["https://example.org/item?id=6"], 100) == [[]]
    assert index.query(["https://example.org/item?id=5"], 100) == [[(2, 0.0)]]
    assert index.query(["https://t.me/somechannel/55"], 100) == [[(3, 1.0)]]
    assert UrlPrefixSignal.distance("https://example.org/item?id=5", "https://example.org/item?id=6") == 100.0


@pytest.mark.parametrize("host", ["hello", "localhost", "intranet.", "1.2.3", "a..b", "-a.com", "a.123"])
def test_hosts_that_no_public_site_has_are_refused(host: str) -> None:
    with pytest.raises(InvalidSignal):
        canonical_url(host)


def test_lookalike_hosts_are_flagged_with_the_name_they_imitate() -> None:
    assert skeleton(canonical_host("exämple-news.ma")) == "example-news.ma"
    assert skeleton(canonical_host("раураl.com")) == "paypal.com"  # Cyrillic letters
    assert skeleton(canonical_host("مثال.com")) is None  # a real Arabic name imitates nothing
    assert skeleton(canonical_host("example.com")) is None


def test_over_long_urls_in_text_keep_their_prefix_and_domain() -> None:
    long_url = "https://example.com/channel/post/" + "b" * 3000 + "?q=1"
    found = find_urls(f"see {long_url} now")
    assert found[0].canonical is None and "limit" in found[0].error
    assert found[0].partial is not None and found[0].partial.prefix == "https://example.com/channel/post"


# --- properties -------------------------------------------------------------------------------------------------

_label = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
_host = st.builds(lambda a, b, tld: f"{a}.{b}.{tld}", _label, _label, st.sampled_from(["com", "org", "ma", "fr"]))
_segment = st.text(string.ascii_letters + string.digits + "-._~", min_size=1, max_size=10).filter(
    lambda s: s not in (".", ".."))
_path = st.lists(_segment, max_size=4).map(lambda p: "/" + "/".join(p))
_params = st.lists(st.tuples(st.text(string.ascii_lowercase, min_size=1, max_size=5).filter(
    lambda k: k not in ("si", "v", "id") and not k.startswith("utm")), _segment), max_size=3,
    unique_by=lambda kv: kv[0])


@settings(max_examples=150, deadline=None)
@given(_host, _path, _params, st.sampled_from(["http", "https", "HTTPS"]), st.booleans(), st.booleans())
def test_canonical_form_ignores_spelling(host: str, path: str, params: list[tuple[str, str]], scheme: str,
                                         www: bool, slash: bool) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    base = f"https://{host}{path}" + (f"?{query}" if query else "")
    respelt = (f"{scheme}://{'www.' if www else ''}{host.upper()}{path}{'/' if slash else ''}"
               + "?" + "&".join([*(f"{k}={v}" for k, v in reversed(params)), "utm_source=x", "fbclid=1"]) + "#frag")
    first = canonical_url(base)
    assert canonical_url(respelt) == first
    assert canonical_url(first) == first  # idempotent
    assert UrlSignal.distance(base, respelt) == 0.0


@settings(max_examples=100, deadline=None)
@given(st.text(string.ascii_letters + string.digits + "_-", min_size=11, max_size=11),
       st.integers(0, 9999),
       st.sampled_from(["youtu.be/{v}?t={t}s", "youtube.com/watch?t={t}&v={v}", "https://www.youtube.com/shorts/{v}",
                        "m.youtube.com/embed/{v}?start={t}", "youtube.com/live/{v}?si=abc"]))
def test_every_youtube_form_is_one_video(video: str, t: int, form: str) -> None:
    assert canonical_url(form.format(v=video, t=t)) == f"https://youtube.com/watch?v={video}"


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{4,20}", fullmatch=True), st.integers(1, 10**6))
def test_telegram_usernames_are_case_insensitive(name: str, post: int) -> None:
    assert canonical_url(f"https://t.me/s/{name}/{post}") == canonical_url(f"t.me/{name.lower()}/{post}")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_a_url_or_a_clear_refusal(text: str) -> None:
    try:
        first = canonical_url(text)
    except InvalidSignal as e:
        assert e.detail
        return
    assert canonical_url(first) == first
    DomainSignal.validate(first)
