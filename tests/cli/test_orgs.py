"""``basira org``, ``key`` and ``user``: credentials are shown once, and a missing organization is explained."""

from __future__ import annotations

import json
import re

import pytest

from basira.core import orgs
from basira.core.errors import NotAuthenticated

from .conftest import Cli

KEY = re.compile(r"^bsk_\S+$", re.MULTILINE)


def test_org_create_then_key_create_prints_a_working_key_once(cli: Cli) -> None:
    created = cli.ok("org", "create", "acme", "--name", "Acme Platform")
    assert "acme" in created.stdout and "operator" in created.stdout

    issued = cli.ok("key", "create", "--name", "ci")
    keys = KEY.findall(issued.stdout)
    assert len(keys) == 1
    secret = keys[0]

    listed = cli.ok("key", "list", "--json")
    assert secret not in listed.stdout
    assert secret.split("_")[1] in listed.stdout  # the visible id prefix is listed
    inst = cli.instance()
    with inst.db.session() as s:
        p = orgs.authenticate_key(s, secret)
    assert p.actor.startswith("key:")


def test_revoked_key_is_refused(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    secret = KEY.findall(cli.ok("key", "create").stdout)[0]
    key_id = secret.split("_")[1]
    cli.ok("key", "revoke", key_id)
    with cli.instance().db.session() as s, pytest.raises(NotAuthenticated):
        orgs.authenticate_key(s, secret)
    assert cli("key", "revoke", "nosuchkey").exit_code == 66


def test_first_org_is_the_operator_and_others_are_not(cli: Cli) -> None:
    cli.ok("org", "create", "hub")
    cli.ok("org", "create", "partner")
    listed = {o["slug"]: o["operator"] for o in json.loads(cli.ok("org", "list", "--json").stdout)}
    assert listed == {"hub": True, "partner": False}
    # With two organizations the operator is the default; --org picks another one.
    assert "for hub" in cli.ok("key", "create").stdout
    assert "for partner" in cli.ok("key", "create", "--org", "partner").stdout


def test_duplicate_org_and_bad_slug_are_clear_errors(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    dup = cli("org", "create", "acme")
    assert dup.exit_code == 75 and "exists" in dup.stderr
    bad = cli("org", "create", "Not A Slug!")
    assert bad.exit_code == 65 and "slug" in bad.stderr


def test_command_before_any_org_explains_how_to_make_one(cli: Cli) -> None:
    result = cli("bank", "list")
    assert result.exit_code == 66
    assert "basira org create" in result.stderr and "Traceback" not in result.output


def test_unknown_org_is_a_clear_error(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    result = cli("key", "create", "--org", "nobody")
    assert result.exit_code == 66 and "no organization 'nobody'" in result.stderr


def test_user_create_generates_a_password_shown_once(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    created = cli.ok("user", "create", "amina", "--role", "reviewer")
    password = created.stdout.strip().splitlines()[-1]
    assert len(password) >= 12
    assert "reviewer" in created.stdout
    again = cli("user", "create", "amina")
    assert again.exit_code == 75 and "not available" in again.stderr
    bad_role = cli("user", "create", "omar", "--role", "king")
    assert bad_role.exit_code == 65 and "unknown role" in bad_role.stderr


def test_user_create_with_a_typed_password_prints_no_password(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    created = cli.ok("user", "create", "lea", "--password", input="a long enough secret\na long enough secret\n")
    assert "shown once" not in created.stdout
    short = cli("user", "create", "leo", "--password", input="short\nshort\n")
    assert short.exit_code == 65 and "12 characters" in short.stderr


def test_user_list_role_and_delete(cli: Cli) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("user", "create", "amina", "--role", "reviewer")
    cli.ok("user", "create", "lea", "--role", "admin")
    listed = json.loads(cli.ok("user", "list", "--json").stdout)
    assert [(u["username"], u["role"]) for u in listed] == [("amina", "reviewer"), ("lea", "admin")]
    assert "now analyst" in cli.ok("user", "role", "amina", "analyst").stdout
    last_admin = cli("user", "delete", "lea")
    assert last_admin.exit_code == 75 and "last admin" in last_admin.output
    assert "Deleted user" in cli.ok("user", "delete", "amina").stdout
    missing = cli("user", "delete", "amina")
    assert missing.exit_code == 66 and "no user" in missing.output
    assert [u["username"] for u in json.loads(cli.ok("user", "list", "--json").stdout)] == ["lea"]
