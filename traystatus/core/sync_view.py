"""The tray's view and notifications, derived from a :class:`SyncReport` (the shared pipeline's result).

``tray_view_for(report, …)`` turns accounts, account problems and calendar problems into health lines;
``ChangeNotices`` remembers the last state and alerts, so each change is told once.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from traystatus.core.model import State
from traystatus.core.status_sync import AccountLine, StatusSync, SyncReport
from traystatus.core.tray_view import (
    ServiceHealth,
    TrayView,
    alert_notification,
    build_tray_view,
    change_notification,
)

SERVICE_NAMES = {"slack": "Slack", "matrix": "Matrix"}
RECONNECT = "reconnect in Settings…"


@dataclass(frozen=True, slots=True)
class SyncSetup:
    """The pipeline as the tray runs it: the use case and the notice its menu shows (demo, no configuration)."""

    sync: StatusSync
    notice: str = ""


def account_health(line: AccountLine) -> ServiceHealth:
    name = SERVICE_NAMES.get(line.service, line.service)
    if line.errors:
        return ServiceHealth(
            name=name,
            ok=False,
            detail=line.errors[0],
            fix=RECONNECT if line.needs_action else "",
            needs_action=line.needs_action,
        )
    if line.limits.any:  # told once as an error when found; stays in the menu while it lasts (no alert)
        return ServiceHealth(
            name=name, ok=False, detail=line.limits.why_not or "some calls are not possible on this account"
        )
    if line.presence_note:  # presence not held, or another session keeps the user online: a plain line, no alert
        return ServiceHealth(name=name, ok=False, detail=line.presence_note)
    return ServiceHealth(name=name)


def problem_health(problem: str) -> ServiceHealth:
    """An account that could not be set up ("slack Acme: No token: …"): only the user can fix it."""
    service, _, detail = problem.partition(" ")
    account, sep, why = detail.partition(": ")  # the account's name first: the menu's short line is the why
    name = SERVICE_NAMES.get(service, service) + (f" {account}" if sep else "")
    return ServiceHealth(name=name, ok=False, detail=why if sep else detail, fix=RECONNECT, needs_action=True)


def report_health(report: SyncReport) -> list[ServiceHealth]:
    health = [account_health(a) for a in report.accounts]
    health.extend(problem_health(p) for p in report.account_problems)
    health.extend(
        ServiceHealth(
            name=p.source,
            ok=False,
            detail=f"{p.title} — using the {p.copy or 'last good copy'}" if p.stale else p.title,
            fix="" if p.stale else p.message,
            short=f"stale — {(p.copy or 'last good copy').removeprefix('last good ')}" if p.stale else "not fetched",
        )
        for p in report.calendar_issues
    )
    if report.storage_problem is not None:  # syncing goes on from memory; the fix is the user's (a dir, a disk)
        title, message = report.storage_problem
        health.append(ServiceHealth(name="State file", ok=False, detail=title, fix=message, short="not saved"))
    return health


def tray_view_for(report: SyncReport, tz: ZoneInfo, notice: str = "") -> TrayView:
    return build_tray_view(
        timeline=report.timeline,
        overrides=report.overrides,
        health=report_health(report),
        now=report.at,
        tz=tz,
        notice=notice,
    )


class ChangeNotices:
    """What to tell the user after a pass: a state change they did not cause (when asked for), and each new
    problem only they can fix, once."""

    def __init__(self, *, notify_on_change: bool) -> None:
        self.notify_on_change = notify_on_change
        self._last_state: State | None = None
        self._last_alerts: set[str] = set()

    def after(self, view: TrayView, state: State, *, user_caused: bool) -> tuple[tuple[str, str], ...]:
        """``state``: the pass's state at its moment (the report's interval)."""
        out: list[tuple[str, str]] = []
        changed = self._last_state is not None and state is not self._last_state
        if changed and not user_caused and self.notify_on_change:
            out.append(change_notification(view))
        self._last_state = state
        alerts = {h.text: h for h in view.health if h.needs_action}
        out.extend(alert_notification(alerts[text]) for text in sorted(alerts.keys() - self._last_alerts))
        self._last_alerts = set(alerts)
        return tuple(out)
