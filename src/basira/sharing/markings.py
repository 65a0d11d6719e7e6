"""TLP 2.0 as STIX marking definitions: the standard ids both ways, and which marking is stricter.

The five TLP 2.0 marking definitions are the ones FIRST and OASIS published (extension
``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d``); their ids are fixed, so a partner's tool recognises
them without fetching anything. TLP 1.0 ids (WHITE, GREEN, AMBER, RED as the ``stix2`` library ships them) are
accepted on import and read as their TLP 2.0 equivalents.
"""

from __future__ import annotations

from typing import Any

from basira.core.models import TLP

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATOR = "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01"

TLP2_IDS: dict[TLP, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

# TLP 1.0 as STIX 2.1 defines it (stix2.TLP_WHITE and friends).
TLP1_IDS: dict[str, TLP] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}

_BY_ID: dict[str, TLP] = {**{v: k for k, v in TLP2_IDS.items()}, **TLP1_IDS}

#: From the widest audience to the narrowest.
STRICTNESS: dict[TLP, int] = {TLP.CLEAR: 0, TLP.GREEN: 1, TLP.AMBER: 2, TLP.AMBER_STRICT: 3, TLP.RED: 4}


def marking_definition(tlp: TLP) -> dict[str, Any]:
    """The standard TLP 2.0 marking-definition object for ``tlp``, exactly as published."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[tlp],
        "created_by_ref": TLP2_CREATOR,
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{tlp.value}",
        "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.value.lower()}},
    }


def tlp_of(marking_refs: object) -> TLP | None:
    """The strictest TLP among ``object_marking_refs`` (None when no TLP marking is there)."""
    if not isinstance(marking_refs, list):
        return None
    found = [_BY_ID[r] for r in marking_refs if isinstance(r, str) and r in _BY_ID]
    return max(found, key=STRICTNESS.__getitem__) if found else None


def stricter(a: TLP, b: TLP) -> bool:
    """Whether ``a`` restricts its audience more than ``b``."""
    return STRICTNESS[a] > STRICTNESS[b]
