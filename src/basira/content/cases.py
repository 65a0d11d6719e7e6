"""The content front's case kind: ``content_match`` (hash and text hits on submitted content) and its reasons.

The reasons are the five grounds of the definition of terrorist content in Article 2(7) of Regulation (EU)
2021/784 (``incites``, ``solicits``, ``solicits_to_join``, ``instructs``, ``threatens``), behaviour codes in the
manner of the GIFCT hash-sharing taxonomy, and ``not_violating``.
"""

from __future__ import annotations

import datetime as dt

from basira.core.caseshapes import MatchesEvidence
from basira.core.fronts import CaseKindSpec, EvidenceView, Reason
from basira.core.models import OpinionKind

EU_2021_784 = "Regulation (EU) 2021/784, Art. 2(7)"
_C, _F = OpinionKind.CONFIRMED, OpinionKind.FALSE_POSITIVE


class ContentMatchEvidence(MatchesEvidence):
    """``content_match``: the item(s) with one platform reference and their matches."""


REASONS: tuple[Reason, ...] = (
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

CONTENT_MATCH = CaseKindSpec(
    name="content_match",
    moderates_content=True,
    description="Hits of submitted content (photos, videos, texts, URLs, files) on banks; grouped by item reference.",
    # Hash hits on a platform are reviewed within a working day.
    sla=dt.timedelta(hours=24),
    evidence=ContentMatchEvidence,
    reasons=REASONS,
    content_types=frozenset({"photo", "video", "text", "url", "file"}),
    fallback=True,
    view=EvidenceView(template="_evidence_content.html"),
)
