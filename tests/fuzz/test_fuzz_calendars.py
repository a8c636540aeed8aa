"""Fuzz harness: mutated real calendars never crash, stay within time and memory, and read the same with
the prefilter on and off.

Seeds are the real corpus (tests/data/ics) and the quirk calendars (tests/data/quirks); the mutations
(tests/fuzz/mutations.py) are what broken producers and hostile senders write. Each input is read twice
through the app's path, prefilter on and off, each read in a forked child with its own CPU, memory and
wall-clock limits (tests/fuzz/harness.py): one input that hangs fails this test, it cannot hang the run.

CI (``CI=1``: the derandomized profile in tests/conftest.py) reads the same ``TRAYSTATUS_FUZZ_EXAMPLES``
inputs every run (default 80; about 20 s with the replays) and replays every input the fuzzer ever found
(tests/data/fuzz-found/). Longer, new inputs on demand: ``scripts/fuzz MINUTES`` (docs/testing.md).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzz import harness
from tests.fuzz.explore import DAYS, load
from tests.fuzz.harness import FOUND, SEEDS, Case, check, check_case
from tests.fuzz.mutations import MUTATIONS, apply
from traystatus.core.model import CalendarEvent

EXAMPLES = int(os.environ.get("TRAYSTATUS_FUZZ_EXAMPLES", "80"))
FOUND_INPUTS = sorted(FOUND.glob("*.ics"))

cases = st.builds(
    Case,
    seed=st.sampled_from(SEEDS),
    rng_seed=st.integers(0, 2**32 - 1),
    names=st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=4).map(tuple),
    days=st.sampled_from(DAYS),
    near=st.booleans(),
)


# No shrinking: a failing input is reported with its recipe (which replays it: scripts/fuzz --replay, or the
# Case printed), and shrinking an input that hangs would cost 30 s a step.
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(case=cases)
def test_mutated_calendars_are_read_within_bounds_and_prefilter_changes_nothing(case: Case) -> None:
    report = check_case(case)
    assert not report.problems, f"{case.label()}\n{report.describe()}"


@pytest.mark.parametrize("path", FOUND_INPUTS, ids=[p.stem for p in FOUND_INPUTS])
def test_inputs_the_fuzzer_found_are_read_within_bounds_and_prefilter_changes_nothing(path: Path) -> None:
    data, start, end, meta = load(path)
    assert meta.get("note"), f"{path.name}: say in its .json what it found and what fixed it"
    report = check(data, start, end)
    assert not report.problems, f"{path.name} ({meta['note']})\n{report.describe()}"


def test_the_seeds_are_the_corpus() -> None:
    assert len(SEEDS) >= 40 and any(p.startswith("quirks/") for p in SEEDS)
    assert len(MUTATIONS) >= 20


def test_a_recipe_gives_the_same_bytes_every_time() -> None:
    seed = (FOUND.parent / SEEDS[0]).read_bytes()
    names = sorted(MUTATIONS)
    assert apply(seed, 7, names) == apply(seed, 7, names)
    assert apply(seed, 7, names) != apply(seed, 8, names)


def _spin() -> tuple[list[CalendarEvent], list[str]]:
    while True:
        pass


def _sleep() -> tuple[list[CalendarEvent], list[str]]:
    time.sleep(60)
    return [], []


def _hog() -> tuple[list[CalendarEvent], list[str]]:
    block = bytearray(harness.AS_HEADROOM * 2)  # past the child's address-space limit
    return [], [str(len(block))]


def _grow() -> tuple[list[CalendarEvent], list[str]]:
    block = b"x" * (harness.MAX_BYTES + 50 * 2**20)  # within the address space, over the budget
    return [], [str(len(block))]


def test_a_read_stuck_in_a_loop_is_ended_by_its_cpu_limit_and_the_run_goes_on() -> None:
    read = harness.run_isolated(_spin)
    assert read.kind == "cpu", read
    report = harness.Report(read, read, [])
    assert "CPU" in report.describe()


def test_a_read_that_never_returns_is_killed_at_its_wall_limit() -> None:
    read = harness.run_isolated(_sleep, wall_limit=0.5)
    assert read.kind == "hang", read


def test_a_read_that_allocates_without_end_fails_with_memory_error_in_its_child() -> None:
    read = harness.run_isolated(_hog)
    assert read.kind == "memory", read


def test_a_read_is_measured_by_its_peak_resident_memory() -> None:
    read = harness.run_isolated(_grow)
    assert read.kind == "events" and read.peak > harness.MAX_BYTES, read
    ordinary = harness.run_isolated(lambda: ([], []))
    assert ordinary.peak < 10 * 2**20, ordinary
