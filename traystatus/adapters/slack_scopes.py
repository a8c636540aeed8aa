"""Every Slack Web API method traystatus calls and the user-token scope it needs: the table lives in
``core.slack_app`` (the Connect Slack dialog in ``qt/`` shows it too); adapters and their tests find it here."""

from __future__ import annotations

from traystatus.core.slack_app import METHOD_SCOPES, app_manifest, methods_needing, needed_scopes

__all__ = ["METHOD_SCOPES", "app_manifest", "methods_needing", "needed_scopes"]
