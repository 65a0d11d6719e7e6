"""The finance front's manifest: sanctions lists, Arabic-aware name screening and wallets."""

from __future__ import annotations

from basira.core.fronts import CliGroup, FrontManifest
from basira.finance.cases import SCREENING_HIT

MANIFEST = FrontManifest(
    name="finance",
    description="Sanctions lists (UN, OFAC, EU, CSV), name and wallet screening, monitoring.",
    signal_types=(
        "basira.finance.signals:NameSignal",
        "basira.finance.signals:CryptoAddressSignal",
        "basira.finance.signals:IdentifierSignal",
    ),
    content_types=frozenset({"person", "organization", "wallet"}),
    case_kinds=(SCREENING_HIT,),
    models=("basira.finance.models",),
    routers=("basira.api.routers.screening:router",),
    cli=(CliGroup("screen", "basira.cli.screen:cli_app"), CliGroup("lists", "basira.cli.finance:cli_app")),
    demo="basira.finance.demo:seed",
    exercise="basira.finance.exercise:HOOK",
)
