"""Per-site URL rules for the platforms content moves through: one spelling per post, video, account or file.

:func:`fold` rewrites the path and query of a URL whose host is already canonical (IDNA, lower case, mirrors and
aliases folded, see :mod:`basira.content.urls`):

* Telegram (``t.me``, ``telegram.me``, ``telegram.dog``): the ``/s/`` web-preview form dropped, the channel name in
  lower case (Telegram usernames are case-insensitive; invite hashes after ``+`` or ``joinchat/`` are not),
  viewing parameters (``?single``, ``?embed=1``) dropped.
* YouTube (``youtube.com``, ``youtu.be``, ``youtube-nocookie.com``): ``youtu.be/ID``, ``/shorts/ID``, ``/embed/ID``,
  ``/live/ID``, ``/v/ID`` and ``/watch?v=ID&t=..`` all become ``/watch?v=ID``; ``@handles`` in lower case.
* Facebook (``facebook.com``, ``web.``/``mbasic.``/``touch.`` hosts, ``fb.com``): page names in lower case, only the
  query parameters that name a post, photo or video kept (``id``, ``story_fbid``, ``fbid``, ``v``, ``set``).
* X (``x.com``, ``twitter.com`` and its embedding mirrors): user names in lower case, no query, no
  ``/photo/N`` or ``/video/N`` tail.
* TikTok: ``@user`` in lower case, no query. Instagram: ``/reel/``, ``/reels/``, ``/tv/`` and
  ``/USER/p/CODE`` become ``/p/CODE``; no query.
* archive.today's mirrors (``archive.is``, ``.li``, ``.vn``, ``.fo``, ``.md``) are ``archive.ph``.
* File lockers: Google Drive ``open?id=``/``uc?id=``/``file/d/ID/view`` become ``/file/d/ID``; MEGA's old
  ``#!ID!KEY`` links become ``/file/ID`` (the key is never kept); Dropbox's ``dl``/``raw`` dropped.

URL shorteners (``bit.ly``, ``t.co`` ...) are kept as written (their paths are case-sensitive) and typed
``shortener``: the link they lead to is unresolved (nothing is fetched).
"""

from __future__ import annotations

#: Hosts that are other names of one service (after ``www.``/``m.``/``mobile.`` are dropped).
HOST_ALIASES = {
    "telegram.me": "t.me", "telegram.dog": "t.me",
    "twitter.com": "x.com", "fxtwitter.com": "x.com", "vxtwitter.com": "x.com", "fixupx.com": "x.com",
    "fixvx.com": "x.com",
    "youtu.be": "youtube.com", "youtube-nocookie.com": "youtube.com", "music.youtube.com": "youtube.com",
    "fb.com": "facebook.com", "web.facebook.com": "facebook.com", "mbasic.facebook.com": "facebook.com",
    "touch.facebook.com": "facebook.com", "free.facebook.com": "facebook.com",
    "instagr.am": "instagram.com",
    "archive.today": "archive.ph", "archive.is": "archive.ph", "archive.li": "archive.ph", "archive.vn": "archive.ph",
    "archive.fo": "archive.ph", "archive.md": "archive.ph",
    "mega.co.nz": "mega.nz", "dl.dropboxusercontent.com": "dropbox.com",
}
#: Platforms by canonical host.
PLATFORMS = {"t.me": "telegram", "youtube.com": "youtube", "facebook.com": "facebook", "x.com": "x",
             "tiktok.com": "tiktok", "instagram.com": "instagram", "archive.ph": "archive", "archive.org": "archive",
             "web.archive.org": "archive"}
#: Link shorteners: the URL says nothing of where it leads until it is resolved (Basira fetches nothing).
SHORTENERS = frozenset({
    "bit.ly", "bitly.com", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "v.gd", "buff.ly", "rebrand.ly",
    "cutt.ly", "shorturl.at", "rb.gy", "tiny.cc", "t.ly", "s.id", "lnkd.in", "fb.me", "fb.watch", "vm.tiktok.com",
    "vt.tiktok.com", "1drv.ms", "bl.ink", "shorte.st", "adf.ly", "ouo.io", "tr.im", "soo.gd", "qr.ae", "dlvr.it",
    "trib.al", "linkin.bio", "did.li", "urlz.fr", "x.gd", "clck.ru", "goo.su", "u.to", "ift.tt",
})
#: File lockers and paste sites: one URL per uploaded file.
FILE_LOCKERS = frozenset({
    "mega.nz", "mediafire.com", "drive.google.com", "docs.google.com", "dropbox.com", "gofile.io", "pixeldrain.com",
    "files.fm", "krakenfiles.com", "anonfiles.com", "zippyshare.com", "4shared.com", "send.cm", "top4top.io",
    "uptobox.com", "workupload.com", "catbox.moe", "files.catbox.moe", "justpaste.it", "pastebin.com",
    "archive.org", "sendspace.com", "uploadfiles.io", "filemail.com", "wetransfer.com", "we.tl", "jumpshare.com",
    "onedrive.live.com", "icedrive.net", "terabox.com",
})
#: First path segments that name a kind of page, not an account: a prefix ending there covers the whole site.
ROUTES = {
    "telegram": frozenset({"s", "c", "joinchat", "addstickers", "share", "iv", "proxy", "socks"}),
    "youtube": frozenset({"watch", "shorts", "embed", "live", "v", "e", "channel", "c", "user", "playlist",
                          "results", "feed", "hashtag", "post"}),
    "facebook": frozenset({"watch", "groups", "pages", "events", "photo.php", "photo", "photos", "video.php",
                           "permalink.php", "story.php", "profile.php", "share", "reel", "hashtag", "media",
                           "posts", "people", "stories", "marketplace", "gaming", "search"}),
    "x": frozenset({"i", "hashtag", "search", "intent", "share", "home", "explore"}),
    "tiktok": frozenset({"video", "v", "embed", "tag", "music", "discover", "t"}),
    "instagram": frozenset({"p", "reel", "reels", "tv", "stories", "explore", "s"}),
    "archive": frozenset({"newest", "oldest", "timegate", "timemap", "details", "download", "web", "o"}),
    "file_locker": frozenset({"file", "folder", "files", "d", "s", "sh", "scl", "u", "uc", "open", "view", "api",
                              "details", "download", "drive", "document", "spreadsheets", "presentation", "f",
                              "paste", "raw", "l", "dl"}),
}
#: Query parameters kept on Facebook URLs (the rest is navigation state).
_FACEBOOK_QUERY = frozenset({"id", "story_fbid", "fbid", "v", "set", "multi_permalinks", "comment_id"})
_TELEGRAM_QUERY = frozenset({"comment", "thread"})
_YOUTUBE_VIDEO_ROUTES = frozenset({"shorts", "embed", "live", "v", "e"})


def site_kind(host: str) -> str:
    """``telegram``, ``youtube``, ``facebook``, ``x``, ``tiktok``, ``instagram``, ``archive``, ``file_locker``,
    ``shortener`` or ``web`` for a canonical host (its subdomains count as the site, except the shorteners')."""
    if host in SHORTENERS:
        return "shortener"
    labels = host.split(".")
    for i in range(len(labels) - 1):
        parent = ".".join(labels[i:])
        if parent in PLATFORMS:
            return PLATFORMS[parent]
        if parent in FILE_LOCKERS:
            return "file_locker"
    return "web"


def covers_a_site(host: str, path: str, query: str) -> bool:
    """Whether a ``url_prefix`` of this canonical host, path and query would cover a whole site's pages: the root
    (use a ``domain`` signal), a shortener's root, or a platform route without the account or item after it
    (``youtube.com/watch``, ``t.me/s``, ``instagram.com/p``)."""
    segments = [s for s in path.split("/") if s]
    if not segments:
        return not query
    kind = site_kind(host)
    routes = ROUTES.get(kind)
    return routes is not None and not query and len(segments) == 1 and segments[0].lower() in routes


def fold(host: str, written: str, path: str, query: str, fragment: str = "") -> tuple[str, str]:
    """The canonical path and query of a URL on ``host`` (as written before aliases: ``written``)."""
    kind = site_kind(host)
    segments = [s for s in path.split("/") if s]
    if kind == "telegram":
        return _telegram(segments, query)
    if kind == "youtube" and host == "youtube.com":
        return _youtube(written, segments, query)
    if kind == "facebook":
        if segments and segments[0].lower() not in ROUTES["facebook"]:
            segments[0] = segments[0].lower()
        return _join(segments), _keep(query, _FACEBOOK_QUERY)
    if kind == "x":
        if segments and segments[0].lower() != "i":
            segments[0] = segments[0].lower()
        if len(segments) >= 4 and segments[1] == "status" and segments[-2] in ("photo", "video"):
            segments = segments[:-2]
        return _join(segments), ""
    if kind == "tiktok" and host == "tiktok.com":
        if segments and segments[0].startswith("@"):
            segments[0] = segments[0].lower()
        return _join(segments), ""
    if kind == "instagram":
        return _instagram(segments), ""
    if kind == "file_locker":
        return _locker(host, segments, query, fragment)
    return path, query


def _join(segments: list[str]) -> str:
    return "/" + "/".join(segments)


def _keep(query: str, names: frozenset[str]) -> str:
    pairs = [(k, v) for k, v in _pairs(query) if k.lower() in names]
    return "&".join(f"{k}={v}" if v else k for k, v in pairs)


def _pairs(query: str) -> list[tuple[str, str]]:
    out = []
    for piece in query.split("&"):
        if piece:
            k, _, v = piece.partition("=")
            out.append((k, v))
    return out


def _param(query: str, name: str) -> str:
    for k, v in _pairs(query):
        if k == name and v:
            return v
    return ""


def _telegram(segments: list[str], query: str) -> tuple[str, str]:
    if segments and segments[0] == "s" and len(segments) > 1:
        segments = segments[1:]  # t.me/s/NAME: the web preview of t.me/NAME
    if segments and not segments[0].startswith("+") and segments[0].lower() not in ("joinchat", "addstickers",
                                                                                     "addemoji", "proxy", "socks"):
        segments[0] = segments[0].lower()
    return _join(segments), _keep(query, _TELEGRAM_QUERY)


def _youtube(written: str, segments: list[str], query: str) -> tuple[str, str]:
    video = ""
    if written == "youtu.be" and segments:
        video = segments[0]
    elif segments and segments[0] == "watch":
        video = _param(query, "v")
    elif len(segments) >= 2 and segments[0] in _YOUTUBE_VIDEO_ROUTES:
        video = segments[1]
    if video:
        return "/watch", f"v={video}"
    if segments and segments[0].startswith("@"):
        segments[0] = segments[0].lower()
    if segments and segments[0] == "playlist":
        list_id = _param(query, "list")
        return "/playlist", f"list={list_id}" if list_id else ""
    return _join(segments), ""


def _instagram(segments: list[str]) -> str:
    if len(segments) >= 3 and segments[1] in ("p", "reel", "reels", "tv") and segments[0] not in ROUTES["instagram"]:
        segments = segments[1:]  # instagram.com/USER/p/CODE
    if len(segments) >= 2 and segments[0] in ("reel", "reels", "tv"):
        segments = ["p", *segments[1:]]
    if len(segments) >= 2 and segments[0] == "p":
        return _join(segments[:2])
    if segments and segments[0] not in ROUTES["instagram"]:
        segments[0] = segments[0].lower()
    return _join(segments)


def _locker(host: str, segments: list[str], query: str, fragment: str) -> tuple[str, str]:
    if host == "drive.google.com":
        file_id = _param(query, "id")
        if file_id and segments and segments[0] in ("open", "uc"):
            return f"/file/d/{file_id}", ""
        if len(segments) >= 3 and segments[:2] == ["file", "d"]:
            return _join(segments[:3]), ""
    if host == "mega.nz" and not segments and fragment.startswith(("!", "F!")):
        # The old form: mega.nz/#!ID!KEY (a file) or mega.nz/#F!ID!KEY (a folder); the key is never kept.
        folder = fragment.startswith("F!")
        item = fragment.removeprefix("F").split("!")[1] if fragment.count("!") >= 1 else ""
        if item:
            return f"/{'folder' if folder else 'file'}/{item}", ""
    if host == "dropbox.com":
        pairs = [(k, v) for k, v in _pairs(query) if k.lower() not in ("dl", "raw", "st", "e")]
        return _join(segments), "&".join(f"{k}={v}" if v else k for k, v in pairs)
    if host == "mediafire.com" and len(segments) >= 2 and segments[0] == "file":
        return _join(segments[:2]), ""
    return _join(segments) if segments else "/", query
