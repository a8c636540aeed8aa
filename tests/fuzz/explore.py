"""The fuzzer on demand (``scripts/fuzz``): new random inputs until the time is up; what fails is saved.

``scripts/fuzz 10`` explores for 10 minutes and saves each new kind of problem (at most
:data:`PER_SIGNATURE` inputs of each) to ``tests/data/fuzz-found/open/`` as ``NAME.ics`` (the bytes
read) and ``NAME.json`` (the window, the recipe that made it, the problems). Once fixed, move both
files up to ``tests/data/fuzz-found/`` with a ``note``: the test suite replays every one of them.
``scripts/fuzz --replay FILE…`` reads saved inputs again and prints what each read did.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

from tests.fuzz.harness import FOUND, SEEDS, Case, Read, Report, check, check_case, window
from tests.fuzz.mutations import MUTATIONS

PER_SIGNATURE = 3
DAYS = (1, 15, 60)


def random_case(rng: random.Random) -> Case:
    names = tuple(rng.choice(sorted(MUTATIONS)) for _ in range(rng.randint(1, 4)))
    return Case(rng.choice(SEEDS), rng.randrange(2**32), names, rng.choice(DAYS), rng.random() < 0.6)


def load(path: Path) -> tuple[bytes, datetime, datetime, dict[str, object]]:
    """A saved input: its bytes and the window it is read for (``NAME.json`` next to ``NAME.ics``)."""
    ics, meta_path = path.with_suffix(".ics"), path.with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return ics.read_bytes(), datetime.fromisoformat(meta["start"]), datetime.fromisoformat(meta["end"]), meta


def save(case: Case, report: Report, n: int) -> Path:
    open_dir = FOUND / "open"
    open_dir.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", report.signature().lower()).strip("-")[:60]
    stem = open_dir / f"{slug}-{case.rng_seed}-{n}"
    body = case.body()
    start, end = window(body, case.days, case.near)
    stem.with_suffix(".ics").write_bytes(body)
    meta = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "recipe": {"seed": case.seed, "rng_seed": case.rng_seed, "names": list(case.names), "days": case.days},
        "near": case.near,
        "problems": report.problems,
        "note": "",
    }
    stem.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return stem.with_suffix(".ics")


def _worst(reads: list[tuple[Read, str]]) -> str:
    cpu = max(reads, key=lambda r: r[0].cpu)
    mem = max(reads, key=lambda r: r[0].peak)
    return (
        f"slowest {cpu[0].cpu:.3f} s CPU ({cpu[1]}); peak {mem[0].peak / 2**20:.1f} MB ({mem[1]}); "
        f"median {statistics.median(r[0].cpu for r in reads):.3f} s, "
        f"{statistics.median(r[0].peak for r in reads) / 2**20:.1f} MB"
    )


def explore(minutes: float, rng_seed: int) -> int:
    baseline: list[tuple[Read, str]] = []
    for seed in SEEDS:  # the corpus as it is: what an ordinary input costs, in this same run
        report = check_case(Case(seed, 0, ()))
        baseline += [(report.on, seed + " (on)"), (report.off, seed + " (off)")]
    print(f"baseline, {len(SEEDS)} unmutated seeds: {_worst(baseline)}", flush=True)
    rng = random.Random(rng_seed)
    deadline = time.monotonic() + minutes * 60
    reads: list[tuple[Read, str]] = []
    found: dict[str, int] = {}
    n = 0
    while time.monotonic() < deadline:
        case = random_case(rng)
        report = check_case(case)
        n += 1
        reads += [(report.on, case.label() + " (on)"), (report.off, case.label() + " (off)")]
        if report.problems:
            sig = report.signature()
            found[sig] = found.get(sig, 0) + 1
            if found[sig] <= PER_SIGNATURE:
                path = save(case, report, found[sig])
                print(f"FOUND {sig}: {path}\n  {case.label()}\n  " + report.describe().replace("\n", "\n  "))
        if n % 200 == 0:
            print(f"... {n} inputs, {sum(found.values())} with problems", flush=True)
    print(f"read {n} inputs (each twice: prefilter on and off) in {minutes:g} min, exploration seed {rng_seed}")
    if reads:
        print(f"mutated: {_worst(reads)}")
    for sig, count in sorted(found.items()):
        print(f"  {count} × {sig}")
    print("nothing found" if not found else f"{sum(found.values())} inputs with problems; see {FOUND / 'open'}")
    return 1 if found else 0


def replay(paths: list[Path]) -> int:
    failed = 0
    for path in paths:
        data, start, end, _ = load(path)
        report = check(data, start, end)
        print(f"{path}: {'FAIL' if report.problems else 'ok'}\n  " + report.describe().replace("\n", "\n  "))
        failed += bool(report.problems)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("minutes", nargs="?", type=float, default=1.0, help="how long to explore (default 1)")
    parser.add_argument("--seed", type=int, default=None, help="exploration seed (default: from the clock)")
    parser.add_argument("--replay", nargs="+", type=Path, metavar="FILE", help="read saved inputs again")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args.replay)
    return explore(args.minutes, args.seed if args.seed is not None else time.time_ns() % 2**32)


if __name__ == "__main__":
    sys.exit(main())
