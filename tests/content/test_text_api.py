"""Text and URLs end to end: matching through the matching service, the /v1/text routes, the classifier (trained
on neutral news, travel and textbook sentences with synthetic labels) and the ``basira text`` commands."""

from __future__ import annotations

import csv
import io
import json
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


def test_links_people_really_post_match_through_the_matching_service(instance: Instance, admin: Principal) -> None:
    _bank(instance, admin, "links", [banks.SignalSpec("url", "https://t.me/SomeChannel/123"),
                                     banks.SignalSpec("url_prefix", "https://www.youtube.com/watch?v=abc"),
                                     banks.SignalSpec("domain", "example-news.ma")])
    result = _match(instance, admin, "انظر t.me/s/somechannel/123 و https://youtu.be/abc?t=30s و "
                                     "https://exämple-news.ma/x و https://youtu.be/abd و https://bit.ly/XyZ")
    hits = {(m["signal_type"], m["signal"]["value"]) for m in result["matches"]}
    assert hits == {("url", "https://t.me/somechannel/123"), ("url_prefix", "https://youtube.com/watch?v=abc"),
                    ("domain", "example-news.ma")}
    signals = result["item"]["signals"]
    flagged = [s for s in signals if s["signal_type"] == "domain" and s.get("details", {}).get("lookalike_of")]
    assert flagged and flagged[0]["details"]["lookalike_of"] == "example-news.ma"
    short = [s for s in signals if s["signal_type"] == "url" and "bit.ly" in s["value"]]
    assert short[0]["details"] == {"url": "https://bit.ly/XyZ", "site": "shortener", "unresolved": True}


def test_a_whole_site_url_prefix_is_never_banked_from_content(instance: Instance, admin: Principal) -> None:
    with as_content("https://www.youtube.com/watch", instance.settings, "url") as content:
        banked = matching.extract(instance.registry, instance.settings, content, for_bank=True)
    assert "url_prefix" not in {s.signal_type for s in banked} and "url" in {s.signal_type for s in banked}


def test_cli_text_url_refuses_a_bare_word_and_warns_on_shorteners(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path)]
    bad = runner.invoke(cli, [*base, "text", "url", "hello"])
    assert bad.exit_code == 65 and "not a public host name" in bad.output
    short = runner.invoke(cli, [*base, "text", "url", "https://bit.ly/AbC"])
    assert short.exit_code == 0 and "unresolved" in short.output and "shortener" in short.output


def _article(shared_data: Path, start: int, lang: str = "eng") -> list[str]:
    """An NTREX-style news article: 4 paragraphs of 3 consecutive sentences of the shipped NTREX news text."""
    lines = (shared_data / "parallel" / f"ntrex128.{lang}").read_text(encoding="utf-8").splitlines()
    return [" ".join(lines[start + 3 * i:start + 3 * i + 3]) for i in range(4)]


def test_an_article_is_found_by_a_banked_paragraph_and_the_reverse(
        instance: Instance, admin: Principal, shared_data: Path) -> None:
    article = _article(shared_data, 40)
    other = _article(shared_data, 400, "arb")
    with as_content(other[2], instance.settings) as content:
        paragraph_values = matching.extract(instance.registry, instance.settings, content, for_bank=True)
    with as_content("\n\n".join(article), instance.settings) as content:
        article_values = matching.extract(instance.registry, instance.settings, content, for_bank=True)
    specs = [banks.SignalSpec(s.signal_type, s.value, entry_ref=ref)
             for ref, values in (("paragraph", paragraph_values), ("article", article_values))
             for s in values if s.signal_type == "text_minhash"]
    _bank(instance, admin, "texts", specs)
    # A re-post of the whole other article (paragraphs merged into one block) finds the banked paragraph ...
    whole = _match(instance, admin, " ".join(other))
    hit = next(m for m in whole["matches"] if m["entry"]["ref"] == "paragraph")
    assert hit["explanation"]["containment"] == 1.0 and hit["distance"] == 0.0
    # ... and one paragraph of the banked article finds the article, its containment in the explanation.
    part = _match(instance, admin, "عاجل: " + article[1])
    hits = [m for m in part["matches"] if m["entry"]["ref"] == "article"]
    assert hits and max(m["explanation"]["containment"] for m in hits) >= 0.9


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
    explained = json.loads(result.stdout)["results"][0]["explanation"]
    assert explained["ngrams"] and all(w["weight"] > 0 for w in explained["words"])
    assert {w["feature"] for w in explained["words"]} <= {"tickets", "are", "sold", "at", "the", "station"}
    shown = runner.invoke(cli, [*base, "text", "classify", "Tickets are sold at the station."], env=env)
    assert "because of:" in shown.output
    bad = runner.invoke(cli, [*base, "text", "url", "data:text/html,hi"], env=env)
    assert bad.exit_code == 65 and "only http and https" in bad.output


def test_a_matched_text_carries_the_classifier_label_and_why_to_the_case_page(
        instance: Instance, admin: Principal, shared_data: Path) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import select
    from tests.factories import PASSWORD, make_user
    from tests.web.helpers import sign_in

    from basira.api.app import create_app
    from basira.review import consume
    from basira.review.models import Case

    with instance.db.session() as s:
        classifier.train(s, admin, instance.settings, _training_csv(shared_data, 90))
    value = text_minhash(ORIGINAL)
    assert value is not None
    _bank(instance, admin, "texts", [banks.SignalSpec("text_minhash", value, entry_ref="statement-1")])
    result = _match(instance, admin, EDITED)
    (hit,) = result["matches"]
    (label,) = hit["explanation"]["classifiers"]
    assert label["scheme"] == "behaviour" and label["label"] in SYNTHETIC.values() and label["words"]
    assert 0 < hit["explanation"]["containment"] <= 1
    consume(instance.db.session)
    with instance.db.session() as s:
        cid = s.scalars(select(Case.id)).one()
    make_user(instance, admin, "rita", "reviewer")
    client = TestClient(create_app(instance))
    assert sign_in(client, "rita", PASSWORD).url.path == "/"
    page = client.get(f"/cases/{cid}").text
    assert "Text classifier" in page and f"<bdi>{label['label']}</bdi>" in page and "Because of:" in page
    assert f"<bdi class=\"mono\">{label['words'][0]}</bdi>" in page and "containment" in page
    arabic = client.get(f"/cases/{cid}?lang=ar").text
    assert "مصنِّف النصوص" in arabic and "بسبب:" in arabic
    assert "Classifieur de texte" in client.get(f"/cases/{cid}?lang=fr").text
