"""Text and URLs end to end: matching through the matching service, the /v1/text routes, the classifier (trained
on neutral news, travel and textbook sentences with synthetic labels) and the ``basira text`` commands."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from basira.cli.main import app as cli
from basira.content import classifier
from basira.content.embeddings import TextEmbeddingSignal
from basira.content.minhash import TextMinHashSignal, text_minhash
from basira.content.text import TextSHA256Signal, as_content
from basira.content.url_signals import DomainSignal, UrlPrefixSignal, UrlSignal
from basira.core import banks, matching
from basira.core.errors import NotFound
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.core.signals import default_registry

TEXT_TYPES = (TextSHA256Signal, TextMinHashSignal, TextEmbeddingSignal, UrlSignal, UrlPrefixSignal, DomainSignal)
# Synthetic labels for neutral FLORES sentences: the label is the source site, never real extremist content.
SYNTHETIC = {"wikinews": "glorification", "wikivoyage": "instruction", "wikibooks": "none"}

ORIGINAL = ("أعلنت الحكومة اليوم عن خطة جديدة لتحسين التعليم في المدارس الابتدائية والثانوية في جميع أنحاء البلاد، "
            "وقال الوزير إن الخطة ستبدأ في العام المقبل.")
EDITED = ("عاجل: اعلنت الحكومه اليوم عن خطه جديده لتحسين التعليم في المدارس الإبتدائية والثانوية في كل انحاء البلاد، "
          "وقال الوزير إن الخطة ستبدأ العام القادم. #اخبار")


@pytest.fixture(autouse=True)
def _text_types_registered() -> None:
    """The text types as pyproject's entry points will register them (until then, registered here)."""
    for t in TEXT_TYPES:
        default_registry().register(t)


def _match(instance: Instance, admin: Principal, text: str, content_type: str = "text") -> dict[str, Any]:
    with as_content(text, instance.settings, content_type) as content, instance.db.session() as s:
        return matching.match_item(s, admin, instance.registry, instance.indexes, instance.settings,
                                   matching.MatchRequest(content=content, content_type=content_type, ref="post-1"))


def _bank(instance: Instance, admin: Principal, name: str, specs: list[banks.SignalSpec]) -> None:
    with instance.db.session() as s:
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name=name))
        banks.add_signals(s, admin, instance.registry, instance.settings, bank.id, specs)


def test_an_edited_copy_and_an_outlet_link_match_through_the_matching_service(
        instance: Instance, admin: Principal) -> None:
    value = text_minhash(ORIGINAL)
    assert value is not None
    _bank(instance, admin, "texts", [banks.SignalSpec("text_minhash", value, entry_ref="statement-1")])
    _bank(instance, admin, "outlets", [banks.SignalSpec("domain", "outlet.example", entry_ref="outlet-1")])
    result = _match(instance, admin, EDITED + " المصدر: https://news.outlet.example/a/b?utm_source=x")
    kinds = {m["signal_type"] for m in result["matches"]}
    assert result["matched"] and kinds == {"text_minhash", "domain"}
    assert next(m for m in result["matches"] if m["signal_type"] == "domain")["distance"] == 1.0
    assert result["item"]["id"] is not None
    # Only signals are kept for the item, never the text itself.
    assert all("الحكومة" not in s["value"] for s in result["item"]["signals"])


def test_an_unrelated_text_does_not_match(instance: Instance, admin: Principal) -> None:
    value = text_minhash(ORIGINAL)
    assert value is not None
    _bank(instance, admin, "texts", [banks.SignalSpec("text_minhash", value)])
    assert not _match(instance, admin, "The museum opened a new wing about shipbuilding.")["matched"]


def test_a_url_item_matches_a_url_bank_in_another_spelling(instance: Instance, admin: Principal) -> None:
    _bank(instance, admin, "links", [banks.SignalSpec("url", "https://t.me/somechannel/12")])
    result = _match(instance, admin, "http://telegram.me/s/somechannel/12?si=abc#x", "url")
    assert result["matched"]


def test_text_hash_route_gives_signals_and_urls(client: Any, admin_key: str) -> None:
    r = client.post("/v1/text/hash", headers={"X-API-Key": admin_key},
                    json={"text": "عاجل  https://t.me/s/chan/5 javascript:alert(1)"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {s["signal_type"] for s in body["signals"]} >= {"text_sha256", "text_minhash", "url", "domain"}
    assert body["urls"][0]["canonical"] == "https://t.me/chan/5"


@pytest.mark.parametrize(("payload", "status"), [
    ({"text": ""}, 422),
    ({"text": "\u200b\u202e"}, 400),
    ({"text": "\u200b\u202e\x00"}, 422),  # a NUL is refused before the route (issue 21: PostgreSQL's 500)
    ({"text": "x" * 10_000_000}, 413),  # 10 MB
])
def test_text_hash_route_refuses_bad_text(client: Any, admin_key: str, payload: dict[str, str],
                                          status: int) -> None:
    r = client.post("/v1/text/hash", headers={"X-API-Key": admin_key}, json=payload)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_url_route_refuses_javascript_urls(client: Any, admin_key: str) -> None:
    r = client.post("/v1/text/url", headers={"X-API-Key": admin_key}, json={"url": "javascript:alert(1)"})
    assert r.status_code == 422 and "http and https" in r.json()["detail"]
    ok = client.post("/v1/text/url", headers={"X-API-Key": admin_key}, json={"url": "https://a.b.bbc.co.uk/x/"})
    assert ok.json()["registrable_domain"] == "bbc.co.uk"


def _training_csv(shared_data: Path, n: int = 450) -> bytes:
    lines = (shared_data / "parallel" / "flores200_devtest.eng_Latn").read_text(encoding="utf-8").splitlines()
    meta = (shared_data / "parallel" / "flores200_devtest.metadata.tsv").read_text(encoding="utf-8").splitlines()[1:]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["text", "label"])
    rows = list(zip(lines, meta, strict=True))
    # The file is ordered by article: a stride mixes the three sites.
    for text, row in rows[:: max(1, len(rows) // n)][:n]:
        w.writerow([text, SYNTHETIC[row.split("\t")[1]]])
    return buf.getvalue().encode()


def test_classifier_without_a_model_says_so(client: Any, admin_key: str) -> None:
    r = client.post("/v1/text/classify", headers={"X-API-Key": admin_key}, json={"texts": ["hello"]})
    assert r.status_code == 404 and "no behaviour classifier has been trained" in r.json()["detail"]


def test_train_report_chart_and_classify_through_the_api(client: Any, admin_key: str, shared_data: Path) -> None:
    h = {"X-API-Key": admin_key}
    r = client.post("/v1/text/classifiers/behaviour", headers=h,
                    files={"file": ("data.csv", _training_csv(shared_data, 300), "text/csv")})
    assert r.status_code == 201, r.text
    report = r.json()["report"]
    assert set(report["per_label"]) == {"glorification", "instruction", "none"}
    # Three balanced synthetic classes: chance is 0.33; site style is learnable well above it.
    assert report["macro_f1"] > 0.5
    assert sum(map(sum, report["confusion_matrix"])) == r.json()["test_rows"]
    png = client.get("/v1/text/classifiers/behaviour/confusion.png", headers=h)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    out = client.post("/v1/text/classify", headers=h, json={"texts": [
        "The train station is a short walk from the old town, and tickets can be bought on board."]})
    assert out.status_code == 200
    assert set(out.json()["results"][0]["scores"]) == {"glorification", "instruction", "none"}


def test_training_refuses_unknown_labels_with_line_numbers(client: Any, admin_key: str) -> None:
    data = b"text,label\nhello there,none\nsome text,propaganda\n"
    r = client.post("/v1/text/classifiers/behaviour", headers={"X-API-Key": admin_key},
                    files={"file": ("data.csv", data, "text/csv")})
    assert r.status_code == 422
    assert r.json()["bad_rows"][0]["line"] == 3


def test_a_model_file_changed_on_disk_is_never_loaded(instance: Instance, admin: Principal,
                                                      shared_data: Path) -> None:
    with instance.db.session() as s:
        row = classifier.train(s, admin, instance.settings, _training_csv(shared_data, 90))
    path = instance.settings.data_dir / row.path
    path.write_bytes(path.read_bytes() + b"tampered")
    with instance.db.session() as s, pytest.raises(Exception, match="changed since it was trained"):
        classifier.classify(s, admin, instance.settings, ["hello"])
    with instance.db.session() as s, pytest.raises(NotFound):
        classifier.active(s, admin, "purpose")


def test_cli_train_status_and_classify(instance: Instance, org_id: int, shared_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_bytes(_training_csv(shared_data, 90))
    base = ["--data-dir", str(instance.settings.data_dir)]
    env = {"BASIRA_DATABASE_URL": instance.settings.resolved_database_url}
    runner = CliRunner()
    none = runner.invoke(cli, [*base, "text", "status"], env=env)
    assert none.exit_code == 66 and "no behaviour classifier" in none.output
    trained = runner.invoke(cli, [*base, "text", "train", str(data), "--chart", str(tmp_path / "cm.png")], env=env)
    assert trained.exit_code == 0, trained.output
    assert "macro F1" in trained.output and (tmp_path / "cm.png").read_bytes().startswith(b"\x89PNG")
    result = runner.invoke(cli, [*base, "text", "classify", "Tickets are sold at the station.", "--json"], env=env)
    assert result.exit_code == 0, result.output
    bad = runner.invoke(cli, [*base, "text", "url", "data:text/html,hi"], env=env)
    assert bad.exit_code == 65 and "only http and https" in bad.output
