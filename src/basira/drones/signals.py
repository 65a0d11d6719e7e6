"""The drone signal types: ``uas_id`` (a Remote ID UAS ID) and ``operator_id`` (an operator registration number).

Banks of these signals are watchlists (a hit raises a WATCHLIST alert anywhere) or, when the bank is negative,
allowlists of authorised flights (the entry's ``authorisation`` attribute gives the window and purpose).
"""

from __future__ import annotations

from typing import ClassVar

from basira.core.errors import InvalidSignal
from basira.core.exact import ExactSignalType
from basira.core.signal_examples import SignalExamples

#: Remote ID carries a UAS ID and an operator ID in 20 bytes each (ASTM F3411, Basic ID and Operator ID).
MAX_ID_LENGTH = 20


def _canonical(kind: str, value: str) -> str:
    # Broadcast IDs are ASCII padded with NULs or spaces; case carries no meaning in serials or registrations.
    v = value.strip().strip("\x00").strip().upper()
    if not v:
        raise InvalidSignal(f"an empty {kind}")
    if len(v) > MAX_ID_LENGTH:
        raise InvalidSignal(f"a {kind} has at most {MAX_ID_LENGTH} characters (Remote ID sends 20 bytes)")
    if not (v.isascii() and v.isprintable()):
        raise InvalidSignal(f"a {kind} is printable ASCII")
    return v


class UasIdSignal(ExactSignalType):
    """A UAS ID: an ANSI/CTA-2063-A serial number, a CAA registration, a UTM UUID or a session ID."""

    name: ClassVar[str] = "uas_id"
    content_types: ClassVar[frozenset[str]] = frozenset({"drone_frame"})
    description: ClassVar[str] = ("Remote ID UAS ID (serial number, CAA registration, UTM UUID or session ID), "
                                  "upper-cased, at most 20 ASCII characters; exact match.")
    default_content_type: ClassVar[str] = "drone_frame"

    @classmethod
    def validate(cls, value: str) -> str:
        return _canonical("UAS ID", value)

    @classmethod
    def examples(cls) -> SignalExamples:
        return SignalExamples(canonical=("1581F5FKD229400C1234", "N123AB"),
                              spellings=((" 1581f5fkd229400c1234\x00", "1581F5FKD229400C1234"),),
                              invalid=("", "\x00\x00", "X" * 21, "ÉTÉ", "A\tB"))


class OperatorIdSignal(ExactSignalType):
    """An operator registration number as broadcast (EU: country code and 13 characters, without the secret)."""

    name: ClassVar[str] = "operator_id"
    content_types: ClassVar[frozenset[str]] = frozenset({"drone_frame"})
    description: ClassVar[str] = ("Remote ID operator ID (e.g. an EU operator registration number without its "
                                  "3-character secret), upper-cased, at most 20 ASCII characters; exact match.")
    default_content_type: ClassVar[str] = "drone_frame"

    @classmethod
    def validate(cls, value: str) -> str:
        v = _canonical("operator ID", value)
        # The full EU number ends in "-" and a 3-character secret that is never broadcast: match without it.
        if len(v) == 20 and v[16] == "-":
            v = v[:16]
        return v

    @classmethod
    def examples(cls) -> SignalExamples:
        return SignalExamples(canonical=("FIN87ASTRDGE12K8", "GBR-OP-1234"),
                              spellings=(("fin87astrdge12k8-xyz", "FIN87ASTRDGE12K8"),),
                              invalid=("", "X" * 21, "ÉTÉ"))
