"""icalendar looks an unknown TZID up afresh for every value that names it: remember the misses.

``EXDATE;TZID="Customized Time Zone":…`` with 20,000 values and no VTIMEZONE of that name makes
icalendar ask zoneinfo for the zone twice per value, and zoneinfo searches its path and the tzdata
package each time it does not find one (about 70 µs): 2.4 s of CPU for a 345-KB file (found by the
fuzzer). zoneinfo already caches the zones it finds; this remembers, per process, the names it did
not, so each is searched once. Names found in a file's own VTIMEZONE never reach the provider
(icalendar's per-parse cache answers them), so remembering a miss cannot hide a file's zone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

#: distinct names remembered; past it the memo starts again (a file of random TZIDs costs what it did)
MAX_REMEMBERED = 4096

_installed = threading.Lock()


def remember_misses(provider: Any) -> None:
    """Wrap ``provider.timezone`` (icalendar's zone provider) so a name it could not find is not searched again."""
    with _installed:
        if getattr(provider, "_traystatus_misses", None) is not None:
            return
        lookup: Callable[[str], tzinfo | None] = provider.timezone
        misses: set[str] = set()

        def timezone(name: str) -> tzinfo | None:
            if name in misses:
                return None
            found = lookup(name)
            if found is None:
                if len(misses) >= MAX_REMEMBERED:
                    misses.clear()
                misses.add(name)
            return found

        provider.timezone = timezone
        provider._traystatus_misses = misses
