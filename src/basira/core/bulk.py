"""Bulk import and export of bank signals as CSV or JSON lines.

Columns / keys: ``signal_type``, ``signal_value``, ``labels`` (``;``-separated in CSV, a list in JSON),
``tlp`` (informational on import: the bank's marking governs), ``entry_ref``, and optionally
``content_type``, ``provenance``, ``quality``.

The rule for bad rows: an import is **all or nothing**. Every row is validated first; if any row is bad,
nothing is written and the error lists the bad rows (line number and reason, the first 100).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.banks import SignalSpec, add_signals_batch, get_bank, list_signals, validate_spec
from basira.core.bounded import bounded_lines
from basira.core.errors import BasiraError, ContentTooLarge, InvalidInput, PermissionDenied
from basira.core.models import Bank
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import SignalTypeRegistry
from basira.core.visibility import Access, Visibility, may_pass_on, visible_provenance

FIELDS = ["signal_type", "signal_value", "labels", "tlp", "entry_ref", "content_type", "provenance", "quality"]
MAX_REPORTED = 100


def _rows_csv(stream: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or not {"signal_type", "signal_value"} <= set(reader.fieldnames):
        raise InvalidInput("a CSV import needs a header with at least signal_type and signal_value")
    for row in reader:
        labels = [x for x in (row.get("labels") or "").split(";") if x.strip()]
        yield reader.line_num, {**row, "labels": labels}


def _rows_jsonl(stream: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield n, {"__error__": f"not JSON ({e.msg})"}
            continue
        if not isinstance(obj, dict):
            yield n, {"__error__": "not a JSON object"}
            continue
        yield n, obj


def parse_rows(stream: Iterable[str], fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    if fmt == "csv":
        return _rows_csv(stream)
    if fmt in ("jsonl", "json"):
        return _rows_jsonl(stream)
    raise InvalidInput(f"unknown format {fmt!r} (csv or jsonl)")


def _spec(row: dict[str, Any]) -> SignalSpec:
    if "__error__" in row:
        raise InvalidInput(row["__error__"])
    labels = row.get("labels") or []
    if isinstance(labels, str):
        labels = [x for x in labels.split(";") if x.strip()]
    if not isinstance(labels, list):
        raise InvalidInput("labels must be a list")
    quality = row.get("quality")
    try:
        q = int(quality) if quality not in (None, "") else None
    except (TypeError, ValueError):
        raise InvalidInput(f"quality {quality!r} is not a whole number") from None
    for key in ("signal_type", "signal_value"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            raise InvalidInput(f"{key} is missing")
    return SignalSpec(signal_type=row["signal_type"].strip(), value=row["signal_value"],
                      entry_ref=str(row.get("entry_ref") or ""), content_type=str(row.get("content_type") or ""),
                      labels=[str(x) for x in labels], provenance=str(row.get("provenance") or ""), quality=q)


def import_signals(session: Session, principal: Principal, registry: SignalTypeRegistry, settings: Settings,
                   ref: int | str, stream: IO[str], fmt: str, source: str = "") -> dict[str, Any]:
    """Validate every row, then write all of them in the caller's transaction; or write nothing."""
    principal.require_bank_write()
    bank = get_bank(session, principal, ref, Access.OWNER)
    specs: list[SignalSpec] = []
    bad: list[dict[str, Any]] = []
    bad_count = 0
    try:
        lines = bounded_lines(stream, settings.import_max_line_bytes, "the import")
        for n, row in parse_rows(lines, fmt):
            if len(specs) + bad_count >= settings.max_import_rows:
                raise ContentTooLarge(f"an import has at most {settings.max_import_rows} rows")
            try:
                specs.append(validate_spec(registry, settings, _spec(row)))
            except BasiraError as e:
                bad_count += 1
                if len(bad) < MAX_REPORTED:
                    bad.append({"line": n, "reason": e.detail})
    except UnicodeDecodeError:
        raise InvalidInput("the import is not UTF-8 text") from None
    except csv.Error as e:
        raise InvalidInput(f"the CSV cannot be read ({e})") from None
    if bad_count:
        raise InvalidInput(f"{bad_count} bad rows; nothing was imported", bad_rows=bad)
    if not specs:
        raise InvalidInput("the import has no rows")
    # Set-based writes (entries and signals looked up 500 keys a query, the new ones inserted in bulk).
    added = add_signals_batch(session, principal, registry, settings, bank.id, specs, validated=True)
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="bank.import",
                 target=f"bank:{bank.id}", details={"rows": len(specs), "format": fmt, "source": source[:200]})
    return {"bank": bank.name, "rows": len(specs), "signals": len(set(added.ids.values()))}


def export_rows(session: Session, principal: Principal, bank: Bank) -> Iterator[dict[str, Any]]:
    access = Visibility(session, principal.org_id).access(bank)
    after = 0
    while True:
        page = list_signals(session, principal, bank.id, after_id=after, limit=5000, leaving=True)
        if not page:
            return
        for sig, entry in page:
            if sig.derived:
                continue  # made from content Basira did not keep: an import would take them for plain values
            yield {"signal_type": sig.signal_type, "signal_value": sig.value, "labels": sig.labels,
                   "tlp": bank.tlp, "entry_ref": entry.ref, "content_type": entry.content_type,
                   "provenance": visible_provenance(sig.provenance, access), "quality": sig.quality}
        after = page[-1][0].id


def export_signals(session: Session, principal: Principal, ref: int | str, fmt: str) -> Iterable[str]:
    """The bank's enabled signals as CSV or JSON lines, chunk by chunk; the export is audited."""
    bank = get_bank(session, principal, ref, Access.SEE)
    vis = Visibility(session, principal.org_id)
    if vis.access(bank) != Access.OWNER and not may_pass_on(bank, principal.org_id, vis.shared_orgs(bank)):
        raise PermissionDenied(f"a {bank.tlp} bank of another organization may be matched, never passed on")
    if fmt not in ("csv", "jsonl"):
        raise InvalidInput(f"unknown format {fmt!r} (csv or jsonl)")
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="bank.export",
                 target=f"bank:{bank.id}", details={"format": fmt})
    rows = list(export_rows(session, principal, bank))

    def gen() -> Iterator[str]:
        if fmt == "jsonl":
            for r in rows:
                yield json.dumps(r, ensure_ascii=False) + "\n"
            return
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "labels": ";".join(r["labels"]), "quality": "" if r["quality"] is None
                        else r["quality"]})
            if buf.tell() > 1 << 16:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return gen()
