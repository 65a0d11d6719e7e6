"""``basira text``: the signals of a text, canonical URLs, and the organization's text classifiers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from basira.cli.common import JsonOption, OrgOption, echo_json, out, principal, state
from basira.content import classifier
from basira.content.taxonomy import SCHEMES
from basira.content.text import MAX_TEXT_BYTES, decode_text
from basira.content.text_service import text_signals, url_forms
from basira.core.errors import ContentTooLarge, InvalidInput

cli_app = typer.Typer(help="Text and URLs: signals, canonical URLs, and classifiers trained on your own labels.",
                      no_args_is_help=True)

TextArg = Annotated[str | None, typer.Argument(help="The text (or use --file; '-' reads standard input).")]
FileOption = Annotated[Path | None, typer.Option("--file", "-f", help="Read the text from this UTF-8 file.")]
SchemeOption = Annotated[str, typer.Option("--scheme", help="Label scheme: behaviour or purpose.")]


def _text(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        raise InvalidInput("give the text as an argument or with --file, not both")
    if file is not None:
        if file.stat().st_size > MAX_TEXT_BYTES:
            raise ContentTooLarge(f"{file} is over the limit of {MAX_TEXT_BYTES} bytes")
        return decode_text(file.read_bytes())
    if text == "-":
        return decode_text(sys.stdin.buffer.read(MAX_TEXT_BYTES + 1))
    return text or ""


@cli_app.command("hash")
def hash_text(ctx: typer.Context, text: TextArg = None, file: FileOption = None,
              embedding: Annotated[bool, typer.Option("--embedding", help="Also compute text_embedding.")] = False,
              as_json: JsonOption = False) -> None:
    """Print the signals of a text (text_sha256, text_minhash, URLs); nothing is stored."""
    inst = state(ctx).instance()
    result = text_signals(inst.registry, inst.settings, _text(text, file), embedding)
    if as_json:
        echo_json(result)
        return
    out.print(f"[bold]exact form[/bold] {escape(result['exact_form'][:200])}", soft_wrap=True)
    for sig in result["signals"]:
        value = sig["value"] if len(sig["value"]) <= 80 else sig["value"][:77] + "..."
        out.print(f"  {sig['signal_type']:<14} {escape(value)}", soft_wrap=True)
    for url in result["urls"]:
        shown = url["canonical"] or f"not a signal: {url.get('error', '')}"
        out.print(f"  url found      {escape(url['raw'])} -> {escape(shown)}", soft_wrap=True)


@cli_app.command("url")
def canonical(url: Annotated[str, typer.Argument(help="The URL.")], as_json: JsonOption = False) -> None:
    """Print the canonical forms of a URL (url, url_prefix, domain, registrable domain)."""
    forms = url_forms(url)
    if as_json:
        echo_json(forms)
        return
    for key, value in forms.items():
        if key != "warnings" and value is not None:
            out.print(f"{key:<19} {escape(str(value))}", soft_wrap=True)
    for warning in forms["warnings"]:
        out.print(f"[yellow]warning[/yellow]            {escape(warning)}", soft_wrap=True)


@cli_app.command("taxonomy")
def taxonomy(as_json: JsonOption = False) -> None:
    """Print the label schemes and the definition of each label."""
    if as_json:
        echo_json(SCHEMES)
        return
    for scheme, labels in SCHEMES.items():
        out.print(f"[bold]{scheme}[/bold]")
        for label, definition in labels.items():
            out.print(f"  {label:<17} {definition}", soft_wrap=True)


def _print_report(row: dict[str, Any]) -> None:
    report = row["report"]
    table = Table("label", "precision", "recall", "F1", "support", title=f"held-out evaluation ({row['test_rows']} "
                  f"rows; trained on {row['train_rows']})")
    for label, m in report["per_label"].items():
        table.add_row(label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]))
    out.print(table)
    out.print(f"accuracy {report['accuracy']:.3f}, macro F1 {report['macro_f1']:.3f}")
    labels = report["labels"]
    matrix = Table("true \\ predicted", *labels, title="confusion matrix")
    for label, counts in zip(labels, report["confusion_matrix"], strict=True):
        matrix.add_row(label, *(str(n) for n in counts))
    out.print(matrix)


@cli_app.command("train")
def train(ctx: typer.Context, csv_file: Annotated[Path, typer.Argument(help="CSV with columns text,label.")],
          scheme: SchemeOption = "behaviour",
          features: Annotated[str, typer.Option("--features", help="char or char+embedding.")] = "char",
          chart: Annotated[Path | None, typer.Option("--chart", help="Also write the confusion matrix PNG here.")]
          = None,
          org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Train the organization's classifier on its own labelled CSV and print the held-out evaluation."""
    inst = state(ctx).instance()
    if csv_file.stat().st_size > classifier.MAX_CSV_BYTES:
        raise ContentTooLarge(f"{csv_file} is over the limit of {classifier.MAX_CSV_BYTES} bytes")
    data = csv_file.read_bytes()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        row = classifier.train(s, p, inst.settings, data, scheme, features)
        described = classifier.describe(row)
        png = classifier.report_png(inst.settings, row)
    if chart is not None:
        chart.write_bytes(png)
    if as_json:
        echo_json(described)
        return
    _print_report(described)
    out.print(f"classifier {described['id']} ({scheme}, {features}) is now active.")


@cli_app.command("status")
def status(ctx: typer.Context, scheme: SchemeOption = "behaviour", org: OrgOption = None,
           as_json: JsonOption = False) -> None:
    """Show the organization's active classifier and its held-out evaluation (exit 66 when none)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        described = classifier.describe(classifier.active(s, p, scheme))
    if as_json:
        echo_json(described)
        return
    _print_report(described)


@cli_app.command("classify")
def classify(ctx: typer.Context, text: TextArg = None, file: FileOption = None, scheme: SchemeOption = "behaviour",
             lines: Annotated[bool, typer.Option("--lines", help="Classify each line of the text on its own.")]
             = False,
             org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Classify a text (or each line) with the organization's active classifier; exit 66 when none is trained."""
    inst = state(ctx).instance()
    body = _text(text, file)
    texts = [t for t in body.splitlines() if t.strip()] if lines else [body]
    with inst.db.session() as s:
        p, _ = principal(s, org)
        result = classifier.classify(s, p, inst.settings, texts, scheme)
    if as_json:
        echo_json(result)
        return
    for t, r in zip(texts, result["results"], strict=True):
        others = ", ".join(f"{k} {v:.2f}" for k, v in list(r["scores"].items())[1:3])
        out.print(f"[bold]{r['label']}[/bold] {r['score']:.2f} ({others})  {escape(t[:80])}", soft_wrap=True)
        why = ", ".join(w["feature"] for w in r["explanation"]["words"][:5])
        if why:
            out.print(f"  because of: {escape(why)}", soft_wrap=True)
