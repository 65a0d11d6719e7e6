"""``basira retention``: the rules per kind of record, holds, the purge; ``basira subject``: data-subject requests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from basira.cli.common import JsonOption, OrgOption, echo_json, out, principal, state
from basira.core.errors import InvalidInput
from basira.retention import holds, purge, rules, subjects

CLI_NAME = "retention"
cli_app = typer.Typer(help="How long each kind of record is kept, what holds keep it longer, and the purge.",
                      no_args_is_help=True)
hold_app = typer.Typer(help="Legal holds and preservation duties that keep a subject's records past their rule.",
                       no_args_is_help=True)
subject_app = typer.Typer(help="Data-subject requests: export or erase one person's data.", no_args_is_help=True)
cli_app.add_typer(hold_app, name="hold")


@cli_app.command("show")
def retention_show(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """The rule in force for every kind of record (the organization's own, or the instance default)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        shown = rules.show_rules(s, p, inst.settings)
    described = {k.name: k.records for k in rules.kinds()}
    if as_json:
        echo_json([{"kind": r.kind, "days": r.days, "source": r.source, "records": described[r.kind]}
                   for r in shown])
        return
    table = Table("kind", "days", "from", "records")
    for r in shown:
        table.add_row(r.kind, str(r.days) if r.days else "forever", r.source, described[r.kind])
    out.print(table)


@cli_app.command("set")
def retention_set(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="Kind of record, as `basira retention show` lists them.")],
    days: Annotated[int | None, typer.Argument(help="Days kept (0: forever); leave out with --default.")] = None,
    default: Annotated[bool, typer.Option("--default", help="Go back to the instance default.")] = False,
    org: OrgOption = None,
) -> None:
    """Set the organization's rule for one kind of record."""
    if (days is None) != default:
        raise InvalidInput("give DAYS or --default, not both and not neither")
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        rules.set_rule(s, p, kind, None if default else days)
    out.print(f"retention of {kind} in {o.slug}: {'default' if default else f'{days} days'}")


@cli_app.command("run")
def retention_run(
    ctx: typer.Context,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only this kind (repeat).")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Only this organization (default: all).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Delete what has expired now, in batches; print what each kind lost and what holds kept."""
    inst = state(ctx).instance()
    org_ids = None
    if org:
        with inst.db.session() as s:
            org_ids = (principal(s, org)[1].id,)
    reports = purge.run(inst, purge.PurgeOptions(org_ids=org_ids, kinds=tuple(kind) if kind else None))
    if as_json:
        echo_json([purge.as_dict(r) for r in reports])
        return
    table = Table("organization", "kind", "rule (days)", "deleted", "kept by holds or cases")
    for r in reports:
        table.add_row(str(r.org_id), r.kind, f"{r.days} ({r.source})", str(r.deleted), str(r.held))
    out.print(table)


@hold_app.command("add")
def hold_add(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="item:<ref>, customer:<ref> or track:<id>.")],
    reason: Annotated[str, typer.Option(help="Why (a reference to the order or duty).")],
    basis: Annotated[str, typer.Option(help="legal_hold or preservation.")] = "legal_hold",
    until: Annotated[str | None, typer.Option(help="End of the duty (ISO date); default: until released.")] = None,
    org: OrgOption = None,
) -> None:
    """Keep every record of a subject past its rule."""
    end = None
    if until:
        try:
            end = dt.datetime.fromisoformat(until).replace(tzinfo=dt.UTC)
        except ValueError:
            raise InvalidInput(f"--until is an ISO date, not {until[:40]!r}") from None
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        hold = holds.place_hold(s, p, subject, basis, reason, end)
    out.print(f"hold {hold.id} on {subject}")


@hold_app.command("release")
def hold_release(ctx: typer.Context, hold_id: Annotated[int, typer.Argument(min=1)], org: OrgOption = None) -> None:
    """Release a hold (its subject's records follow their rules again)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        holds.release_hold(s, p, hold_id)
    out.print(f"hold {hold_id} released")


@hold_app.command("list")
def hold_list(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """The organization's active holds."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        rows = [{"id": h.id, "subject": h.subject, "basis": h.basis, "reason": h.reason,
                 "until": h.until.isoformat() if h.until else None} for h in holds.list_holds(s, p)]
    if as_json:
        echo_json(rows)
        return
    table = Table("id", "subject", "basis", "until", "reason")
    for r in rows:
        table.add_row(str(r["id"]), str(r["subject"]), str(r["basis"]), str(r["until"] or ""), str(r["reason"]))
    out.print(table)


@subject_app.command("export")
def subject_export(ctx: typer.Context, subject: Annotated[str, typer.Argument(
        help="customer:<ref> or user:<username>.")], org: OrgOption = None) -> None:
    """Print everything held on one person as JSON (audited)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        data = subjects.export_subject(s, p, subject)
    echo_json(data)


@subject_app.command("erase")
def subject_erase(ctx: typer.Context, subject: Annotated[str, typer.Argument(
        help="customer:<ref> or user:<username>.")], org: OrgOption = None) -> None:
    """Erase one person's data, unless a case, an appeal or a hold still needs it (audited)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        counts = subjects.erase_subject(s, p, subject)
    echo_json({"subject": subject, "erased": counts})
