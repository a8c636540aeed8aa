"""Test-wide set-up: Qt offscreen by default, an isolated home for every test, and the fixture plugins."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import settings

# pytest-qt picks no platform by itself; with no DISPLAY Qt would abort (docs/platform-notes.md).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never touch the real keyring or the developer's config from a test.
os.environ.pop("TRAYSTATUS_CONFIG", None)
for _var in (
    "TRAYSTATUS_SLACK_TOKEN",
    "TRAYSTATUS_MATRIX_TOKEN",
    "TRAYSTATUS_MATRIX_USER",
    "TRAYSTATUS_MATRIX_HOMESERVER",
    "TRAYSTATUS_SLACK_API_URL",
    "TRAYSTATUS_CALENDARS",
):
    os.environ.pop(_var, None)

# Property tests explore new random inputs on developers' machines; CI replays a fixed sequence so that a
# landing never depends on luck. What the exploration finds becomes a plain regression test.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
_STARTED = time.time()  # reports older than this run are an earlier run's: not printed
DATA = Path(__file__).resolve().parent / "data"

# Fixture modules in tests/fixtures/; each feature adds its own here.
pytest_plugins: list[str] = [
    "tests.fixtures.xvfb",
    "tests.fixtures.synapse",
    "tests.fixtures.slack",
    "tests.fixtures.http_feeds",
    "tests.fixtures.radicale",
    "tests.fixtures.cyrus",
    "tests.fixtures.secret_service",
    "tests.fixtures.logind",
    "tests.fixtures.storage",
]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own XDG config/state/data/cache dirs."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (home / sub).mkdir()
        monkeypatch.setenv(var, str(home / sub))
    return home


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures tests measured (bundle size and start time, …) at the end of the run."""
    reports = sorted(p for p in (ROOT / "test-artifacts" / "reports").glob("*.txt") if p.stat().st_mtime >= _STARTED)
    if reports:
        terminalreporter.section("measured figures")
        for report in reports:
            terminalreporter.write_line(report.read_text(encoding="utf-8").rstrip())
