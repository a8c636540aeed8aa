"""Event classification: what each calendar event means for availability."""

from __future__ import annotations

from dataclasses import dataclass

from traystatus.core.config_schema import Table


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassificationRules:
    """Placeholder section (to be filled in by the owner of this module)."""

    @classmethod
    def from_table(cls, table: Table) -> ClassificationRules:
        return cls()
