"""The finance front's manifest: sanctions lists, Arabic-aware name screening and wallets."""

from __future__ import annotations

from basira.core.fronts import CliGroup, FrontManifest, RetentionKind, RetentionPart
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
    pages=("basira.web.admin_lists:router",),
    cli=(CliGroup("screen", "basira.cli.screen:cli_app"), CliGroup("lists", "basira.cli.finance:cli_app")),
    demo="basira.finance.demo:seed",
    reports={"goaml_subject": "basira.finance.goaml:subject", "supervisor": "basira.finance.supervisor:list_updates"},
    retention=(
        RetentionKind(
            "customers", "screened customers and their screening results (person, organization and wallet items)",
            default_days=1825, parts=(
                RetentionPart(table="finance_customers", age_column="screened_at", subjects=(("customer", "ref"),),
                              data_subject="customer"),
                RetentionPart(table="items", age_column="created_at", content_types=SCREENING_HIT.content_types,
                              subjects=(("item", "ref"), ("customer", "ref")), data_subject="customer"),
            )),
    ),
    exercise="basira.finance.exercise:HOOK",
)
