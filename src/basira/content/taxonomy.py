"""The label taxonomy of text classifiers: two schemes, each a closed list of labels with a definition.

``behaviour`` follows the GIFCT behavioural taxonomy of terrorist and violent extremist content; ``purpose``
follows the ideological / instructional / inspirational split used by Tech Against Terrorism and Europol.
Both have ``none`` for content that is none of these, which every training set needs to learn the difference.
"""

from __future__ import annotations

from basira.core.errors import InvalidInput

SCHEMES: dict[str, dict[str, str]] = {
    "behaviour": {
        "glorification": "Praises, celebrates or justifies an attack, a perpetrator or a designated group.",
        "recruitment": "Invites people to join, travel for, fund or otherwise support a designated group.",
        "instruction": "Explains how to carry out an attack, make a weapon or evade security.",
        "imminent_threat": "Announces or threatens violence against a specific target, place or time.",
        "graphic_violence": "Describes or shows killing or injury of people to terrorise or to celebrate it.",
        "none": "None of the above (news, counter-speech, research, everyday talk).",
    },
    "purpose": {
        "ideological": "States the doctrine, grievances and worldview of a group.",
        "instructional": "Teaches skills: weapons, tactics, security, logistics.",
        "inspirational": "Aims to inspire acts: martyrdom, heroes, calls to action.",
        "none": "None of the above.",
    },
}


def check_scheme(scheme: str) -> str:
    """``scheme`` if it is a known scheme, else :class:`InvalidInput` naming the schemes."""
    if scheme not in SCHEMES:
        raise InvalidInput(f"unknown label scheme {scheme!r} (known: {', '.join(sorted(SCHEMES))})")
    return scheme


def check_label(scheme: str, label: str) -> str:
    """``label`` (spaces and hyphens read as underscores) if ``scheme`` has it, else :class:`InvalidInput`."""
    norm = label.strip().lower().replace(" ", "_").replace("-", "_")
    if norm not in SCHEMES[check_scheme(scheme)]:
        raise InvalidInput(f"unknown label {label[:60]!r} for the {scheme} scheme "
                           f"(known: {', '.join(SCHEMES[scheme])})")
    return norm
