"""Typed reading of a parsed config mapping, with errors that name the file, the key and the fix."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traystatus.core.errors import ConfigError

T = TypeVar("T")


class Table:
    """A view on one TOML table; every getter checks the type and reports ``file: key``."""

    def __init__(self, data: Mapping[str, object], *, path: str = "", source: str = "config") -> None:
        self.data = data
        self.path = path  # dotted key path of this table, "" for the root
        self.source = source  # the file name (or "--option")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def warning(self, name: str, problem: str) -> str:
        """A problem that does not stop the config from loading, in the same ``file: key: …`` form as errors."""
        return f"{self.source}: {self.key(name)}: {problem}"

    def error(self, name: str, problem: str) -> ConfigError:
        return ConfigError("Configuration error", f"{self.source}: {self.key(name)}: {problem}", key=self.key(name))

    def check_keys(self, known: Iterable[str]) -> None:
        """Reject unknown keys (typos), suggesting the closest known one."""
        known = list(known)
        for name in self.data:
            if name not in known:
                import difflib  # only for a typo: not loaded by every start

                close = difflib.get_close_matches(name, known, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else f" Known keys: {', '.join(known)}."
                raise self.error(name, f"unknown key.{hint}")

    def _get(self, name: str, default: T, kind: type | tuple[type, ...], what: str) -> T:
        if name not in self.data:
            return default
        value = self.data[name]
        if isinstance(value, bool) and kind is not bool and kind != (bool,):
            raise self.error(name, f"expected {what}, got {value!r}.")
        if not isinstance(value, kind):
            raise self.error(name, f"expected {what}, got {type(value).__name__} {value!r}.")
        return value  # type: ignore[return-value]

    def text(self, name: str, default: str = "") -> str:
        return self._get(name, default, str, "a string in quotes")

    def flag(self, name: str, default: bool = False) -> bool:
        return self._get(name, default, bool, "true or false")

    def integer(self, name: str, default: int = 0, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value: int = self._get(name, default, int, "a whole number")
        if minimum is not None and value < minimum:
            raise self.error(name, f"must be at least {minimum}, got {value}.")
        if maximum is not None and value > maximum:
            raise self.error(name, f"must be at most {maximum}, got {value}.")
        return value

    def text_list(self, name: str, default: Iterable[str] = ()) -> tuple[str, ...]:
        value: list[object] = self._get(name, list(default), list, 'a list of strings, like ["a", "b"]')
        for item in value:
            if not isinstance(item, str):
                raise self.error(name, f"expected a list of strings, found {item!r}.")
        return tuple(str(v) for v in value)

    def choice(self, name: str, default: str, choices: Iterable[str]) -> str:
        choices = list(choices)
        value = self.text(name, default)
        if value not in choices:
            raise self.error(name, f"must be one of {', '.join(choices)}; got {value!r}.")
        return value

    def zone(self, name: str, default: ZoneInfo | None) -> ZoneInfo | None:
        """An IANA zone; a missing key gives ``default``, an empty one is an error (it reads as "no zone" but
        would silently become the default)."""
        if name not in self.data:
            return default
        zone_name = self.text(name, "")
        if not zone_name.strip():
            instead = "remove the line to use the system's zone" if default is not None else "it is required"
            raise self.error(name, f'is empty; set an IANA zone like "Europe/Berlin" ({instead}).')
        try:
            return ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.error(name, f'{zone_name!r} is not an IANA time zone; use e.g. "Europe/Berlin".') from None

    def date(self, name: str) -> date:
        value = self.data.get(name)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(name, f"expected a date like 2026-12-24, got {value!r}.")

    def table(self, name: str) -> Table:
        value: dict[str, object] = self._get(name, {}, dict, f"a table [{self.key(name)}]")
        return Table(value, path=self.key(name), source=self.source)

    def tables(self, name: str) -> list[Table]:
        value: list[object] = self._get(name, [], list, f"an array of tables [[{self.key(name)}]]")
        out: list[Table] = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error(name, f"item {i + 1} must be a table [[{self.key(name)}]].")
            out.append(Table(item, path=f"{self.key(name)}[{i + 1}]", source=self.source))
        return out
