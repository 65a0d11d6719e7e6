"""``basira legal``: competent authorities, removal orders and their one-hour clocks, preserved records.

Orders are read from the JSON an authority sends (Annex I field names, see docs/legal.md); the receipt time is
taken when the command runs. Deadlines are printed in UTC and in the authority's time zone.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from basira.cli.common import JsonOption, OrgOption, echo_json, out, principal, state
from basira.core.errors import InvalidInput

CLI_NAME = "legal"
cli_app = typer.Typer(help="Legal duties: removal orders within one hour (Regulation (EU) 2021/784), preservation.",
                      no_args_is_help=True)
authority_app = typer.Typer(help="Competent authorities whose orders are accepted, with their keys.",
                            no_args_is_help=True)
order_app = typer.Typer(help="Removal orders and referrals: receive, list, show, pause, resume, confirm.",
                        no_args_is_help=True)
preservation_app = typer.Typer(help="Records kept of removed content (six months by default).", no_args_is_help=True)
cli_app.add_typer(authority_app, name="authority")
cli_app.add_typer(order_app, name="order")
cli_app.add_typer(preservation_app, name="preservation")

OrderArg = Annotated[str, typer.Argument(help="The order's id.")]
MAX_ORDER_FILE = 4 * 1024 * 1024


def _retention(ctx: typer.Context) -> dt.timedelta:
    return dt.timedelta(days=state(ctx).settings().legal_preservation_days)


def _print_order(view: dict[str, Any]) -> None:
    clock = view["clock"]
    out.print(f"[bold]Order {view['id']}[/] ({escape(view['kind'])}, {escape(view['status'])}) from "
              f"{escape(str(view['authority']['name']))}, reference {escape(view['reference'])}")
    out.print(f"  received {view['received_at']} ({view['received_local']}), receipt {view['receipt']}")
    if clock:
        left = "missed" if clock["missed"] else f"{clock['remaining_s'] // 60} min left"
        out.print(f"  deadline {clock['deadline_at']} ({clock['deadline_local']}), clock {clock['state']}, {left}")
    for url in view["urls"]:
        out.print(f"  url {escape(url)}")
    if view["unknown_content"]:
        out.print("  [yellow]Basira never saw this content (no item or match names these URLs)[/]")
    if view["duplicate_of"]:
        out.print(f"  shares the clock of order {view['duplicate_of']}")
    if view["executed_at"]:
        out.print(f"  {view['action']} at {view['executed_at']} by {escape(str(view['confirmed_by']))}")


@authority_app.command("add")
def authority_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The authority's name, as orders name it.")],
    member_state: Annotated[str, typer.Option("--member-state", help="Two-letter EU code, e.g. DE.")],
    timezone: Annotated[str, typer.Option("--timezone", help="IANA time zone, e.g. Europe/Berlin.")],
    hmac_key: Annotated[str | None, typer.Option("--hmac-key", help="Shared HMAC-SHA256 secret (hex).")] = None,
    ed25519_key: Annotated[Path | None, typer.Option("--ed25519-key", help="File with the Ed25519 public key (PEM).",
                                                     dir_okay=False, exists=True)] = None,
    org: OrgOption = None,
) -> None:
    """Register an authority; without a key its orders are accepted but marked unauthenticated."""
    from basira.legal import authorities

    if hmac_key and ed25519_key:
        raise InvalidInput("give one key: --hmac-key or --ed25519-key")
    kind, key = ("hmac-sha256", hmac_key) if hmac_key else (
        ("ed25519", ed25519_key.read_text()[:10_000]) if ed25519_key else ("none", ""))
    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        row = authorities.register(s, who, authorities.AuthoritySpec(name, member_state, timezone, kind, key))
        out.print(f"Authority {row.id} registered: {escape(row.name)} ({row.member_state}, {row.key_kind}).")


@authority_app.command("list")
def authority_list(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """The registered authorities."""
    from basira.legal import authorities

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        rows: list[dict[str, Any]] = [{"id": a.id, "name": a.name, "member_state": a.member_state,
                                       "timezone": a.timezone, "key_kind": a.key_kind}
                                      for a in authorities.list_authorities(s, who)]
    if as_json:
        echo_json(rows)
        return
    table = Table("id", "name", "member state", "time zone", "key")
    for r in rows:
        table.add_row(str(r["id"]), escape(r["name"]), r["member_state"], r["timezone"], r["key_kind"])
    out.print(table)


@order_app.command("add")
def order_add(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The order as JSON (Annex I field names), '-' for stdin.",
                                         dir_okay=False, allow_dash=True)],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Receive an order: its receipt time is now, and the one-hour clock starts."""
    from basira.legal import orders, views

    if str(path) == "-":
        raw = typer.get_binary_stream("stdin").read(MAX_ORDER_FILE + 1)
    else:
        with path.open("rb") as f:
            raw = f.read(MAX_ORDER_FILE + 1)
    if len(raw) > MAX_ORDER_FILE:
        raise InvalidInput(f"an order file holds at most {MAX_ORDER_FILE} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as e:  # UnicodeDecodeError is a ValueError too
        raise InvalidInput(f"the order is not UTF-8 JSON ({str(e)[:200]})") from None
    request = views.request_from_json(data)
    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
    order = orders.receive(inst.db.session, who, request, inst.secret_key)
    with inst.db.session() as s:
        view = views.order_view(s, order)
    if as_json:
        echo_json(view)
    else:
        _print_order(view)


@order_app.command("list")
def order_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help="received, paused, executed, ...")] = None,
    unknown: Annotated[bool, typer.Option("--unknown-content", help="Only orders for content never seen.")] = False,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Orders, newest first, with their deadlines."""
    from basira.legal import orders, views

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        rows = [views.order_view(s, o) for o in orders.list_orders(
            s, who, orders.OrderQuery(status=status, unknown_content=True if unknown else None))]
    if as_json:
        echo_json(rows)
        return
    table = Table("id", "authority", "reference", "status", "deadline (authority's time)", "flags")
    for r in rows:
        flags = ("unknown content " if r["unknown_content"] else "") + ("missed" if (r["clock"] or {}).get(
            "missed") and r["status"] in ("received", "paused") else "")
        table.add_row(str(r["id"]), escape(str(r["authority"]["name"])), escape(r["reference"]), r["status"],
                      (r["clock"] or {}).get("deadline_local") or "-", flags.strip())
    out.print(table)


@order_app.command("show")
def order_show(ctx: typer.Context, order_id: OrderArg, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """One order with its clock."""
    from basira.legal import orders, views

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        view = views.order_view(s, orders.get_order(s, who, order_id))
    if as_json:
        echo_json(view)
    else:
        _print_order(view)


@order_app.command("confirm")
def order_confirm(
    ctx: typer.Context,
    order_id: OrderArg,
    action: Annotated[str, typer.Option("--action", help="removed or disabled.")] = "removed",
    at: Annotated[str | None, typer.Option("--at", help="When it was done (ISO 8601 with offset); default now.")]
    = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Confirm the removal (Annex II): stops the clock, keeps the record, queues the notices."""
    from basira.legal import execution, views

    when = views.parse_moment(at, "--at") if at else None
    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        c = execution.confirm(s, who, order_id, action, when, retention=_retention(ctx))
    result = {"order_ids": c.order_ids, "action": c.action, "executed_at": c.executed_at.isoformat(),
              "deadline_at": c.deadline_at.isoformat() if c.deadline_at else None, "in_time": c.in_time,
              "preservation_id": c.preservation_id}
    if as_json:
        echo_json(result)
    else:
        timing = "within the hour" if c.in_time else "[red]after the deadline[/]"
        out.print(f"Orders {', '.join(map(str, c.order_ids))}: {c.action} at {result['executed_at']}, {timing}.")


@order_app.command("pause")
def order_pause(
    ctx: typer.Context,
    order_id: OrderArg,
    reason: Annotated[str, typer.Option("--reason", help="force_majeure, de_facto_impossibility, manifest_error "
                                                         "or insufficient_information.")],
    explanation: Annotated[str, typer.Option("--explanation", help="What the authority was told.")] = "",
    org: OrgOption = None,
) -> None:
    """Stop the clock (Annex III): the order cannot be executed yet, for the reason given."""
    from basira.legal import execution

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        execution.pause(s, who, order_id, reason, explanation)
    out.print(f"Order {order_id}: clock paused ({reason}).")


@order_app.command("resume")
def order_resume(ctx: typer.Context, order_id: OrderArg,
                 note: Annotated[str, typer.Option("--note", help="What changed.")] = "",
                 org: OrgOption = None) -> None:
    """Restart the clock: a whole hour from now."""
    from basira.legal import execution

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        execution.resume(s, who, order_id, note)
    out.print(f"Order {order_id}: clock restarted, one hour from now.")


@order_app.command("decline")
def order_decline(ctx: typer.Context, order_id: OrderArg,
                  grounds: Annotated[str, typer.Option("--grounds", help="Why it is not executed.")],
                  org: OrgOption = None) -> None:
    """Record that the order is not executed, and why (reported yearly)."""
    from basira.legal import execution

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        execution.decline(s, who, order_id, grounds)
    out.print(f"Order {order_id}: not executed.")


@order_app.command("reinstate")
def order_reinstate(ctx: typer.Context, order_id: OrderArg,
                    reason: Annotated[str, typer.Option("--reason", help="The scrutiny or complaint outcome.")],
                    org: OrgOption = None) -> None:
    """Put removed content back after a scrutiny or complaint overturned the removal."""
    from basira.legal import execution

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        execution.reinstate(s, who, order_id, reason)
    out.print(f"Order {order_id}: content reinstated.")


@preservation_app.command("list")
def preservation_list(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Preserved records and when each is deleted."""
    from basira.legal import preservation

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        rows: list[dict[str, Any]] = [{"id": r.id, "order_id": r.order_id, "refs": r.refs, "content": bool(r.file_name),
                 "expires_at": r.expires_at.isoformat()} for r in preservation.list_records(s, who)]
    if as_json:
        echo_json(rows)
        return
    table = Table("id", "order", "content", "deleted at", "references")
    for r in rows:
        table.add_row(str(r["id"]), str(r["order_id"]), "yes" if r["content"] else "no", r["expires_at"],
                      escape(", ".join(r["refs"])[:120]))
    out.print(table)


@preservation_app.command("extend")
def preservation_extend(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(help="The preserved record's id.")],
    days: Annotated[int, typer.Option("--days", help="How many more days to keep it.")],
    reason: Annotated[str, typer.Option("--reason", help="Who asked for it, and why.")],
    org: OrgOption = None,
) -> None:
    """Keep a record longer (an authority or a court asked for it)."""
    from basira.legal import preservation

    inst = state(ctx).instance()
    with inst.db.session() as s:
        who, _ = principal(s, org)
        row = preservation.extend(s, who, record_id, days, reason)
        out.print(f"Record {row.id} is now kept until {row.expires_at.isoformat()}.")


@preservation_app.command("purge")
def preservation_purge(ctx: typer.Context) -> None:
    """Delete the records whose period has ended now (the worker does it on its own every round)."""
    from basira.legal import preservation

    inst = state(ctx).instance()
    gone = preservation.purge(inst.db.session, inst.settings.data_dir)
    out.print(f"{len(gone)} expired records deleted.")
