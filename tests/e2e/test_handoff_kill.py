"""kill -9 of a real process with the handoff popup open loses at most a second of typing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.xvfb import ROOT
from traystatus.adapters.draft_store import JsonDraftStore


def start(state_dir: Path) -> tuple[subprocess.Popen[str], dict[str, object]]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.handoff_popup_harness", str(state_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("ready "), line
    return proc, json.loads(line[6:])


def type_(proc: subprocess.Popen[str], text: str) -> None:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(f"type {text}\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "typed"


def test_kill_minus_9_loses_at_most_a_second(tmp_path: Path) -> None:
    proc, state = start(tmp_path)
    try:
        assert state["texts"] == [""] * 6 and state["focus"] == 0
        type_(proc, "Shipped the Übergabe parser; ")
        time.sleep(1.0)  # what was typed a second ago must survive
        type_(proc, "and then")  # the last instant of typing may be lost
    finally:
        proc.kill()  # SIGKILL: no close event, no atexit, nothing
        proc.wait(timeout=10)
    assert proc.returncode == -9
    draft = JsonDraftStore.in_dir(tmp_path).load()
    assert draft is not None
    text = draft.sections[0].text
    assert text.startswith("Shipped the Übergabe parser; ")
    assert "Shipped the Übergabe parser; and then".startswith(text)

    proc, state = start(tmp_path)  # reopen where it was
    try:
        texts = state["texts"]
        assert isinstance(texts, list) and texts[0] == text
        assert state["focus"] == 0 and state["cursor"] == len(text)
    finally:
        proc.kill()
        proc.wait(timeout=10)
