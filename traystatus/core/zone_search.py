"""Finding a time zone as people type it: any part of the zone's name or its city, without accents or
underscores ("sao paulo", "new york", "kolk"), plus big cities that name no zone of their own ("San Francisco")."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Cities people often type whose zone is named after another city (the tz database names one city per zone).
CITY_ZONES = {
    "San Francisco": "America/Los_Angeles",
    "Seattle": "America/Los_Angeles",
    "Boston": "America/New_York",
    "Washington": "America/New_York",
    "Atlanta": "America/New_York",
    "Miami": "America/New_York",
    "Austin": "America/Chicago",
    "Dallas": "America/Chicago",
    "Houston": "America/Chicago",
    "Montreal": "America/Toronto",
    "Munich": "Europe/Berlin",
    "Frankfurt": "Europe/Berlin",
    "Hamburg": "Europe/Berlin",
    "Zurich": "Europe/Zurich",
    "Barcelona": "Europe/Madrid",
    "Milan": "Europe/Rome",
    "Edinburgh": "Europe/London",
    "Manchester": "Europe/London",
    "Mumbai": "Asia/Kolkata",
    "Delhi": "Asia/Kolkata",
    "New Delhi": "Asia/Kolkata",
    "Bangalore": "Asia/Kolkata",
    "Bengaluru": "Asia/Kolkata",
    "Beijing": "Asia/Shanghai",
    "Shenzhen": "Asia/Shanghai",
    "Osaka": "Asia/Tokyo",
    "Canberra": "Australia/Sydney",
    "Wellington": "Pacific/Auckland",
    "Cape Town": "Africa/Johannesburg",
    "Rio de Janeiro": "America/Sao_Paulo",
}


MAX_QUERY = 64  # longer than any zone or city name


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneMatch:
    label: str  # what the list shows: "Berlin — Europe/Berlin", "Munich — Europe/Berlin"
    zone: str  # what the field gets


def _fold(text: str) -> str:
    """Lower case, no accents, underscores and slashes as spaces: "São_Paulo" → "sao paulo"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().replace("_", " ").replace("/", " ").split())


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def search_zones(query: str, zones: list[str] | tuple[str, ...], *, limit: int = 50) -> list[ZoneMatch]:
    """Zones (and aliased cities) whose name contains every word typed; cities that start with it first."""
    words = _fold(query[:MAX_QUERY]).split()  # a pasted page of text costs no more than a zone name
    if not words:
        return []
    known = set(zones)
    candidates = [(f"{_city(z)} — {z}" if "/" in z else z, z, _fold(z)) for z in zones]
    candidates += [(f"{city} — {zone}", zone, _fold(city)) for city, zone in CITY_ZONES.items() if zone in known]
    found = [(label, zone, hay) for label, zone, hay in candidates if all(w in hay for w in words)]
    first = " ".join(words)

    def rank(item: tuple[str, str, str]) -> tuple[int, str]:
        label, _, _ = item
        city = _fold(label.split(" — ", 1)[0])
        return (0 if city.startswith(first) else 1 if first in city else 2, label)

    return [ZoneMatch(label=label, zone=zone) for label, zone, _ in sorted(found, key=rank)[:limit]]
