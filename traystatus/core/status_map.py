"""What each availability state looks like on each service (text, emoji, DND, presence)."""

from __future__ import annotations

from dataclasses import dataclass

from traystatus.core.config_schema import Table


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusSettings:
    """Placeholder section (to be filled in by the owner of this module)."""

    @classmethod
    def from_table(cls, table: Table) -> StatusSettings:
        return cls()
