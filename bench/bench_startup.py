"""Benchmark: the tray app's start-up, memory and idle CPU, next to a bare PySide6 tray app in the same run.

Both apps run for real on a virtual screen with a real tray host (Xvfb + trayer, the e2e fixture's recipe):
* ours: ``python -m traystatus --demo`` (the README's run command: bundled calendar, simulated services);
* bare: ``python bench/bare_tray.py`` (QApplication + QSystemTrayIcon with an SVG icon + QMenu, shown);
* stack (memory only): ``bare_tray.py --with-stack``, the bare app plus the least the project's chosen stack
  needs for a first sync (BackgroundScheduler with its worker, the demo calendar read with icalendar +
  recurring-ical-events, a requests Session): no traystatus code, so the floor any app on this stack sits on;
* lean stack (memory only): the stack app with PySide6's per-import source scan replaced as ours does
  (``--lean``: ``qt/source_scan.py``, docs/platform-notes.md), so the fix is not counted as our lead.
Each launch gets its own temporary HOME / XDG dirs / TMPDIR and no D-Bus session (as the e2e test).
Python bytecode is written to and read from the run's temporary dir (as an installed app has it), even
where PYTHONDONTWRITEBYTECODE is set: else every launch compiles traystatus's sources again.

Measured, launches alternating between the two apps (a warm-up launch of each is not counted), medians
(11 launches of each; memory from the first 3, which it barely varies across):
* launch → icon docked: from ``Popen`` to a viewable window of the app's pid re-parented into trayer
  (what ``tests/fixtures/xvfb.py`` calls docked).                                  Target ≤ 1.3× bare.
* RSS (VmRSS, /proc/PID/status) and PSS (/proc/PID/smaps_rollup) after 10 s idle; idle starts once the
  icon is docked and, for ours, the first sync has been written (demo ``calls.json``).  Target ≤ bare + 25 MB.
  The stack app is measured the same way (3 launches, after its first sync): what of ours is the stack's.
* CPU seconds (utime + stime, /proc/PID/stat) over 60 s idle, from 10 s after the first sync (start-up's
  tail: features built, prompt armed; its cost is printed apart), both apps side by side on the same
  screen; also the threads' run time from schedstat (ns) and their context switches (each one a wake-up
  or a preemption: polling shows as a steady count).                              Target ≤ 0.05 s per minute.
  On this project's Firecracker VMs a wake-up after seconds asleep costs milliseconds of CPU (a bare
  ``time.sleep(5)`` bills ~5 ms), so compare with the bare app's figure, and count the wake-ups.
Run: ``.venv/bin/python bench/bench_startup.py`` (≈ 3 min); ``--quick`` for a smoke run (≈ 40 s).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.xvfb import VirtualScreen, _start_xvfb, _stop, wait_until  # noqa: E402

BARE_SCRIPT = ROOT / "bench" / "bare_tray.py"
TICK = os.sysconf("SC_CLK_TCK")
MB = 1e6  # the target says MB: figures are printed in MB (10^6 bytes)
START_RATIO_TARGET = 1.3
RSS_EXTRA_TARGET_MB = 25.0
LEAN_EXTRA_TARGET_MB = 10.0  # issue 12: ours over the stack's own floor (the same PySide6 fix applied to both)
CPU_TARGET_S_PER_MIN = 0.05
POLL_S = 0.01


@contextlib.contextmanager
def virtual_screen(tmp: Path, attempts: int = 2) -> Iterator[VirtualScreen]:
    """Xvfb + trayer as the e2e fixture starts them (same helpers, same trayer options); both stopped after.

    On a loaded machine trayer has (rarely) not mapped its window within the time allowed: then both are
    stopped and started again once, and trayer's own output is shown if it fails again."""
    for tool in ("Xvfb", "trayer", "xdotool", "xwininfo"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: run scripts/setup (apt: xvfb trayer xdotool x11-utils)")
    for attempt in range(1, attempts + 1):
        xvfb, display = _start_xvfb(1024, 768)
        screen = VirtualScreen(display, 1024, 768)
        log = tmp / f"trayer-{attempt}.log"
        with log.open("wb") as out:
            trayer = subprocess.Popen(
                [
                    "trayer",
                    "--edge",
                    "top",
                    "--align",
                    "right",
                    "--widthtype",
                    "request",
                    "--height",
                    "32",
                    "--SetDockType",
                    "true",
                    "--transparent",
                    "false",
                    "--tint",
                    "0x404040",
                    "--expand",
                    "true",
                ],
                env=screen.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 20
            while not screen.tray_window and time.monotonic() < deadline and trayer.poll() is None:
                found = screen.run("xdotool", "search", "--class", "trayer", check=False).split()
                screen.tray_window = found[0] if found else ""
                time.sleep(0.05)
            if screen.tray_window:
                yield screen
                return
        finally:
            _stop(trayer)
            _stop(xvfb)
        print(
            f"trayer did not map its window on {display} (attempt {attempt}, exit code {trayer.returncode}): "
            f"{log.read_text(errors='replace')[-1000:]!r}",
            file=sys.stderr,
        )
    raise RuntimeError("no tray host: trayer did not map its window (see above)")


# -- one launched app -------------------------------------------------------------------------------------


@dataclass
class Launch:
    kind: str  # "ours", "bare", "stack" or "lean" (the stack with the source-scan fix)
    proc: subprocess.Popen[bytes]
    home: Path
    t0: float
    docked_s: float = 0.0
    ready_s: float = 0.0  # docked and (ours) the first sync written: idle starts here
    ready_at: float = 0.0

    @property
    def pid(self) -> int:
        return self.proc.pid

    def calls_file(self) -> Path:
        return self.home / "state" / "traystatus" / "demo" / "calls.json"

    def output(self) -> str:
        path = self.home / "output.txt"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}: {self.output()}")


def app_env(screen: VirtualScreen, home: Path, pycache: Path) -> dict[str, str]:
    """The e2e test's isolation: a temporary HOME and XDG dirs, no D-Bus session; TMPDIR too (Qt's
    single-instance socket lives there: a terminated app leaves it behind).

    Bytecode is written and reused (in ``pycache``, outside the checkout; the warm-up launches fill it), as
    an installed app has it: with PYTHONDONTWRITEBYTECODE set every launch would compile traystatus's
    sources again, which users never pay."""
    extra = {"HOME": str(home), "TMPDIR": str(home / "tmp"), "PYTHONPYCACHEPREFIX": str(pycache)}
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        extra[var] = str(home / sub)
    env = screen.env(extra)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def command(kind: str) -> list[str]:
    if kind == "ours":
        return [sys.executable, "-m", "traystatus", "--demo"]
    flags = {"stack": ["--with-stack"], "lean": ["--with-stack", "--lean"]}.get(kind, [])
    return [sys.executable, str(BARE_SCRIPT), *flags]


def stack_env(home: Path) -> dict[str, str]:
    """The stack app reads the same demo calendar ours reads (written as the demo writes it at start)."""
    from zoneinfo import ZoneInfo

    from traystatus.adapters.demo import demo_calendar
    from traystatus.app.resources import demo_dir

    calendar = home / "demo-calendar.ics"
    calendar.write_text(demo_calendar(demo_dir() / "events.toml", datetime.now(UTC), ZoneInfo("UTC")))
    return {"BARE_CALENDAR": str(calendar), "BARE_READY_FILE": str(home / "ready")}


def launch(screen: VirtualScreen, kind: str, tmp: Path) -> Launch:
    home = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=tmp))
    (home / "tmp").mkdir()
    env = app_env(screen, home, tmp / "pycache")
    if kind in ("stack", "lean"):
        env.update(stack_env(home))
    with (home / "output.txt").open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(command(kind), env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    return Launch(kind, proc, home, t0)


def _reparented(screen: VirtualScreen, wid: str) -> bool:
    tree = screen.run("xwininfo", "-id", wid, "-tree", check=False)
    if "Parent window id:" not in tree:
        return False
    return "(the root window)" not in tree.split("Parent window id:", 1)[1].splitlines()[0]


def wait_docked(screen: VirtualScreen, app: Launch, timeout: float = 30.0) -> None:
    """Poll cheaply (one ``xdotool search --onlyvisible --pid``: viewable windows only) and time-stamp the
    poll that saw the icon re-parented; then confirm with the fixture's own definition of docked."""
    deadline = time.perf_counter() + timeout
    while True:
        seen = time.perf_counter()
        visible = screen.run("xdotool", "search", "--onlyvisible", "--pid", str(app.pid), check=False).split()
        if any(_reparented(screen, wid) for wid in visible):
            break
        app.alive()
        if seen > deadline:
            raise RuntimeError(f"{app.kind}: the icon did not dock within {timeout:.0f} s: {app.output()}")
        time.sleep(POLL_S)
    app.docked_s = seen - app.t0
    wait_until(lambda: screen.docked_icon(app.pid), timeout=5, what=f"{app.kind}: docked per the e2e fixture")


def wait_ready(screen: VirtualScreen, app: Launch, timeout: float = 30.0) -> None:
    """Docked, and for ours the first sync written (the demo's calls.json holds the calls to both services);
    for the stack app its ``ready`` file."""
    wait_docked(screen, app, timeout)
    if app.kind in ("ours", "stack", "lean"):
        deadline = time.perf_counter() + timeout
        while True:
            now = time.perf_counter()
            if app.kind in ("stack", "lean") and (app.home / "ready").exists():
                break
            with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
                if app.kind == "ours" and json.loads(app.calls_file().read_text()):
                    break
            app.alive()
            if now > deadline:
                raise RuntimeError(f"{app.kind}: no first sync within {timeout:.0f} s: {app.output()}")
            time.sleep(POLL_S)
    else:
        now = app.t0 + app.docked_s
    app.ready_at = now
    app.ready_s = now - app.t0


def stop(app: Launch) -> None:
    _stop(app.proc)
    shutil.rmtree(app.home, ignore_errors=True)


# -- /proc readings ---------------------------------------------------------------------------------------


def memory(pid: int) -> tuple[float, float]:
    """(VmRSS, Pss) in bytes."""

    def field_kb(path: str, name: str) -> float:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name + ":"):
                return float(line.split()[1]) * 1024
        raise RuntimeError(f"{name} not in {path}")

    return field_kb(f"/proc/{pid}/status", "VmRSS"), field_kb(f"/proc/{pid}/smaps_rollup", "Pss")


@dataclass
class Cpu:
    ticks: int  # utime + stime of the whole process (all threads, also finished ones), in clock ticks
    run_ns: int  # the live threads' on-CPU time from schedstat (ns resolution)
    switches: int  # the live threads' voluntary + involuntary context switches
    threads: int


def cpu(pid: int) -> Cpu:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5), after pid and comm
    run_ns = switches = threads = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            run_ns += int((task / "schedstat").read_text().split()[0])
            for line in (task / "status").read_text().splitlines():
                if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                    switches += int(line.split()[1])
            threads += 1
    return Cpu(utime + stime, run_ns, switches, threads)


# -- the phases -------------------------------------------------------------------------------------------


@dataclass
class Figures:
    docked: list[float] = field(default_factory=list)
    ready: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    pss: list[float] = field(default_factory=list)


def start_and_memory(
    screen: VirtualScreen, runs: int, memory_runs: int, idle_s: float, tmp: Path
) -> dict[str, Figures]:
    """Alternating launches (ours first on even runs, bare first on odd ones): docking and first sync; the
    first ``memory_runs`` of each also stay ``idle_s`` for memory (steady to a few hundred kB: few suffice),
    the others stop once ready (the launch figure is the noisy one on a shared machine: many runs). The stack
    app joins the memory runs only (a floor for memory, not a start-up competitor)."""
    figures = {"ours": Figures(), "bare": Figures(), "stack": Figures(), "lean": Figures()}
    for kind in ("ours", "bare", "stack", "lean"):  # warm-up: page cache, Python bytecode, fontconfig
        app = launch(screen, kind, tmp)
        try:
            wait_ready(screen, app)
        finally:
            stop(app)
    for i in range(runs):
        kinds = ("ours", "bare") if i % 2 == 0 else ("bare", "ours")
        for kind in (*kinds, "stack", "lean") if i < memory_runs else kinds:
            app = launch(screen, kind, tmp)
            rss = pss = 0.0
            try:
                wait_ready(screen, app)
                if i < memory_runs:
                    time.sleep(max(0.0, app.ready_at + idle_s - time.perf_counter()))
                    app.alive()
                    rss, pss = memory(app.pid)
            finally:
                stop(app)
            f = figures[kind]
            f.docked.append(app.docked_s)
            f.ready.append(app.ready_s)
            line = f"  run {i + 1:2d} {kind}: docked {app.docked_s * 1000:6.0f} ms, ready {app.ready_s * 1000:6.0f} ms"
            if i < memory_runs:
                f.rss.append(rss)
                f.pss.append(pss)
                line += f", RSS {rss / MB:5.1f} MB, PSS {pss / MB:5.1f} MB"
            print(line, flush=True)
    return figures


SETTLE_S = 10.0  # start-up's tail after the first sync (features built, prompt armed, outbox resumed): not idle
# yet, so the idle window starts after it (as memory is read "after 10 s idle"); its cost is shown apart


def idle_cpu(screen: VirtualScreen, window_s: float, tmp: Path) -> dict[str, tuple[Cpu, Cpu, Cpu]]:
    """Both apps side by side: the bare one first (so its docking does not land in our window), then ours;
    both measured over the same ``window_s`` of idle, starting SETTLE_S after ours wrote its first sync (the
    readings at the first sync and at SETTLE_S show start-up's tail apart)."""
    apps: list[Launch] = []
    try:
        for kind in ("bare", "ours"):
            app = launch(screen, kind, tmp)
            apps.append(app)
            wait_ready(screen, app)
        start = {app.kind: cpu(app.pid) for app in apps}
        time.sleep(max(0.0, apps[-1].ready_at + SETTLE_S - time.perf_counter()))
        settled = {app.kind: cpu(app.pid) for app in apps}
        time.sleep(max(0.0, apps[-1].ready_at + SETTLE_S + window_s - time.perf_counter()))
        for app in apps:
            app.alive()
        return {app.kind: (start[app.kind], settled[app.kind], cpu(app.pid)) for app in apps}
    finally:
        for app in apps:
            stop(app)


# -- report -----------------------------------------------------------------------------------------------


def verdict(ok: bool, target: str) -> str:
    return "  OK" if ok else f"  MISSED (target {target})"


def report(
    figures: dict[str, Figures],
    cpus: dict[str, tuple[Cpu, Cpu, Cpu]],
    runs: int,
    memory_runs: int,
    idle_s: float,
    window_s: float,
) -> None:
    ours, bare = figures["ours"], figures["bare"]
    med = statistics.median
    print(f"\ntraystatus --demo vs bare PySide6 tray app, Xvfb + trayer, medians of {runs} alternating launches")
    d_ours, d_bare = med(ours.docked), med(bare.docked)
    ratio = d_ours / d_bare
    print(
        f"  launch → icon docked   ours {d_ours * 1000:7.0f} ms   bare {d_bare * 1000:7.0f} ms   "
        f"{ratio:5.2f}×{verdict(ratio <= START_RATIO_TARGET, f'≤ {START_RATIO_TARGET}×')}"
    )
    paired = med([o / b for o, b in zip(ours.docked, bare.docked, strict=True)])  # each pair launched back to back
    print(f"  (median of the {runs} back-to-back pairs' ratios, steadier when the load drifts: {paired:.2f}×)")
    print(f"  launch → first sync    ours {med(ours.ready) * 1000:7.0f} ms   (after docking: the worker's pass)")
    r_ours, r_bare, r_stack = med(ours.rss), med(bare.rss), med(figures["stack"].rss)
    p_ours, p_bare = med(ours.pss), med(bare.pss)
    extra = (r_ours - r_bare) / MB
    print(f"  memory: medians of the first {memory_runs} launches of each")
    print(
        f"  RSS after {idle_s:.0f} s idle     ours {r_ours / MB:7.1f} MB    bare {r_bare / MB:7.1f} MB    "
        f"+{extra:5.1f} MB{verdict(extra <= RSS_EXTRA_TARGET_MB, f'≤ bare + {RSS_EXTRA_TARGET_MB:.0f} MB')}"
    )
    print(
        f"    the stack alone (bare + scheduler, calendar libraries, requests; no traystatus code) "
        f"{r_stack / MB:7.1f} MB = bare +{(r_stack - r_bare) / MB:5.1f} MB; ours over it "
        f"+{(r_ours - r_stack) / MB:5.1f} MB"
    )
    r_lean = med(figures["lean"].rss)
    over = (r_ours - r_lean) / MB
    print(
        f"    the stack with the same PySide6 source-scan fix                                      "
        f"{r_lean / MB:7.1f} MB; ours over it +{over:5.1f} MB"
        f"{verdict(over <= LEAN_EXTRA_TARGET_MB, f'≤ + {LEAN_EXTRA_TARGET_MB:.0f} MB')}"
    )
    print(
        f"  PSS after {idle_s:.0f} s idle     ours {p_ours / MB:7.1f} MB    bare {p_bare / MB:7.1f} MB    "
        f"+{(p_ours - p_bare) / MB:5.1f} MB   (shared pages split among all processes mapping them:"
        " varies with what else runs)"
    )
    print(f"  idle CPU over {window_s:.0f} s, from {SETTLE_S:.0f} s after the first sync (both apps side by side):")
    for kind in ("ours", "bare"):
        first, a, b = cpus[kind]
        used = (b.ticks - a.ticks) / TICK
        per_min = round(used * 60 / window_s, 6)
        precise = (b.run_ns - a.run_ns) / 1e9 * 60 / window_s
        tail = ""
        if kind == "ours":  # a shorter window (--quick) scales a single 10 ms clock tick up: no verdict then
            tail = (
                verdict(per_min <= CPU_TARGET_S_PER_MIN, f"≤ {CPU_TARGET_S_PER_MIN} s/min")
                if window_s >= 60
                else "  (window < 60 s: no verdict)"
            )
        print(
            f"    {kind}: {used:6.2f} s (utime+stime) = {per_min:6.3f} s/min; "
            f"threads' run time {precise:6.3f} s/min; {(b.switches - a.switches) * 60 / window_s:6.0f} "
            f"context switches/min; {b.threads} threads{tail}"
        )
        print(
            f"          before it, start-up's tail (the {SETTLE_S:.0f} s after the first sync): "
            f"{(a.run_ns - first.run_ns) / 1e9:6.3f} s (threads' run time)"
        )


def tree_state() -> str:
    """Which code was measured: HEAD and whether traystatus/ had uncommitted changes."""

    def git(*args: str) -> str:
        proc = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else "?"

    dirty = git("status", "--porcelain", "--", "traystatus")
    return f"{git('rev-parse', '--short', 'HEAD')}{' + uncommitted changes in traystatus/' if dirty else ''}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 launches each, 3 s idle, 10 s CPU window")
    parser.add_argument("--runs", type=int, help="launches of each app (default 11; --quick 3)")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 11)
    memory_runs = min(runs, 1 if args.quick else 3)
    idle_s, window_s = (3.0, 10.0) if args.quick else (10.0, 60.0)
    tmp = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        with virtual_screen(tmp) as screen:
            print(
                f"traystatus at {tree_state()}; Python {sys.version.split()[0]}; load average "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
            )
            print(
                f"screen {screen.display} with trayer; {runs} launches of each app ({memory_runs} with "
                f"{idle_s:.0f} s idle for memory), {window_s:.0f} s CPU window",
                flush=True,
            )
            figures = start_and_memory(screen, runs, memory_runs, idle_s, tmp)
            cpus = idle_cpu(screen, window_s, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(figures, cpus, runs, memory_runs, idle_s, window_s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
