"""``basira bank``: create, list, share, import, export and show banks of signals."""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from basira.cli.common import JsonOption, OrgOption, actor, content_of, echo_json, err, out, principal, state
from basira.core import banks, bulk, matching, orgs
from basira.core.errors import InvalidInput
from basira.core.visibility import Access

bank_app = typer.Typer(help="Banks: named collections of signals, with a TLP marking and sharing.",
                       no_args_is_help=True)

BankArg = Annotated[str, typer.Argument(help="The bank's name (in the acting organization) or its id.")]
FormatOption = Annotated[
    str | None, typer.Option("--format", help="csv or jsonl (default: from the file name, else csv).")]

_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def _bank_ref(ref: str) -> int | str:
    ref = ref.strip()
    return int(ref) if ref.isdigit() else ref


def _thresholds(values: list[str]) -> dict[str, float]:
    parsed: dict[str, float] = {}
    for v in values:
        name, sep, number = v.partition("=")
        try:
            if not sep:
                raise ValueError(v)
            parsed[name.strip()] = float(number)
        except ValueError:
            raise InvalidInput(f"a threshold is written TYPE=NUMBER (e.g. pdq=31), got {v!r}") from None
    return parsed


@bank_app.command("create")
def bank_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The bank's name, unique in its organization.")],
    org: OrgOption = None,
    tlp: Annotated[str, typer.Option("--tlp", help="CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")] = "AMBER",
    negative: Annotated[bool, typer.Option("--negative", help="Hits on this bank suppress the others.")] = False,
    description: Annotated[str, typer.Option("--description", help="What the bank holds.")] = "",
    threshold: Annotated[
        list[str] | None, typer.Option("--threshold", help="TYPE=NUMBER, e.g. pdq=24 (repeatable).")] = None,
    share_derived: Annotated[bool, typer.Option(
        "--share-derived", help="Share derived signals (hashes of crops and turns of banked photos) too.")] = False,
) -> None:
    """Create a bank owned by the acting organization."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        spec = banks.BankSpec(name=name, description=description, tlp=tlp, negative=negative,
                              thresholds=_thresholds(threshold or []), share_derived=share_derived)
        bank = banks.create_bank(s, p, inst.registry, spec)
        bank_id, bank_tlp = bank.id, bank.tlp
    kind = "negative bank" if negative else "bank"
    out.print(f"Created {kind} [bold]{escape(name)}[/bold] (id {bank_id}, TLP:{bank_tlp}) for {escape(o.slug)}.")


@bank_app.command("list")
def bank_list(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List the banks the organization owns or may match against."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        slugs = {o.id: o.slug for o in orgs.list_orgs(s)}
        rows: list[dict[str, Any]] = [
            {"id": b.id, "name": b.name if a >= Access.SEE else None, "owner": slugs.get(b.org_id),
             "tlp": b.tlp, "negative": b.negative, "access": a.name.lower(), "signals": n}
            for b, a, n in banks.list_banks(s, p)]
    if as_json:
        echo_json(rows)
        return
    table = Table("id", "name", "owner", "TLP", "negative", "access", "signals")
    for r in rows:
        table.add_row(str(r["id"]), escape(r["name"] or "(not visible)"), escape(str(r["owner"])), r["tlp"],
                      "yes" if r["negative"] else "", r["access"], str(r["signals"]))
    out.print(table)


@bank_app.command("share")
def bank_share(
    ctx: typer.Context,
    bank: BankArg,
    with_org: Annotated[str | None, typer.Option("--with-org", help="Slug of the organization.")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Name of one of your sharing groups.")] = None,
    unshare: Annotated[bool, typer.Option("--unshare", help="Stop sharing instead.")] = False,
    org: OrgOption = None,
) -> None:
    """Share a bank with an organization or a sharing group (or stop sharing with --unshare)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        b = banks.share_bank(s, p, _bank_ref(bank), org=with_org, group=group, unshare=unshare)
        name, tlp = b.name, b.tlp
    target = f"organization {with_org}" if with_org else f"group {group}"
    verb = "Stopped sharing" if unshare else "Shared"
    out.print(f"{verb} [bold]{escape(name)}[/bold] (TLP:{tlp}) with {escape(target)}.")


def _format_for(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt.strip().lower()
    return _FORMATS.get(Path(path).suffix.lower(), "csv")


def _import_stream(ctx: typer.Context, stream: IO[str], bank: str, fmt: str, source: str,
                   org: str | None) -> dict[str, Any]:
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        try:
            return bulk.import_signals(s, p, inst.registry, inst.settings, _bank_ref(bank), stream, fmt,
                                       source=source)
        except UnicodeDecodeError as e:
            raise InvalidInput(f"the file is not UTF-8 text (byte {e.start}); nothing was imported") from None
        except csv.Error as e:
            raise InvalidInput(f"the CSV file is malformed ({e}); nothing was imported") from None


@bank_app.command("import")
def bank_import(
    ctx: typer.Context,
    bank: BankArg,
    file: Annotated[str, typer.Argument(help="CSV or JSON-lines file of signals; - reads standard input.")],
    fmt: FormatOption = None,
    org: OrgOption = None,
) -> None:
    """Import signals into a bank: every row is checked first, and one bad row means nothing is written."""
    kind = _format_for(file, fmt)
    if file == "-":
        result = _import_stream(ctx, sys.stdin, bank, kind, "stdin", org)
    else:
        with open(file, encoding="utf-8", newline="") as f:
            result = _import_stream(ctx, f, bank, kind, Path(file).name, org)
    out.print(f"Imported {result['rows']} rows into [bold]{escape(result['bank'])}[/bold] "
              f"({result['signals']} signals).")


@bank_app.command("add-content")
def bank_add_content(
    ctx: typer.Context,
    bank: BankArg,
    file: Annotated[Path, typer.Argument(help="The content to bank (a photo, a video, any file).")],
    entry_ref: Annotated[str, typer.Option("--entry-ref", help="The entry's reference (default: TYPE:SHA256).")] = "",
    label: Annotated[list[str] | None, typer.Option("--label", help="A label for every signal (repeatable).")] = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bank a file: one entry with every signal taken from it, and for a photo its derived PDQ hashes (crops and
    small turns, which find edited copies; shared only where the bank allows). The file itself is not kept."""
    inst = state(ctx).instance()
    content = content_of(file)
    with inst.db.session() as s:
        p, _ = principal(s, org)
        added = matching.bank_content(s, p, inst.registry, inst.settings, _bank_ref(bank), content, entry_ref,
                                      label or [])
        rows = [{"id": x.id, "signal_type": x.signal_type, "value": x.value, "derived": x.derived,
                 **({"edit": x.details["derived"]} if x.derived else {})} for x in added]
    if as_json:
        echo_json(rows)
        return
    derived = sum(1 for r in rows if r["derived"])
    out.print(f"Banked {escape(str(file))} in [bold]{escape(bank)}[/bold]: {len(rows)} signals "
              f"({derived} derived).")


@bank_app.command("export")
def bank_export(
    ctx: typer.Context,
    bank: BankArg,
    fmt: FormatOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: standard output).")] = None,
    org: OrgOption = None,
) -> None:
    """Export a bank's signals as CSV or JSON lines; the export is recorded in the audit log."""
    kind = _format_for(str(output) if output else "", fmt)
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        chunks = bulk.export_signals(s, p, _bank_ref(bank), kind)
        # Written inside the transaction: if the write fails, the export's audit entry is rolled back too.
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
            return
        _write_atomically(output, chunks)
    err.print(f"Wrote {output}.")


def _write_atomically(path: Path, chunks: Any) -> None:
    """Write to a temporary file beside ``path`` and rename it, so a failed export leaves no half file."""
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@bank_app.command("show")
def bank_show(
    ctx: typer.Context,
    bank: BankArg,
    limit: Annotated[int, typer.Option("--limit", min=0, max=10_000, help="How many signals to list.")] = 20,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a bank: its marking, sharing, signal counts per type and its first signals."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        b = banks.get_bank(s, p, _bank_ref(bank))
        slugs = {o.id: o.slug for o in orgs.list_orgs(s)}
        counts = banks.signal_counts(s, b.id)
        sample: list[dict[str, Any]] = [
            {"id": sig.id, "signal_type": sig.signal_type, "value": sig.value, "labels": sig.labels,
             "entry_ref": entry.ref} for sig, entry in banks.list_signals(s, p, b.id, limit=limit)]
        info: dict[str, Any] = {
            "id": b.id, "name": b.name, "owner": slugs.get(b.org_id), "tlp": b.tlp, "negative": b.negative,
            "enabled": b.enabled, "description": b.description, "thresholds": b.thresholds,
            "shared_with": sorted(f"org:{x.org_slug}" if x.org_id else f"group:{x.group_id}"
                                  for x in banks.shares_of(s, b)),
            "signal_counts": dict(sorted(counts.items())), "signals": sample}
    if as_json:
        echo_json(info)
        return
    out.print(f"[bold]{escape(b.name)}[/bold] (id {b.id}) owned by {escape(str(info['owner']))}, TLP:{b.tlp}"
              + (", negative" if b.negative else "") + ("" if b.enabled else ", disabled"))
    if b.description:
        out.print(escape(b.description))
    out.print(f"Shared with: {escape(', '.join(info['shared_with']) or 'nobody')}")
    out.print("Signals: " + (", ".join(f"{t} {n}" for t, n in sorted(counts.items())) or "none"))
    if sample:
        table = Table("id", "type", "value", "labels", "entry")
        for r in sample:
            table.add_row(str(r["id"]), r["signal_type"], escape(r["value"]), escape(";".join(r["labels"])),
                          escape(r["entry_ref"]))
        out.print(table)


@bank_app.command("revalidate")
def bank_revalidate(
    ctx: typer.Context,
    signal_type: Annotated[list[str], typer.Option("--type", help="A signal type whose stored values to bring to "
                                                                   "today's rules (repeatable).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would change.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Bring stored values of some signal types (every bank) to the form their type gives today, after an upgrade
    that changed it (e.g. `--type url --type url_prefix --type domain`); changed values are rewritten or merged,
    values no longer valid are disabled, and every index follows."""
    inst = state(ctx).instance()
    for name in signal_type:
        inst.registry.get(name)  # an unknown type is refused before anything is read
    with inst.db.session() as s:
        report = banks.revalidate(s, inst.registry, signal_type, actor=actor(), apply=not dry_run)
    if as_json:
        echo_json({"dry_run": dry_run, "checked": report.checked, "rewritten": report.rewritten,
                   "merged": report.merged, "disabled": report.disabled,
                   "examples": [{"type": t, "before": b, "after": a} for t, b, a in report.examples]})
        return
    for name in signal_type:
        out.print(f"{name}: {report.checked.get(name, 0)} checked, {report.rewritten.get(name, 0)} rewritten, "
                  f"{report.merged.get(name, 0)} merged, {report.disabled.get(name, 0)} disabled"
                  + (" (dry run: nothing changed)" if dry_run else ""))
    for t, before, after in report.examples[:20]:
        out.print(f"  {escape(t)}: {escape(before)} → {escape(after)}", soft_wrap=True)
