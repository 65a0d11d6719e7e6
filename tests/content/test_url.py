"""URLs: canonical forms, URLs found in text, the url / url_prefix / domain signal types, and hostile URLs."""

from __future__ import annotations

import pytest

from basira.content.url_signals import AncestorIndex, DomainSignal, UrlPrefixSignal, UrlSignal
from basira.content.urls import canonical_url, find_urls, registrable_domain
from basira.core.errors import InvalidSignal


@pytest.mark.parametrize(("raw", "canonical"), [
    # case, default port, dot segments, tracking parameters, sorted query, fragment
    ("HTTP://WWW.Example.COM:80/a/./b/../c?utm_source=x&b=2&a=1#top", "https://example.com/a/c?a=1&b=2"),
    ("https://example.com/?fbclid=abc&gclid=1&si=zz", "https://example.com/"),
    ("example.com/path", "https://example.com/path"),  # no scheme written
    ("https://user:secret@example.com/x", "https://example.com/x"),  # credentials never kept
    ("https://google.com@evil.example/x", "https://evil.example/x"),  # the host is after the @
    ("https://مثال.إختبار/مسار", "https://xn--mgbh0fb.xn--kgbechtv/%D9%85%D8%B3%D8%A7%D8%B1"),  # IDNA, UTF-8 path
    ("http://[2001:DB8:0:0::1]:8080/x", "https://[2001:db8::1]:8080/x"),  # IPv6 compressed, port kept
    ("https://t.me/s/channel/12", "https://t.me/channel/12"),  # Telegram's web preview
    ("https://telegram.me/channel", "https://t.me/channel"),
    ("https://m.facebook.com/page", "https://facebook.com/page"),
    ("https://mobile.twitter.com/user/status/1", "https://x.com/user/status/1"),
    ("https://youtu.be/abc123?si=share", "https://youtube.com/watch?v=abc123"),
    ("https://example.com/%7euser/a%2fb", "https://example.com/~user/a%2Fb"),  # escapes written one way
    ("https://www.co.uk/", "https://www.co.uk/"),  # never folded down to a public suffix
])
def test_canonical_forms(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize(("raw", "reason"), [
    ("javascript:alert(1)", "only http and https"),
    ("JaVaScRiPt:alert(1)", "only http and https"),
    ("data:text/html;base64,PHNjcmlwdD4=", "only http and https"),
    ("mailto:someone@example.com", "only http and https"),
    ("https://example.com/" + "a" * 5000, "over the limit"),
    ("http://[::1", "not a valid URL"),
    ("https://exa mple.com/", "spaces"),
    ("https://\u202eexample.com", "bidirectional"),
    ("https://-bad-.com/", "not a valid host"),
    ("https://example.com:99999/", "not a valid URL"),
    ("", "empty"),
])
def test_hostile_urls_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidSignal, match=reason):
        canonical_url(raw)


def test_registrable_domain_uses_the_bundled_public_suffix_list() -> None:
    assert registrable_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("someone.blogspot.com") == "someone.blogspot.com"  # private suffix: one site each
    with pytest.raises(InvalidSignal, match="public suffix"):
        registrable_domain("co.uk")


def test_urls_are_found_in_arabic_text_with_trailing_punctuation() -> None:
    text = ("عاجل: انظر https://t.me/s/chan/5، ثم www.Example.com/a). "
            "(https://en.wikipedia.org/wiki/Foo_(bar)) و news.bbc.co.uk/x و javascript:alert(1)")
    found = [str(f.canonical) for f in find_urls(text)]
    assert found == ["https://t.me/chan/5", "https://example.com/a", "https://en.wikipedia.org/wiki/Foo_(bar)",
                     "https://news.bbc.co.uk/x"]


def test_a_url_hidden_with_bidi_controls_is_still_found() -> None:
    found = find_urls("see http\u200b://exa\u202emple.com/x now")
    assert [str(f.canonical) for f in found] == ["https://example.com/x"]


def test_a_too_long_url_in_text_is_reported_not_raised() -> None:
    found = find_urls("link https://example.com/" + "b" * 5000)
    assert found[0].canonical is None and "limit" in found[0].error


def test_url_prefix_matches_whole_segments_below_it() -> None:
    index = AncestorIndex(UrlPrefixSignal)
    index.add([(1, UrlPrefixSignal.validate("https://example.com/channel/")),
               (2, UrlPrefixSignal.validate("example.com/news"))])
    hits = index.query([UrlPrefixSignal.validate("http://www.example.com/channel/abc/12?x=1")], 100)
    assert hits == [[(1, 3.0)]]  # the query is one step, each segment one more
    assert index.query(["https://example.com/channel2"], 100) == [[]]
    assert index.query(["https://example.com/news/2"], 100) == [[(2, 1.0)]]
    assert index.query(["https://example.com/channel/abc"], 0) == [[]]  # threshold is a depth


def test_domain_matches_subdomains_but_not_lookalikes() -> None:
    index = AncestorIndex(DomainSignal)
    index.add([(7, DomainSignal.validate("Outlet.example"))])
    assert index.query(["news.outlet.example"], 10) == [[(7, 1.0)]]
    assert index.query(["outlet.example.evil.com"], 10) == [[]]
    assert index.query(["notoutlet.example"], 10) == [[]]
    index.remove([7])
    assert index.query(["outlet.example"], 10) == [[]]


def test_domain_values_refuse_public_suffixes_and_accept_urls() -> None:
    with pytest.raises(InvalidSignal):
        DomainSignal.validate("co.uk")
    assert DomainSignal.validate("https://www.Example.org/path") == "example.org"
    assert DomainSignal.validate("[::1]") == "[::1]"


def test_url_distance_is_zero_for_two_spellings_of_one_link() -> None:
    assert UrlSignal.distance("HTTP://Example.com/a?utm_medium=x", "https://example.com/a") == 0.0
    assert DomainSignal.distance("example.org", "a.b.example.org") == 2.0
