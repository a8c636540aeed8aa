"""Chat accounts (non-secret parts: workspace names, homeservers, user ids, device ids)."""

from __future__ import annotations

from dataclasses import dataclass

from traystatus.core.config_schema import Table


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountsSettings:
    """Placeholder section (to be filled in by the owner of this module)."""

    @classmethod
    def from_table(cls, table: Table) -> AccountsSettings:
        return cls()
