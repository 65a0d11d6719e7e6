"""``basira audit``: verify every hash chain of the audit log, and show a chain's latest entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from basira.cli.common import JsonOption, OrgOption, echo_json, err, out, principal, state
from basira.core import audit, audit_heads, orgs
from basira.core.errors import AuditChainBroken

audit_app = typer.Typer(help="The audit log: one hash chain per organization and one for the instance.",
                        no_args_is_help=True)


def _chain_label(chain: str, slugs: dict[int, str]) -> str:
    kind, _, ident = chain.partition(":")
    if kind == "org" and ident.isdigit():
        return f"{chain} ({slugs.get(int(ident), 'unknown organization')})"
    return chain


HeadsOption = Annotated[list[Path] | None, typer.Option(
    "--heads", help="A signed heads file (`basira audit export-heads`) to check the chains against; repeatable.",
    exists=False)]


@audit_app.command("verify")
def audit_verify(ctx: typer.Context, heads: HeadsOption = None, as_json: JsonOption = False) -> None:
    """Recompute every hash chain of the audit log (HMAC under the instance's audit key), and check it against
    signed heads files kept outside.

    Exits 0 when all verify, and 2, listing each problem, when an entry was edited, removed or reordered, or a
    chain no longer holds a head a file exported.
    """
    inst = state(ctx).instance()
    with inst.db.session() as s:
        slugs = {o.id: o.slug for o in orgs.list_orgs(s)}
        reports = audit.verify(s)
        checks = [audit_heads.check(s, inst.secret_key, p) for p in heads or []]
    problems = [(r.chain, msg) for r in reports for msg in r.problems]
    problems += [(f"heads file {c.path}", msg) for c in checks for msg in c.problems]
    if as_json:
        echo_json([{"chain": r.chain, "entries": r.entries, "ok": r.ok, "problems": r.problems}
                   for r in reports])
    else:
        table = Table("chain", "entries", "status")
        for r in reports:
            table.add_row(escape(_chain_label(r.chain, slugs)), str(r.entries),
                          "[green]verified[/]" if r.ok else f"[bold red]{len(r.problems)} problems[/]")
        out.print(table)
    for chain, msg in problems:
        err.print(f"[red]{escape(_chain_label(chain, slugs))}: {escape(msg)}[/red]", soft_wrap=True)
    if problems:
        broken = len({c for c, _ in problems})
        raise AuditChainBroken(f"{len(problems)} problems in {broken} of {len(reports)} audit chains")
    if not as_json:
        out.print(f"All {len(reports)} audit chains verify.")


@audit_app.command("export-heads")
def audit_export_heads(
    ctx: typer.Context,
    folder: Annotated[Path | None, typer.Option(
        "--out", help="Folder to write the file into (default BASIRA_AUDIT_HEADS_DIR).")] = None,
) -> None:
    """Write every chain's head (last entry and hash) to a file signed with the instance's key (Ed25519).

    The background worker does it every BASIRA_AUDIT_HEADS_EVERY_S seconds; copy the files off the machine: with
    `basira audit verify --heads FILE`, they find a rewrite of the log even by someone holding every key.
    """
    inst = state(ctx).instance()
    with inst.db.session() as s:
        path = audit_heads.export(s, inst.secret_key, folder or audit_heads.heads_dir(inst.settings))
    out.print(f"Heads written to {escape(str(path))} (public key {audit_heads.public_key(inst.secret_key)}).")


@audit_app.command("show")
def audit_show(
    ctx: typer.Context,
    org: OrgOption = None,
    instance_chain: Annotated[
        bool, typer.Option("--instance", help="Show the instance's chain instead of an organization's.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="How many entries, newest first.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Show the latest entries of an organization's audit chain (or the instance's)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        if instance_chain:
            chain = audit.INSTANCE
        else:
            _, o = principal(s, org)
            chain = audit.org_chain(o.id)
        rows: list[dict[str, Any]] = [
            {"seq": e.seq, "ts": e.ts, "actor": e.actor, "action": e.action, "target": e.target,
             "details": e.details, "hash": e.hash} for e in audit.entries(s, chain, limit)]
    if as_json:
        echo_json({"chain": chain, "entries": rows})
        return
    table = Table("seq", "time", "actor", "action", "target", "details", title=f"Audit chain {chain}")
    for r in rows:
        table.add_row(str(r["seq"]), r["ts"][:19].replace("T", " "), escape(r["actor"]), escape(r["action"]),
                      escape(r["target"]), escape(json.dumps(r["details"], ensure_ascii=False)))
    out.print(table)
