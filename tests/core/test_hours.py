from datetime import time

import pytest

from traystatus.core.errors import ConfigError
from traystatus.core.hours import format_hours, parse_hours


def test_parse_several_blocks_and_days() -> None:
    h = parse_hours("mon-fri 09:00-12:30,13:30-17:30; sat 10:00-12:00")
    assert [str(b) for b in h.blocks(0)] == ["09:00-12:30", "13:30-17:30"]
    assert h.blocks(4) == h.blocks(0)
    assert h.blocks(5)[0].start == time(10, 0)
    assert h.blocks(6) == ()


def test_round_trip_and_wrapping_ranges() -> None:
    spec = "mon-fri 09:00-12:30,13:30-17:30; sat 10:00-12:00"
    assert format_hours(parse_hours(spec)) == spec
    h = parse_hours("sun-tue 22:00-24:00")
    assert [bool(h.blocks(d)) for d in range(7)] == [True, True, False, False, False, False, True]
    assert h.blocks(6)[0].end is None


@pytest.mark.parametrize("bad", ["mon-fri", "mon-fry 09:00-17:00", "mon 25:00-26:00", "mon 9-17", "mon 09:00-09:00"])
def test_bad_specs_say_what_is_wrong(bad: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_hours(bad)
    assert e.value.title == "Working hours"
    assert "e.g." in e.value.message or "'" in e.value.message
