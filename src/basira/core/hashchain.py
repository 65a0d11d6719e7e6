"""Hash chains: each link's hash covers its content and the previous link's hash, and a head row holds the last
sequence number and hash, so an edited, removed (the tail included) or reordered link is found.

The audit log (one chain per organization and one for the instance) and the drone evidence (one chain per
sensor) both hash and verify their links here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

#: The previous hash of a chain's first link.
GENESIS = "0" * 64


def digest(fields: Sequence[Any], *, ascii_only: bool = False, key: bytes | None = None) -> str:
    """SHA-256 (hex) of ``fields`` as compact JSON with sorted keys, or its HMAC-SHA256 under ``key``.

    Args:
        fields: The link's content and, last, the previous link's hash.
        ascii_only: Escape non-ASCII characters (as the drone evidence chain has always hashed them); changing
            it for an existing chain would break every link that holds such a character.
        key: A secret kept outside the database: without it nobody can recompute a link after an edit.
    """
    body = json.dumps(fields, sort_keys=True, ensure_ascii=ascii_only, separators=(",", ":")).encode()
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


def walk(links: Iterable[L], recompute: Callable[[L], str], words: Wording, *,
         max_problems: int | None = None) -> Walk:
    """Check every link of a chain given in sequence order: numbering, linking and hash.

    Args:
        links: The stored links, by ``seq``.
        recompute: The hash a link's content and ``prev_hash`` give.
        words: How problems are named.
        max_problems: Stop once more problems than this were found (a badly broken chain tells enough early).
    """
    found = Walk()
    expected = 1
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
        if max_problems is not None and len(found.problems) > max_problems:
            break
    return found


def head_problem(found: Walk, head_seq: int, head_hash: str, words: Wording) -> str | None:
    """The problem when the head row does not name the last link walked (links removed from the tail)."""
    if (head_seq, head_hash) == (found.last_seq, found.last_hash):
        return None
    return f"the chain ends at {words.item} {found.last_seq} but its head says {head_seq}{words.removed}"
