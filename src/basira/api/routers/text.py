"""Text and URLs: the signals of a text, the canonical forms of a URL, and the organization's text classifiers
(train on a labelled CSV, read the held-out report and its chart, classify texts).

Matching text and URLs against banks goes through ``/v1/match`` like any other content.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from basira.api import uploads
from basira.api.deps import InstanceDep, PrincipalDep
from basira.api.params import errors
from basira.content import classifier
from basira.content.taxonomy import SCHEMES
from basira.content.text_service import text_signals, url_forms
from basira.core.instance import Instance
from basira.core.principal import Principal

router = APIRouter(prefix="/v1/text", tags=["text"], responses=errors(401))

Scheme = Literal["behaviour", "purpose"]
# No max_length here: a longer text gets 413 with the limit from the text module, not a schema error.
_TEXT = Field(min_length=1, description="The text (at most 1,000,000 bytes of UTF-8; longer texts get 413).")


class TextIn(BaseModel):
    """A text to hash."""

    text: str = _TEXT
    embedding: bool = Field(default=False, description="Also compute `text_embedding` (1,368 characters).")


class TextSignal(BaseModel):
    """One signal of the text."""

    signal_type: str
    value: str
    details: dict[str, Any] = Field(default_factory=dict)


class FoundUrlOut(BaseModel):
    """A URL written in the text; ``canonical`` is null (with ``error``) when it cannot be a signal."""

    raw: str
    canonical: str | None
    error: str | None = None


class TextHashOut(BaseModel):
    """The signals of a text; nothing was stored."""

    exact_form: str = Field(description="The lightly normalised text that `text_sha256` hashes.")
    matching_key: str = Field(description="The spelling-folded key that `text_minhash` shingles.")
    signals: list[TextSignal]
    urls: list[FoundUrlOut]


class UrlIn(BaseModel):
    """A URL to canonicalise."""

    url: str = Field(min_length=1, max_length=10_000)


class UrlOut(BaseModel):
    """The forms one URL takes as signals."""

    url: str = Field(description="The canonical URL (`url` signal).")
    url_prefix: str | None = Field(description="No trailing slash, identity-carrying query kept (`url_prefix` "
                                               "signal); null when it would cover a whole site.")
    domain: str = Field(description="The canonical host (`domain` signal).")
    registrable_domain: str = Field(description="The site per the Public Suffix List.")
    site: str = Field(description="telegram, youtube, facebook, x, tiktok, instagram, archive, file_locker, "
                                  "shortener (unresolved) or web.")
    lookalike_of: str | None = Field(description="The ASCII host an internationalised host imitates, if any.")
    warnings: list[str] = Field(description="Why a form is missing, an unresolved shortener, a look-alike host.")


class ClassifyIn(BaseModel):
    """Texts to classify with the organization's active classifier of a scheme."""

    texts: list[str] = Field(min_length=1, max_length=classifier.MAX_CLASSIFY)
    scheme: Scheme = "behaviour"


class ClassifierOut(BaseModel):
    """A trained classifier and its held-out evaluation (`report`: per-label precision, recall, F1, support,
    `macro_f1`, `accuracy` and `confusion_matrix`, rows the true labels in the order of `labels`)."""

    id: int
    scheme: str
    features: str
    labels: list[str]
    train_rows: int
    test_rows: int
    sha256: str
    created_at: str
    created_by: str
    report: dict[str, Any]


class ClassifyResult(BaseModel):
    """One text's most likely label and every label's probability."""

    label: str
    score: float
    scores: dict[str, float]
    explanation: dict[str, list[dict[str, str | float]]] = Field(
        default_factory=dict, description="The character n-grams (`ngrams`) and words (`words`) of the text that "
                                          "pushed most towards the label, with their weights.")


class ClassifyOut(BaseModel):
    """The classifier used and one result per text, in order."""

    classifier: ClassifierOut
    results: list[ClassifyResult]


class TaxonomyOut(BaseModel):
    """The label schemes and each label's definition."""

    schemes: dict[str, dict[str, str]]


@router.post("/hash", response_model=TextHashOut, responses=errors(400, 413, 422))
def hash_text(body: TextIn, inst: InstanceDep, principal: PrincipalDep) -> TextHashOut:
    """The signals Basira takes from a text (`text_sha256`, `text_minhash`, and `url`, `url_prefix`, `domain`
    for each URL written in it; `text_embedding` when asked), its normal forms and the URLs found. Nothing is
    stored. Any role may hash."""
    return TextHashOut.model_validate(text_signals(inst.registry, inst.settings, body.text, body.embedding))


@router.post("/url", response_model=UrlOut, responses=errors(422))
def canonical_url(body: UrlIn, principal: PrincipalDep) -> UrlOut:
    """The canonical forms of a URL: http(s) only (`javascript:` and `data:` URLs are refused), user names and
    passwords, default ports, fragments and tracking parameters dropped, mirrors folded."""
    return UrlOut.model_validate(url_forms(body.url))


@router.get("/taxonomy", response_model=TaxonomyOut)
def taxonomy(principal: PrincipalDep) -> TaxonomyOut:
    """The label schemes a classifier is trained on: `behaviour` (GIFCT-style) and `purpose`."""
    return TaxonomyOut(schemes=SCHEMES)


@router.post("/classify", response_model=ClassifyOut, responses=errors(400, 403, 404, 413, 422))
def classify(body: ClassifyIn, inst: InstanceDep, principal: PrincipalDep) -> ClassifyOut:
    """Classify texts with the organization's active classifier of the scheme. 404 when none was trained
    (the problem says how to train one). Admins, analysts and reviewers may classify."""
    with inst.db.session() as s:
        return ClassifyOut.model_validate(
            classifier.classify(s, principal, inst.settings, body.texts, body.scheme))


@router.get("/classifiers/{scheme}", response_model=ClassifierOut, responses=errors(404, 422))
def classifier_status(scheme: Scheme, inst: InstanceDep, principal: PrincipalDep) -> ClassifierOut:
    """The organization's active classifier of a scheme with its held-out report; 404 when none was trained."""
    with inst.db.session() as s:
        return ClassifierOut.model_validate(classifier.describe(classifier.active(s, principal, scheme)))


@router.get("/classifiers/{scheme}/confusion.png", responses={
    200: {"content": {"image/png": {}}, "description": "The confusion matrix of the held-out rows."},
    **errors(404, 422)})
def classifier_chart(scheme: Scheme, inst: InstanceDep, principal: PrincipalDep) -> Response:
    """The confusion matrix of the active classifier's held-out evaluation, as a PNG chart."""
    with inst.db.session() as s:
        row = classifier.active(s, principal, scheme)
    return Response(classifier.report_png(inst.settings, row), media_type="image/png")


_TRAIN_FORM: dict[str, Any] = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary",
             "description": "CSV (UTF-8) with a header row holding the columns `text` and `label`."},
    "features": {"type": "string", "enum": list(classifier.FEATURES), "default": "char"}}}


def _train(inst: Instance, principal: Principal, data: bytes, scheme: str, features: str) -> ClassifierOut:
    with inst.db.session() as s:
        return ClassifierOut.model_validate(classifier.describe(
            classifier.train(s, principal, inst.settings, data, scheme, features)))


@router.post("/classifiers/{scheme}", response_model=ClassifierOut, status_code=status.HTTP_201_CREATED,
             responses=errors(400, 403, 404, 413, 422),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": _TRAIN_FORM}}}})
async def train_classifier(scheme: Scheme, request: Request, inst: InstanceDep,
                           principal: PrincipalDep) -> ClassifierOut:
    """Train the organization's classifier of a scheme on a labelled CSV (multipart field `file`; `features`
    `char` or `char+embedding`): 80% of the rows train it, 20% (stratified) give the report. The new model
    replaces the active one. Labels must be those of the scheme (`GET /v1/text/taxonomy`). Admins and analysts."""
    principal.require_bank_write()
    async with uploads.receive(request, inst.settings) as up:
        data = up.content.path.read_bytes()
        features = up.text("features") or "char"
        return await run_in_threadpool(_train, inst, principal, data, scheme, features)
