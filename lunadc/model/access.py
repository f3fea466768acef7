"""Access levels and the viewer (who is asking), and the pure visibility rule.

The same rule compiled into SQL lives in ``lunadc.catalog.visibility``; a property test
checks that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    READER = "reader"
    ARCHIVIST = "archivist"
    ADMIN = "admin"


class Access(StrEnum):
    PUBLIC = "public"
    PARTNER = "partner"
    RESTRICTED = "restricted"


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in user, a peer node, or nobody (anonymous)."""

    name: str | None = None
    role: Role = Role.READER
    partner: bool = False
    groups: frozenset[str] = field(default_factory=frozenset)
    peer_node: str | None = None  # set when a federation peer asks on behalf of its users

    @property
    def is_anonymous(self) -> bool:
        return self.name is None and self.peer_node is None

    @property
    def sees_everything(self) -> bool:
        """Archivists and admins of this node see every product of it."""
        return self.role in (Role.ARCHIVIST, Role.ADMIN)


ANONYMOUS = Viewer()


def may_see(
    viewer: Viewer, *, access: str, release_at: str | None, groups: frozenset[str], now: str
) -> bool:
    """The same rule as ``visible_clause`` for one product already in hand."""
    if viewer.sees_everything or access == Access.PUBLIC.value:
        return True
    if release_at is not None and release_at <= now:
        return True
    if access == Access.PARTNER.value:
        return viewer.partner
    if access == Access.RESTRICTED.value:
        return bool(viewer.groups & groups)
    return False
