"""The reason codes a reviewer chooses from, per case kind, and what each one does.

Content (``content_match``)
    The five grounds of the definition of terrorist content in Article 2(7) of Regulation (EU) 2021/784:
    ``incites``, ``solicits``, ``solicits_to_join``, ``instructs``, ``threatens``; behaviour codes in the manner of
    the GIFCT hash-sharing taxonomy (``imminent_threat``, ``graphic_violence``, ``glorification``, ``recruitment``,
    ``attacker_manifesto``, ``attack_footage``, ``branded_propaganda``); and ``not_violating``.
Finance (``screening_hit``)
    ``true_match`` (the customer is the listed person or organization), ``false_positive`` (someone else), and
    ``needs_information`` (the reviewer cannot tell yet; the case stays open).
Drones (``drone_alert``)
    ``confirmed`` (a real incursion or a watched drone), ``benign`` (an authorised or harmless flight, or a wrong
    alert), ``spoofed`` (the Remote ID data were forged or replayed).

Each reason says which opinion the decision records on the signals of the case (``confirmed``, ``false_positive``
or none), whether it decides the case, and whether it suppresses the same hit in future.
"""

from __future__ import annotations

from dataclasses import dataclass

from basira.core.errors import InvalidInput
from basira.core.models import OpinionKind
from basira.review.models import CaseKind

EU_2021_784 = "Regulation (EU) 2021/784, Art. 2(7)"


@dataclass(frozen=True)
class Reason:
    """One reason code.

    Attributes:
        code: The stable code stored on decisions and sent in events.
        label: A short English label (the web UI translates it).
        description: What the reviewer asserts by choosing it.
        opinion: The opinion recorded on the case's signals, or None to record none.
        decides: Whether the decision closes the review (False keeps the case in review).
        violating: Whether the decision finds the content, customer or flight to be a problem (drives actions).
        basis: The legal or policy basis, when there is one to cite.
    """

    code: str
    label: str
    description: str
    opinion: OpinionKind | None
    decides: bool = True
    violating: bool = True
    basis: str = ""

    @property
    def suppresses(self) -> bool:
        """A false positive keeps the same query value from raising a case against the same signal again."""
        return self.opinion == OpinionKind.FALSE_POSITIVE


_C, _F = OpinionKind.CONFIRMED, OpinionKind.FALSE_POSITIVE

CONTENT: tuple[Reason, ...] = (
    Reason("incites", "Incites terrorist offences",
           "Incites, including by glorifying terrorist acts, the commission of a terrorist offence.", _C,
           basis=f"{EU_2021_784}(a)"),
    Reason("solicits", "Solicits terrorist offences",
           "Asks a person or a group to commit or contribute to a terrorist offence.", _C, basis=f"{EU_2021_784}(b)"),
    Reason("solicits_to_join", "Solicits participation in a terrorist group",
           "Asks a person or a group to take part in the activities of a terrorist group.", _C,
           basis=f"{EU_2021_784}(c)"),
    Reason("instructs", "Gives instruction for terrorist offences",
           "Teaches how to make or use weapons or hazardous substances, or other methods for terrorist offences.",
           _C, basis=f"{EU_2021_784}(d)"),
    Reason("threatens", "Threatens a terrorist offence",
           "Threatens to commit a terrorist offence.", _C, basis=f"{EU_2021_784}(e)"),
    Reason("imminent_threat", "Imminent, credible threat",
           "Points to a specific attack that may be about to happen; escalate to the authorities.", _C),
    Reason("graphic_violence", "Graphic violence against defenceless people",
           "Shows killing or injury of defenceless people by a terrorist group or attacker.", _C),
    Reason("glorification", "Glorification of terrorist acts",
           "Praises an attack, attackers or a terrorist group.", _C),
    Reason("recruitment", "Recruitment",
           "Seeks members, fighters or supporters for a terrorist group.", _C),
    Reason("attacker_manifesto", "Attacker manifesto",
           "A text published by an attacker about the attack.", _C),
    Reason("attack_footage", "Attack footage",
           "Recording or live stream made by a perpetrator during an attack.", _C),
    Reason("branded_propaganda", "Branded propaganda",
           "Official media output of a designated terrorist group, carrying its branding.", _C),
    Reason("not_violating", "Not violating",
           "The item is not terrorist content (a wrong match, or reporting, research, counter-speech).", _F,
           violating=False),
)

FINANCE: tuple[Reason, ...] = (
    Reason("true_match", "True match",
           "The customer or counterparty is the listed person, organization or wallet.", _C),
    Reason("false_positive", "False positive",
           "The customer or counterparty is not the listed one.", _F, violating=False),
    Reason("needs_information", "Needs information",
           "The reviewer needs more identifying information before deciding; the case stays in review.", None,
           decides=False, violating=False),
)

DRONES: tuple[Reason, ...] = (
    Reason("confirmed", "Confirmed",
           "A real incursion, a watched drone or operator, or an emergency that needs a response.", _C),
    Reason("benign", "Benign",
           "An authorised or harmless flight, or an alert raised in error.", _F, violating=False),
    Reason("spoofed", "Spoofed",
           "The Remote ID broadcast was forged or replayed; the identity in it cannot be trusted.", None),
)

REASONS: dict[str, tuple[Reason, ...]] = {
    CaseKind.CONTENT_MATCH.value: CONTENT,
    CaseKind.SCREENING_HIT.value: FINANCE,
    CaseKind.DRONE_ALERT.value: DRONES,
}


def reasons_for(kind: str) -> tuple[Reason, ...]:
    """The reason codes a reviewer may choose for a case of ``kind``."""
    try:
        return REASONS[kind]
    except KeyError:
        raise InvalidInput(f"unknown case kind {kind!r}") from None


def reason_for(kind: str, code: str) -> Reason:
    """The reason ``code`` of case kind ``kind``, or InvalidInput naming the codes that exist."""
    options = reasons_for(kind)
    for r in options:
        if r.code == code:
            return r
    raise InvalidInput(f"unknown reason {code!r} for a {kind} case ({', '.join(r.code for r in options)})")
