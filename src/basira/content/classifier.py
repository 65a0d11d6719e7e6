"""Text classifiers that an organization trains on its own labelled moderation data, and nothing pretends.

A CSV of ``text,label`` rows is split 80/20 (stratified); character n-gram TF-IDF of the spelling-folded text
(optionally with the multilingual sentence embedding) feeds a logistic regression; the held-out fifth gives the
report (precision, recall, F1 per label, the confusion matrix, also drawn as a PNG). The model file is written in
the organization's folder under the data folder, its SHA-256 recorded in the database, and checked before the file
is loaded: joblib (pickle) files run code when loaded, so Basira only ever loads the files it wrote itself, never
a model that came from elsewhere. Without a trained model, classifying is refused with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import string
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped]
import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from basira.content.models import TextClassifier
from basira.content.taxonomy import SCHEMES, check_label, check_scheme
from basira.content.text import MAX_TEXT_BYTES, prepare, read_text
from basira.core import audit
from basira.core.errors import ConfigurationError, Conflict, ContentTooLarge, EmptyContent, InvalidInput, NotFound
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import Content

MAX_CSV_BYTES = 100 * 1024 * 1024
MAX_ROWS = 200_000
MIN_PER_LABEL = 5
MAX_CLASSIFY = 1000
FEATURES = ("char", "char+embedding")

_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


def folded(text: str) -> str:
    """What the n-grams are taken from: the matching key (module level so that the saved model can name it)."""
    try:
        return prepare(text).key
    except EmptyContent:
        return ""


def embedded(texts: Any) -> np.ndarray:
    """Sentence embeddings of a column of texts (module level for the same reason)."""
    from basira.content.embeddings import embed_exact

    exact = []
    for t in texts:
        try:
            exact.append(prepare(str(t)).exact)
        except EmptyContent:
            exact.append(".")
    return embed_exact(exact)


@dataclass(frozen=True)
class LabelledRows:
    """Training data read from a CSV."""

    texts: list[str]
    labels: list[str]


def read_csv(data: bytes, scheme: str) -> LabelledRows:
    """The ``text,label`` rows of a CSV (a header naming both columns; other columns are ignored).

    Raises:
        ContentTooLarge: Over :data:`MAX_CSV_BYTES` or :data:`MAX_ROWS`.
        InvalidInput: Not UTF-8, no ``text``/``label`` header, a label outside the scheme (with line numbers),
            fewer than two labels or fewer than :data:`MIN_PER_LABEL` rows of one label.
    """
    if len(data) > MAX_CSV_BYTES:
        raise ContentTooLarge(f"the CSV is {len(data)} bytes, over the limit of {MAX_CSV_BYTES}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"the CSV is not valid UTF-8 (bad byte at offset {e.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "text" not in fields or "label" not in fields:
        raise InvalidInput("the CSV needs a header row with the columns text and label")
    reader.fieldnames = fields
    texts: list[str] = []
    labels: list[str] = []
    bad: list[dict[str, Any]] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(texts) >= MAX_ROWS:
                raise ContentTooLarge(f"the CSV has more than {MAX_ROWS} rows")
            body = (row.get("text") or "").strip()
            label = (row.get("label") or "").strip().lower()
            try:
                if not body or len(body.encode("utf-8")) > MAX_TEXT_BYTES:
                    raise InvalidInput("the text is empty or over the size limit")
                labels.append(check_label(scheme, label))
                texts.append(body)
            except InvalidInput as e:
                if len(bad) < 50:
                    bad.append({"line": line, "reason": e.detail})
    except csv.Error as e:
        raise InvalidInput(f"the CSV is malformed ({e})") from None
    if bad:
        raise InvalidInput(f"{len(bad)} rows of the CSV are not usable", bad_rows=bad)
    counts = {label: labels.count(label) for label in sorted(set(labels))}
    if len(counts) < 2:
        raise InvalidInput("training needs rows of at least two labels (for example a behaviour and none)")
    thin = {k: v for k, v in counts.items() if v < MIN_PER_LABEL}
    if thin:
        raise InvalidInput(f"each label needs at least {MIN_PER_LABEL} rows to train and evaluate; too few: "
                           + ", ".join(f"{k} ({v})" for k, v in thin.items()))
    return LabelledRows(texts, labels)


def _pipeline(features: str) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import FeatureUnion, Pipeline  # type: ignore[import-untyped]
    from sklearn.preprocessing import FunctionTransformer  # type: ignore[import-untyped]

    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), preprocessor=folded, sublinear_tf=True,
                           min_df=2, max_features=100_000)
    if features == "char":
        union: Any = char
    else:
        union = FeatureUnion([("char", char), ("embedding", FunctionTransformer(embedded))])
    return Pipeline([("features", union),
                     ("model", LogisticRegression(
        max_iter=3000, class_weight="balanced", C=10.0, solver="saga"))])


def evaluate(model: Any, texts: list[str], truth: list[str], labels: list[str]) -> dict[str, Any]:
    """The held-out report: per-label precision, recall, F1, support; the confusion matrix; accuracy."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support  # type: ignore[import-untyped]

    predicted = list(model.predict(texts))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    return {
        "labels": labels,
        "per_label": {lab: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                            "f1": round(float(f[i]), 4), "support": int(s[i])} for i, lab in enumerate(labels)},
        "macro_f1": round(float(np.mean(f)), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "confusion_matrix": confusion_matrix(truth, predicted, labels=labels).tolist(),
    }


def confusion_png(report: dict[str, Any]) -> bytes:
    """The confusion matrix as a PNG chart (matplotlib, Agg: no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = report["labels"]
    matrix = np.asarray(report["confusion_matrix"])
    fig = Figure(figsize=(1.6 + 0.9 * len(labels), 1.2 + 0.8 * len(labels)), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true (held-out rows)")
    top = matrix.max() if matrix.size else 0
    for (i, j), n in np.ndenumerate(matrix):
        ax.text(j, i, str(n), ha="center", va="center", color="white" if n > top / 2 else "black")
    ax.set_title(f"accuracy {report['accuracy']:.3f}, macro F1 {report['macro_f1']:.3f}")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _folder(settings: Settings, org_id: int) -> Path:
    return settings.data_dir / "classifiers" / f"org-{org_id}"


def train(session: Session, principal: Principal, settings: Settings, data: bytes, scheme: str = "behaviour",
          features: str = "char") -> TextClassifier:
    """Train, evaluate on a held-out fifth, save, and make the new model the organization's active one."""
    from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]

    principal.require_bank_write()
    check_scheme(scheme)
    if features not in FEATURES:
        raise InvalidInput(f"features is one of {', '.join(FEATURES)}, not {features!r}")
    rows = read_csv(data, scheme)
    labels = sorted(set(rows.labels))
    x_train, x_test, y_train, y_test = train_test_split(rows.texts, rows.labels, test_size=0.2, random_state=0,
                                                        stratify=rows.labels)
    model = _pipeline(features)
    try:
        model.fit(x_train, y_train)
    except ValueError as e:  # e.g. every text empty after folding, so no n-gram survives min_df
        raise InvalidInput(f"the texts give nothing to learn from ({e})") from None
    report = evaluate(model, x_test, y_test, labels)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    raw = buffer.getvalue()
    digest = hashlib.sha256(raw).hexdigest()
    folder = _folder(settings, principal.org_id)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{scheme}-{stamp}.joblib"
    path.write_bytes(raw)
    path.with_suffix(".png").write_bytes(confusion_png(report))
    session.execute(update(TextClassifier).where(TextClassifier.org_id == principal.org_id,
                                                 TextClassifier.scheme == scheme).values(active=False))
    row = TextClassifier(org_id=principal.org_id, scheme=scheme, features=features, labels=labels, report=report,
                         train_rows=len(x_train), test_rows=len(x_test),
                         path=str(path.relative_to(settings.data_dir)), sha256=digest, active=True,
                         created_by=principal.actor[:64])
    session.add(row)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="text.classifier.train",
                 target=f"text_classifier:{row.id}",
                 details={"scheme": scheme, "features": features, "rows": len(rows.texts),
                          "macro_f1": report["macro_f1"], "sha256": digest})
    return row


def active(session: Session, principal: Principal, scheme: str = "behaviour") -> TextClassifier:
    """The organization's active classifier for ``scheme``; :class:`NotFound` with the reason when none."""
    check_scheme(scheme)
    row = session.scalar(select(TextClassifier).where(
        TextClassifier.org_id == principal.org_id, TextClassifier.scheme == scheme,
        TextClassifier.active.is_(True)).order_by(TextClassifier.id.desc()).limit(1))
    if row is None:
        raise NotFound(f"no {scheme} classifier has been trained for this organization: train one with "
                       f"`basira text train data.csv` or POST /v1/text/classifiers/{scheme}")
    return row


def _load(settings: Settings, row: TextClassifier) -> Any:
    with _cache_lock:
        cached = _cache.get(row.sha256)
        if cached is not None:
            return cached
        path = settings.data_dir / row.path
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise Conflict(f"the model file of classifier {row.id} cannot be read ({e.strerror}): retrain") from None
        if hashlib.sha256(raw).hexdigest() != row.sha256:
            # Never unpickle a file that is not byte for byte the one Basira wrote.
            raise ConfigurationError(f"the model file {path} was changed since it was trained; it is not loaded "
                                     "(retrain to replace it)")
        model = joblib.load(io.BytesIO(raw))
        _cache[row.sha256] = model
        return model


def classify(session: Session, principal: Principal, settings: Settings, texts: list[str],
             scheme: str = "behaviour") -> dict[str, Any]:
    """Each text's most likely label, with every label's probability, from the active classifier."""
    principal.require_match()
    if not texts or len(texts) > MAX_CLASSIFY:
        raise InvalidInput(f"send 1-{MAX_CLASSIFY} texts")
    for t in texts:
        prepare(t)  # refuses empty and oversized texts with their reason
    row = active(session, principal, scheme)
    model = _load(settings, row)
    probs = model.predict_proba(texts)
    classes = [str(c) for c in model.classes_]
    results = []
    for text, p in zip(texts, probs, strict=True):
        order = np.argsort(-p)
        label = classes[int(order[0])]
        results.append({"label": label, "score": round(float(p[order[0]]), 4),
                        "scores": {classes[int(i)]: round(float(p[i]), 4) for i in order},
                        "explanation": explain(model, text, label)})
    return {"classifier": describe(row), "results": results}


def annotate(session: Session, principal: Principal, settings: Settings, content: Content) -> dict[str, Any] | None:
    """The content front's annotator (see ``FrontManifest.annotator``): for a matched text, the label each of the
    organization's active classifiers gives it and why, kept in the match explanations and shown on the case page.
    None for other content or when the organization has trained no classifier."""
    if content.content_type != "text":
        return None
    found: list[dict[str, Any]] = []
    text = read_text(content)
    for scheme in SCHEMES:
        try:
            row = active(session, principal, scheme)
        except NotFound:
            continue
        try:
            model = _load(settings, row)
        except ConfigurationError as e:
            found.append({"scheme": scheme, "error": e.detail})
            continue
        probs = model.predict_proba([text])[0]
        classes = [str(c) for c in model.classes_]
        best = int(np.argmax(probs))
        why = explain(model, text, classes[best])
        found.append({"scheme": scheme, "classifier_id": row.id, "label": classes[best],
                      "score": round(float(probs[best]), 4), "words": [w["feature"] for w in why["words"]],
                      "ngrams": [g["feature"] for g in why["ngrams"]]})
    return {"classifiers": found} if found else None


_PUNCTUATION = string.punctuation + "،؛؟«»“”…"
#: Features listed behind a label.
TOP_FEATURES = 8


def explain(model: Any, text: str, label: str) -> dict[str, Any]:
    """Why the model gave ``label``: the character n-grams of the text that pushed most towards it rather than
    the other labels (each one's TF-IDF weight in the text times its coefficient for the label less the mean of
    the labels' coefficients), and the words those n-grams make up, summed per word. The sentence-embedding
    features of a ``char+embedding`` model are not broken down (their share is left out)."""
    features = model.named_steps["features"]
    char = features if hasattr(features, "vocabulary_") else features.transformer_list[0][1]
    lr = model.named_steps["model"]
    classes = [str(c) for c in lr.classes_]
    coef = np.asarray(lr.coef_, dtype=np.float64)
    if coef.shape[0] == 1:  # two labels: one row, for the second label
        coef = np.vstack([-coef[0], coef[0]])
    n_char = len(char.vocabulary_)
    weights = coef[classes.index(label), :n_char] - coef[:, :n_char].mean(axis=0)
    x = char.transform([text]).tocsr()
    names = char.get_feature_names_out()
    contrib = {str(names[j]): float(v * weights[j]) for j, v in zip(x.indices, x.data, strict=True)}
    ngrams = sorted(((g, c) for g, c in contrib.items() if c > 0), key=lambda gc: -gc[1])[:TOP_FEATURES]
    words: dict[str, float] = {}
    for word in set(folded(text).split()):
        padded = f" {word} "
        score = sum(c for g, c in contrib.items() if g in padded)
        shown = word.strip(_PUNCTUATION) or word
        if score > 0:
            words[shown] = max(score, words.get(shown, 0.0))
    top_words = sorted(words.items(), key=lambda wc: -wc[1])[:TOP_FEATURES]
    return {"ngrams": [{"feature": g, "weight": round(c, 4)} for g, c in ngrams],
            "words": [{"feature": w, "weight": round(c, 4)} for w, c in top_words]}


def describe(row: TextClassifier) -> dict[str, Any]:
    """A classifier as the API and CLI show it."""
    return {"id": row.id, "scheme": row.scheme, "features": row.features, "labels": row.labels,
            "train_rows": row.train_rows, "test_rows": row.test_rows, "sha256": row.sha256,
            "created_at": row.created_at.isoformat(), "created_by": row.created_by, "report": row.report}


def report_png(settings: Settings, row: TextClassifier) -> bytes:
    """The confusion-matrix chart saved with the model (drawn again from the report if the file is gone)."""
    path = (settings.data_dir / row.path).with_suffix(".png")
    try:
        return path.read_bytes()
    except OSError:
        return confusion_png(row.report)
