"""``basira oidc``: set a provider (secret from the environment), show it without the secret, remove it."""

from __future__ import annotations

import json

from .conftest import Cli


def test_set_show_remove_keep_the_secret_out_of_every_output(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    cli.env["BASIRA_OIDC_CLIENT_SECRET"] = "very-secret-client-value"
    done = cli.ok("oidc", "set", "--issuer", "https://login.acme.example", "--client-id", "basira",
                  "--rule", "basira-admins=admin", "--rule", "basira-reviewers=reviewer")
    shown = json.loads(cli.ok("oidc", "show", "--json").stdout)
    assert shown["role_rules"] == [{"group": "basira-admins", "role": "admin"},
                                   {"group": "basira-reviewers", "role": "reviewer"}]
    assert shown["has_client_secret"] is True and shown["provisioning"] == "jit"
    assert "very-secret" not in done.output + json.dumps(shown)
    cli.ok("oidc", "remove")
    assert cli("oidc", "show").exit_code == 66


def test_new_provider_without_a_secret_is_refused_with_a_message(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    cli.env.pop("BASIRA_OIDC_CLIENT_SECRET", None)
    refused = cli("oidc", "set", "--issuer", "https://login.acme.example", "--client-id", "basira")
    assert refused.exit_code == 65 and "client secret" in refused.stderr


def test_rule_without_a_role_is_refused_with_a_message(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    cli.env["BASIRA_OIDC_CLIENT_SECRET"] = "x" * 20
    refused = cli("oidc", "set", "--issuer", "https://login.acme.example", "--client-id", "basira",
                  "--rule", "just-a-group")
    assert refused.exit_code == 65 and "group=role" in refused.stderr
