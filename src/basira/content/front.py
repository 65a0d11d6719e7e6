"""The content front's manifest: photos, videos, texts and URLs hashed and matched against banks."""

from __future__ import annotations

from basira.content.cases import CONTENT_MATCH
from basira.content.settings import ContentSettings
from basira.core.fronts import CliGroup, FrontManifest

MANIFEST = FrontManifest(
    name="content",
    description="Photos (PDQ), videos (vPDQ), texts (hashes, MinHash, embeddings, classifier) and URLs.",
    signal_types=(
        "basira.content.photo:PDQSignal",
        "basira.content.video:VPDQSignal",
        "basira.content.text:TextSHA256Signal",
        "basira.content.minhash:TextMinHashSignal",
        "basira.content.embeddings:TextEmbeddingSignal",
        "basira.content.url_signals:UrlSignal",
        "basira.content.url_signals:UrlPrefixSignal",
        "basira.content.url_signals:DomainSignal",
    ),
    content_types=frozenset({"text", "url"}),
    case_kinds=(CONTENT_MATCH,),
    settings=ContentSettings,
    models=("basira.content.models",),
    routers=("basira.api.routers.text:router",),
    cli=(CliGroup("text", "basira.cli.text:cli_app"),),
    demo="basira.content.demo:seed",
    exercise="basira.content.exercise:HOOK",
    annotator="basira.content.classifier:annotate",
)
