"""TAXII feeds: a partner's collection pulled into one of the organization's own banks, credentials encrypted.

The password or API key of a feed is encrypted with AES-GCM under a key derived from the instance secret
(``BASIRA_SECRET_KEY`` or the data folder's ``secret.key``); the database alone does not reveal it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from Crypto.Cipher import AES
from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.banks import get_bank
from basira.core.errors import ConfigurationError, Conflict, InvalidInput, NotFound
from basira.core.exercise import refuse_exercise
from basira.core.models import as_id, utcnow
from basira.core.principal import Principal
from basira.core.visibility import Access
from basira.sharing.models import TaxiiFeed

_COLLECTION = re.compile(r"^[A-Za-z0-9._~:-]{1,200}$")
MIN_INTERVAL_S = 1
#: A failing feed waits its interval times 2**failures (at most this long) before the next try.
MAX_BACKOFF_S = 6 * 3600


def _key(instance_secret: str) -> bytes:
    return hashlib.sha256(b"basira-sharing-credentials:" + instance_secret.encode()).digest()


def encrypt(instance_secret: str, plaintext: str) -> str:
    """``plaintext`` sealed with AES-GCM under the instance key (empty stays empty)."""
    if not plaintext:
        return ""
    cipher = AES.new(_key(instance_secret), AES.MODE_GCM)
    body, tag = cipher.encrypt_and_digest(plaintext.encode())
    return "v1:" + base64.b64encode(cipher.nonce + tag + body).decode()


def decrypt(instance_secret: str, token: str) -> str:
    """The plaintext of :func:`encrypt`; ConfigurationError when the instance key is not the one that sealed it."""
    if not token:
        return ""
    try:
        raw = base64.b64decode(token.removeprefix("v1:"), validate=True)
        cipher = AES.new(_key(instance_secret), AES.MODE_GCM, nonce=raw[:16])
        return cipher.decrypt_and_verify(raw[32:], raw[16:32]).decode()
    except (ValueError, KeyError):
        raise ConfigurationError("a feed's credentials cannot be decrypted: the instance secret changed since "
                                 "they were stored; set them again with `basira sharing feed add --replace`") from None


@dataclass
class FeedSpec:
    """A feed as the user gives it."""

    name: str
    api_root: str
    collection_id: str
    bank: str
    username: str = ""
    secret: str = ""
    interval_s: int = 300
    push_secret: str = ""


def _check(spec: FeedSpec) -> FeedSpec:
    name = spec.name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput("a feed name has 1-200 characters")
    url = urlsplit(spec.api_root.strip())
    if url.scheme not in ("http", "https") or not url.netloc or len(spec.api_root) > 2000:
        raise InvalidInput("the API root is an http(s) URL, e.g. https://partner.example/taxii2/api/")
    if not _COLLECTION.match(spec.collection_id):
        raise InvalidInput("a collection id has 1-200 letters, digits and . _ ~ : -")
    if spec.interval_s < MIN_INTERVAL_S:
        raise InvalidInput(f"the sync interval is at least {MIN_INTERVAL_S} second")
    if len(spec.username) > 200 or len(spec.secret) > 4000:
        raise InvalidInput("a user name has at most 200 characters and a secret at most 4,000")
    if spec.push_secret and not 16 <= len(spec.push_secret) <= 4000:
        raise InvalidInput("a push secret has 16-4,000 characters")
    root = spec.api_root.strip()
    return FeedSpec(name, root if root.endswith("/") else root + "/", spec.collection_id, spec.bank,
                    spec.username, spec.secret, spec.interval_s, spec.push_secret)


def add_feed(session: Session, principal: Principal, instance_secret: str, spec: FeedSpec,
             replace: bool = False) -> TaxiiFeed:
    """Add (or with ``replace`` change) a feed into a bank the caller's organization owns."""
    principal.require_admin()
    refuse_exercise(session, principal.org_id, "pull from or report to a partner's TAXII server")
    clean = _check(spec)
    bank = get_bank(session, principal, clean.bank, Access.OWNER)  # another organization's bank: NotFound
    feed = session.scalar(select(TaxiiFeed).where(TaxiiFeed.org_id == principal.org_id, TaxiiFeed.name == clean.name))
    if feed is not None and not replace:
        raise Conflict(f"feed {clean.name!r} exists (use --replace to change it)")
    if feed is None:
        feed = TaxiiFeed(org_id=principal.org_id, name=clean.name, last_error="", failures=0, objects_received=0)
        session.add(feed)
    if feed.bank_id != bank.id or feed.api_root != clean.api_root or feed.collection_id != clean.collection_id:
        feed.added_after, feed.next_cursor = None, None  # another source: start from its beginning
    feed.bank_id, feed.api_root, feed.collection_id = bank.id, clean.api_root, clean.collection_id
    feed.username, feed.secret_enc = clean.username, encrypt(instance_secret, clean.secret)
    feed.interval_s, feed.enabled = clean.interval_s, True
    feed.push_secret_enc = encrypt(instance_secret, clean.push_secret)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="sharing.feed.set",
                 target=f"feed:{feed.id}", details={"name": clean.name, "api_root": clean.api_root,
                                                    "collection": clean.collection_id, "bank": bank.id})
    return feed


def get_feed(session: Session, principal: Principal, ref: str | int) -> TaxiiFeed:
    """One of the organization's feeds, by id or name."""
    fid = as_id(ref)
    q = select(TaxiiFeed).where(TaxiiFeed.org_id == principal.org_id)
    feed = session.scalar(q.where(TaxiiFeed.id == fid) if fid is not None else q.where(TaxiiFeed.name == str(ref)))
    if feed is None:
        raise NotFound(f"no feed {ref!r}")
    return feed


def list_feeds(session: Session, principal: Principal) -> list[TaxiiFeed]:
    return list(session.scalars(select(TaxiiFeed).where(TaxiiFeed.org_id == principal.org_id)
                                .order_by(TaxiiFeed.id)))


def remove_feed(session: Session, principal: Principal, ref: str | int) -> None:
    """Stop and forget a feed (the signals it brought stay in the bank)."""
    principal.require_admin()
    feed = get_feed(session, principal, ref)
    feed.enabled = False
    feed.secret_enc = ""
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="sharing.feed.disable",
                 target=f"feed:{feed.id}")


class Scheduled(Protocol):
    """What a scheduled pull keeps of its tries (a TAXII feed, a hash-sharing exchange)."""

    created_at: dt.datetime
    last_sync_at: dt.datetime | None
    interval_s: int
    failures: int


def next_due(feed: Scheduled) -> dt.datetime:
    """When the feed (or exchange) should next sync: its interval after the last try, longer after failures."""
    if feed.last_sync_at is None:
        return feed.created_at
    wait = min(feed.interval_s * 2 ** min(feed.failures, 16), max(MAX_BACKOFF_S, feed.interval_s))
    return feed.last_sync_at + dt.timedelta(seconds=wait)


def due_feeds(session: Session, now: dt.datetime | None = None) -> list[int]:
    """Ids of the enabled feeds of every organization whose sync is due."""
    at = now or utcnow()
    feeds = session.scalars(select(TaxiiFeed).where(TaxiiFeed.enabled.is_(True)).order_by(TaxiiFeed.id))
    return [f.id for f in feeds if next_due(f) <= at]
