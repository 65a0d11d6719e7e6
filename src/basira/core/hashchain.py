"""Hash chains: each link's hash covers its content and the previous link's hash, and a head row holds the last
sequence number and hash, so an edited, removed (the tail included) or reordered link is found.

The audit log (one chain per organization and one for the instance) and the drone evidence (one chain per
sensor) both hash and verify their links here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

#: The previous hash of a chain's first link.
GENESIS = "0" * 64

# json.dumps with options builds a new encoder at every call; a bulk write hashes thousands of links in a row.
_ENCODERS = {ascii_only: json.JSONEncoder(sort_keys=True, ensure_ascii=ascii_only, separators=(",", ":"))
             for ascii_only in (False, True)}


def digest(fields: Sequence[Any], *, ascii_only: bool = False, key: bytes | None = None) -> str:
    """SHA-256 (hex) of ``fields`` as compact JSON with sorted keys, or its HMAC-SHA256 under ``key``.

    Args:
        fields: The link's content and, last, the previous link's hash.
        ascii_only: Escape non-ASCII characters (as the drone evidence chain has always hashed them); changing
            it for an existing chain would break every link that holds such a character.
        key: A secret kept outside the database: without it nobody can recompute a link after an edit.
    """
    return _hash(_ENCODERS[ascii_only].encode(fields).encode(), key)


def encoded(value: Any, *, ascii_only: bool = False) -> str:
    """One field as :func:`digest` writes it in a link's JSON (compact, keys sorted)."""
    return _ENCODERS[ascii_only].encode(value)


def digest_encoded(fields: Sequence[str], *, key: bytes | None = None) -> str:
    """:func:`digest` of fields each written by :func:`encoded` (the same bytes: a link is the JSON list of its
    fields), for a batch of links that writes the fields they share once."""
    return _hash(("[" + ",".join(fields) + "]").encode(), key)


def _hash(body: bytes, key: bytes | None) -> str:
    if key is not None:
        return hmac.new(key, body, hashlib.sha256).hexdigest()
    return hashlib.sha256(body).hexdigest()


class Link(Protocol):
    """A stored link: its place in the chain, the hash it follows and its own hash."""

    @property
    def seq(self) -> int: ...

    @property
    def prev_hash(self) -> str: ...

    @property
    def hash(self) -> str: ...


L = TypeVar("L", bound=Link)


@dataclass(frozen=True)
class Wording:
    """How a chain's problems are told: its links' name and the words for an edited link."""

    item: str
    changed: str
    unlinked: str = ""
    removed: str = ""


@dataclass
class Walk:
    """What walking a chain found: how many links, the last one reached, and the problems in order."""

    links: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)
    #: Links deleted on purpose (recorded gaps) that the walk stepped over.
    purged: int = 0


def _skip_gaps(found: Walk, expected: int, gaps: Mapping[int, tuple[int, str]]) -> int:
    """Step over the recorded runs that start at ``expected``; returns the next sequence number expected."""
    while expected in gaps:
        last, last_hash = gaps[expected]
        if last < expected:
            break
        found.purged += last - expected + 1
        found.last_seq, found.last_hash, expected = last, last_hash, last + 1
    return expected


def walk(links: Iterable[L], recompute: Callable[[L], str], words: Wording, *,
         max_problems: int | None = None, gaps: Mapping[int, tuple[int, str]] | None = None) -> Walk:
    """Check every link of a chain given in sequence order: numbering, linking and hash.

    Args:
        links: The stored links, by ``seq``.
        recompute: The hash a link's content and ``prev_hash`` give.
        words: How problems are named.
        max_problems: Stop once more problems than this were found (a badly broken chain tells enough early).
        gaps: Runs of links deleted on purpose (:mod:`basira.core.chaingaps`): first sequence number -> (last
            sequence number, hash of the last). The walk steps over them, and the next link must follow the run's
            last hash; a link missing outside a run is still a problem.
    """
    found = Walk()
    runs = gaps or {}
    expected = _skip_gaps(found, 1, runs)
    for link in links:
        found.links += 1
        if link.seq != expected:
            found.problems.append(f"{words.item} {expected} is missing (next found is {link.seq})")
            expected = link.seq
        if link.prev_hash != found.last_hash:
            found.problems.append(f"{words.item} {link.seq} does not follow the {words.item} before it{words.unlinked}")
        if recompute(link) != link.hash:
            found.problems.append(f"{words.item} {link.seq} {words.changed} (its hash does not match its content)")
        found.last_hash, found.last_seq, expected = link.hash, expected, expected + 1
        expected = _skip_gaps(found, expected, runs)
        if max_problems is not None and len(found.problems) > max_problems:
            break
    return found


def head_problem(found: Walk, head_seq: int, head_hash: str, words: Wording) -> str | None:
    """The problem when the head row does not name the last link walked (links removed from the tail)."""
    if (head_seq, head_hash) == (found.last_seq, found.last_hash):
        return None
    return f"the chain ends at {words.item} {found.last_seq} but its head says {head_seq}{words.removed}"
