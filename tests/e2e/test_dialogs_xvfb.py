"""The dialogs, the handoff popup, the notes history and the no-tray window in their error and hint states,
on a real X screen at 100 % and 200 %, light and dark: nothing cut off, nothing past the window's edge, the
window fits the screen. Screenshots are kept in test-artifacts/screenshots/dialog-*.png."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.xvfb import ROOT, VirtualScreen

pytestmark = pytest.mark.xvfb


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("scale", ["1", "2"])
@pytest.mark.parametrize(
    "dialog", ["slack-error", "matrix-error", "calendar-hint", "fallback", "handoff-errors", "history-errors"]
)
def test_nothing_is_cut_off(
    virtual_screen: VirtualScreen, isolated_home: Path, dialog: str, scale: str, theme: str
) -> None:
    name = f"dialog-{dialog}" + ("" if scale == "1" else "-200pct") + ("-dark" if theme == "dark" else "")
    env = virtual_screen.env(
        {
            "HOME": str(isolated_home),
            "PYTHONPATH": str(ROOT),
            "QT_SCALE_FACTOR": scale,
            "DIALOG_DARK": "1" if theme == "dark" else "",
        }
    )
    run = subprocess.run(
        [sys.executable, "-m", "tests.e2e.dialog_layout_harness", dialog, name],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["ratio"] == float(scale)
    assert report["problems"] == [], report["problems"]
    assert report["window"][0] <= report["screen"][0] and report["window"][1] <= report["screen"][1], report
    assert Path(report["shot"]).stat().st_size > 0
