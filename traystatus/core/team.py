"""The team roster: people, their zones and working hours, teams, travel."""

from __future__ import annotations

from dataclasses import dataclass

from traystatus.core.config_schema import Table


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamSettings:
    """Placeholder section (to be filled in by the owner of this module)."""

    @classmethod
    def from_table(cls, table: Table) -> TeamSettings:
        return cls()
