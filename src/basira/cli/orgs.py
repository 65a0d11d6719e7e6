"""``basira org``, ``basira key`` and ``basira user``: organizations and their credentials."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from basira.cli.common import JsonOption, OrgOption, actor, echo_json, out, principal, state
from basira.core import orgs, users
from basira.core.models import ApiKey

org_app = typer.Typer(help="Organizations (tenants) of this instance.", no_args_is_help=True)
key_app = typer.Typer(help="API keys of an organization.", no_args_is_help=True)
user_app = typer.Typer(help="People who sign in to the web pages.", no_args_is_help=True)

RoleOption = Annotated[str, typer.Option("--role", help="admin, analyst, reviewer or auditor.")]


@org_app.command("create")
def org_create(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Short name: lower-case letters, digits and dashes.")],
    name: Annotated[str, typer.Option("--name", help="Display name (default: the slug).")] = "",
    operator: Annotated[
        bool | None,
        typer.Option("--operator/--no-operator",
                     help="The organization that runs the instance (default: yes for the first one)."),
    ] = None,
) -> None:
    """Create an organization."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        is_operator = operator if operator is not None else not orgs.list_orgs(s)
        org = orgs.create_org(s, actor(), slug, name, operator=is_operator)
        org_id = org.id
    role = " (operator)" if is_operator else ""
    out.print(f"Created organization [bold]{escape(slug)}[/bold] (id {org_id}){role}.")
    out.print(f"Next: an API key with [bold]basira key create --org {escape(slug)}[/bold]")


@org_app.command("list")
def org_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the organizations."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        rows: list[dict[str, Any]] = [{"id": o.id, "slug": o.slug, "name": o.name, "operator": o.operator,
                 "created_at": o.created_at.isoformat()} for o in orgs.list_orgs(s)]
    if as_json:
        echo_json(rows)
        return
    table = Table("id", "slug", "name", "operator", "created")
    for r in rows:
        table.add_row(str(r["id"]), escape(r["slug"]), escape(r["name"]), "yes" if r["operator"] else "",
                      r["created_at"][:19])
    out.print(table)


@key_app.command("create")
def key_create(
    ctx: typer.Context,
    org: OrgOption = None,
    role: RoleOption = "admin",
    name: Annotated[str, typer.Option("--name", help="What the key is for.")] = "",
) -> None:
    """Create an API key; the key is printed once and never stored."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        issued = orgs.create_key(s, p, o.id, role, name)
        key_id, slug, key_role = issued.record.key_id, o.slug, issued.record.role
    out.print(f"Created {key_role} key [bold]{escape(key_id)}[/bold] for {escape(slug)}. "
              "Store it now: it is shown only once.")
    # The key alone on its own line, unstyled, so that it can be copied or captured by a script.
    typer.echo(issued.secret)


def _when(value: object) -> str:
    return str(value)[:19].replace("T", " ") if value else ""


def _key_row(k: ApiKey) -> dict[str, Any]:
    return {"key_id": k.key_id, "role": k.role, "name": k.name, "created_at": k.created_at.isoformat(),
            "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None}


@key_app.command("list")
def key_list(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List an organization's API keys (their ids, never the keys)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        rows = [_key_row(k) for k in orgs.list_keys(s, p, o.id)]
    if as_json:
        echo_json(rows)
        return
    table = Table("key id", "role", "name", "created", "last used", "revoked")
    for r in rows:
        table.add_row(escape(str(r["key_id"])), str(r["role"]), escape(str(r["name"])), _when(r["created_at"]),
                      _when(r["last_used_at"]), _when(r["revoked_at"]))
    out.print(table)


@key_app.command("revoke")
def key_revoke(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The key's id (its visible prefix).")],
    org: OrgOption = None,
) -> None:
    """Revoke an API key; requests with it are refused from now on."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, _ = principal(s, org)
        orgs.revoke_key(s, p, key_id.strip())
    out.print(f"Revoked key [bold]{escape(key_id)}[/bold].")


@user_app.command("create")
def user_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    org: OrgOption = None,
    role: RoleOption = "analyst",
    locale: Annotated[str, typer.Option("--locale", help="en, ar or fr.")] = "en",
    password_prompt: Annotated[
        bool, typer.Option("--password", help="Type the password at a prompt instead of generating one."),
    ] = False,
) -> None:
    """Create a user; without --password a random password is generated and printed once."""
    password = (typer.prompt("Password", hide_input=True, confirmation_prompt=True) if password_prompt
                else secrets.token_urlsafe(12))
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        user = users.create_user(s, p, o.id, username, password, role, locale)
        user_role, slug = user.role, o.slug
    out.print(f"Created {user_role} [bold]{escape(username)}[/bold] in {escape(slug)}.")
    if not password_prompt:
        out.print("Password (shown once):")
        typer.echo(password)


UserArg = Annotated[str, typer.Argument(help="The user's username or numeric id.")]


@user_app.command("list")
def user_list(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List the organization's users (deleted ones left out)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        rows: list[dict[str, Any]] = [
            {"id": u.id, "username": u.username, "role": u.role, "locale": u.locale,
             "second_factor": u.totp_secret is not None, "created_at": u.created_at.isoformat()}
            for u in users.list_users(s, p, o.id)]
    if as_json:
        echo_json(rows)
        return
    table = Table("id", "username", "role", "language", "second factor", "created")
    for r in rows:
        table.add_row(str(r["id"]), escape(r["username"]), r["role"], r["locale"],
                      "yes" if r["second_factor"] else "no", _when(r["created_at"]))
    out.print(table)


@user_app.command("role")
def user_role(ctx: typer.Context, user: UserArg, role: Annotated[str, typer.Argument(
        help="admin, analyst, reviewer or auditor.")], org: OrgOption = None) -> None:
    """Change a user's role; the organization's last admin keeps the admin role (exit 75)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        changed = users.set_role(s, p, user.strip(), role.strip(), o.id)
        name, new = changed.username, changed.role
    out.print(f"[bold]{escape(name)}[/bold] is now {new}.")


@user_app.command("delete")
def user_delete(ctx: typer.Context, user: UserArg, org: OrgOption = None) -> None:
    """Delete a user: they can no longer sign in, and the audit log keeps naming them. The organization's last
    admin cannot be deleted (exit 75)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        name = users.delete_user(s, p, user.strip(), org_id=o.id).username
    out.print(f"Deleted user [bold]{escape(name)}[/bold].")
