"""Where a reviewer's browser can see media, and the organization settings that say so.

Basira stores no content (DESIGN.md, data minimisation). An organization may set URL templates of its own
content source; the case page turns them into image URLs that the *browser* loads directly, and allows that
origin (and only it, and only on the case page) in the page's Content-Security-Policy.
"""

from __future__ import annotations

import re
from string import Formatter
from urllib.parse import quote, urlsplit

from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import InvalidInput
from basira.core.models import utcnow
from basira.core.principal import Principal
from basira.web.models import OrgWebSettings

MAX_TEMPLATE = 500
ITEM_FIELDS = frozenset({"item_ref", "item_id"})
ENTRY_FIELDS = frozenset({"entry_ref", "entry_id", "bank_id"})
# Strict on purpose: the origin goes into a response header, where a quote, space or ';' would change the policy.
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")
_PATH_OK = re.compile(r"^[A-Za-z0-9._~:/?#\[\]@!$&()*+,=%{}-]*$")


def check_template(template: str, fields: frozenset[str]) -> str:
    """A media URL template cleaned, or InvalidInput saying what is wrong with it ('' means none)."""
    text = template.strip()
    if not text:
        return ""
    if len(text) > MAX_TEMPLATE:
        raise InvalidInput(f"a media URL template has at most {MAX_TEMPLATE} characters")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not _HOST.match(parts.netloc or "") or "{" in parts.netloc:
        raise InvalidInput("a media URL template starts with https:// (or http://) and a plain host name")
    if not _PATH_OK.match(text[len(parts.scheme) + 3 + len(parts.netloc):]):
        raise InvalidInput("a media URL template holds only URL characters (no spaces or quotes)")
    try:
        names = {name for _, name, spec, conv in Formatter().parse(text) if name is not None}
    except ValueError:
        raise InvalidInput("a media URL template has unbalanced braces") from None
    unknown = names - fields
    if unknown or not names:
        raise InvalidInput(f"a media URL template uses some of {', '.join(sorted(fields))} "
                           f"(unknown: {', '.join(sorted(unknown)) or 'none used'})")
    return text


def origin(template: str) -> str | None:
    """``scheme://host[:port]`` of a template, for the Content-Security-Policy."""
    if not template:
        return None
    parts = urlsplit(template)
    return f"{parts.scheme}://{parts.netloc}"


def fill(template: str, **values: str | int) -> str | None:
    """The URL of one medium: each value percent-encoded whole (a reference cannot add path segments)."""
    if not template:
        return None
    try:
        return template.format(**{k: quote(str(v), safe="") for k, v in values.items()})
    except (KeyError, IndexError, ValueError):
        return None


def save_settings(session: Session, principal: Principal, *, require_totp: bool, item_media_url: str,
                  entry_media_url: str) -> OrgWebSettings:
    """An admin sets the organization's TOTP rule and media sources (audited)."""
    principal.require_admin()
    item_t = check_template(item_media_url, ITEM_FIELDS)
    entry_t = check_template(entry_media_url, ENTRY_FIELDS)
    prefs = session.get(OrgWebSettings, principal.org_id)
    if prefs is None:
        prefs = OrgWebSettings(org_id=principal.org_id)
        session.add(prefs)
    prefs.require_totp, prefs.item_media_url, prefs.entry_media_url = require_totp, item_t, entry_t
    prefs.updated_at = utcnow()
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="org.web_settings",
                 target=f"org:{principal.org_id}", details={"require_totp": require_totp,
                                                            "item_media_url": item_t,
                                                            "entry_media_url": entry_t})
    return prefs
