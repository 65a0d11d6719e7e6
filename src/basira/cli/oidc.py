"""``basira oidc``: an organization's sign-in through its identity provider (OpenID Connect): set, show, remove."""

from __future__ import annotations

from typing import Annotated

import typer

from basira.cli.common import JsonOption, OrgOption, echo_json, out, principal, state
from basira.identity import providers

CLI_NAME = "oidc"
cli_app = typer.Typer(help="Sign-in through the organization's identity provider (OpenID Connect).",
                      no_args_is_help=True)


@cli_app.command("set")
def oidc_set(
    ctx: typer.Context,
    issuer: Annotated[str, typer.Option(help="The provider's issuer URL (https).")],
    client_id: Annotated[str, typer.Option(help="Basira's client id at the provider.")],
    client_secret_env: Annotated[str, typer.Option(
        help="Name of the environment variable that holds the client secret (kept out of the shell history); "
             "empty keeps the stored secret.")] = "BASIRA_OIDC_CLIENT_SECRET",  # noqa: S107 - a variable name
    rule: Annotated[list[str] | None, typer.Option(
        "--rule", help="A group rule group=role (repeat; the first that applies wins).")] = None,
    allow: Annotated[list[str] | None, typer.Option(
        "--allow", help="An e-mail address or subject allowed to sign in (repeat; turns on the allow-list).")] = None,
    display_name: Annotated[str, typer.Option(help="The name on the sign-in button.")] = "",
    groups_claim: Annotated[str, typer.Option(help="The ID token claim that lists the user's groups.")] = "groups",
    scopes: Annotated[str, typer.Option(help="The scopes asked for.")] = "openid email profile",
    disabled: Annotated[bool, typer.Option("--disabled", help="Store the settings but offer no button.")] = False,
    org: OrgOption = None,
) -> None:
    """Create or replace the organization's identity provider."""
    import os

    secret = os.environ.get(client_secret_env) if client_secret_env else None
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        spec = providers.ProviderSpec(
            issuer=issuer, client_id=client_id, client_secret=secret or None, display_name=display_name,
            scopes=scopes, groups_claim=groups_claim, role_rules=[providers.parse_rule(r) for r in rule or []],
            provisioning="allowlist" if allow else "jit", allowlist=list(allow or []), enabled=not disabled)
        providers.set_provider(s, p, inst.secret_key, o.id, spec)
    out.print(f"identity provider of {o.slug} set")


@cli_app.command("show")
def oidc_show(ctx: typer.Context, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Show the organization's identity provider (never its secret)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        shown = providers.describe(providers.get_provider(s, p, o.id))
    if as_json:
        echo_json(shown)
        return
    for key, value in shown.items():
        typer.echo(f"{key}: {value}")


@cli_app.command("remove")
def oidc_remove(ctx: typer.Context, org: OrgOption = None) -> None:
    """Remove the organization's identity provider (its users keep their accounts, without this way in)."""
    inst = state(ctx).instance()
    with inst.db.session() as s:
        p, o = principal(s, org)
        providers.remove_provider(s, p, o.id)
    out.print(f"identity provider of {o.slug} removed")
