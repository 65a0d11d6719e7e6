"""Who is acting: an organization, a role and a name for the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from basira.core.errors import PermissionDenied
from basira.core.models import Role

# What each role may do; auditors read everything of their organization and change nothing.
_WRITE_BANKS = {Role.ADMIN, Role.ANALYST}
_MATCH = {Role.ADMIN, Role.ANALYST, Role.REVIEWER}
_ADMIN = {Role.ADMIN}


@dataclass(frozen=True)
class Principal:
    """The caller of a service function: set by the API from a key, by the web from a session, by the CLI."""

    org_id: int
    role: Role
    actor: str
    operator: bool = False

    def require(self, allowed: set[Role], what: str) -> None:
        if self.role not in allowed:
            raise PermissionDenied(f"the {self.role.value} role may not {what}")

    def require_bank_write(self) -> None:
        self.require(_WRITE_BANKS, "change banks")

    def require_match(self) -> None:
        self.require(_MATCH, "submit items for matching")

    def require_admin(self) -> None:
        self.require(_ADMIN, "manage the organization")

    def require_operator(self) -> None:
        if not (self.operator and self.role == Role.ADMIN):
            raise PermissionDenied("only an admin of the instance's operator organization may do this")


def system_principal(org_id: int, actor: str = "cli") -> Principal:
    """The principal for a local CLI command, which runs with the admin role of the chosen organization."""
    return Principal(org_id=org_id, role=Role.ADMIN, actor=actor, operator=True)
