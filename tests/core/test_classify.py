"""Classification defaults and the [classification] rules (issue 2, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from traystatus.core.classify import ClassificationRules, classify
from traystatus.core.config_schema import Table
from traystatus.core.errors import ConfigError
from traystatus.core.model import CalendarEvent, EventKind, Privacy

T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)
T1 = datetime(2026, 11, 24, 10, tzinfo=UTC)


def ev(**kw: object) -> CalendarEvent:
    base: dict[str, object] = {"uid": "u", "start": T0, "end": T1, "title": "Sync"}
    base.update(kw)
    return CalendarEvent(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "kind", "rule_part"),
    [
        ({}, EventKind.MEETING, "timed busy"),
        ({"status": "CANCELLED", "title": "OOO"}, EventKind.IGNORED, "CANCELLED"),
        ({"partstat": "DECLINED"}, EventKind.IGNORED, "declined"),
        ({"transparent": True}, EventKind.FREE, "TRANSPARENT"),
        ({"busy_status": "FREE", "title": "Vacation"}, EventKind.FREE, "BUSYSTATUS:FREE"),
        ({"busy_status": "OOF", "title": "Conference"}, EventKind.OOO, "BUSYSTATUS:OOF"),
        ({"title": "OOO - dentist"}, EventKind.OOO, "'OOO'"),
        ({"title": "Alice out-of-office"}, EventKind.OOO, "out-of-office"),
        ({"title": "Summer VACATION"}, EventKind.OOO, "VACATION"),
        ({"title": "pto"}, EventKind.OOO, "pto"),
        ({"title": "Sick leave"}, EventKind.OOO, "Sick"),
        ({"title": "Public holiday"}, EventKind.OOO, "holiday"),
        ({"title": "Focus time"}, EventKind.FOCUS, "Focus"),
        ({"title": "Refocusing session"}, EventKind.MEETING, "timed busy"),  # word boundary
        ({"title": "Sickle cell talk"}, EventKind.MEETING, "timed busy"),
        ({"title": "Topology"}, EventKind.MEETING, "timed busy"),  # "PTO"/"OOO" not inside words
        ({"status": "TENTATIVE"}, EventKind.MEETING, "tentative"),
        ({"busy_status": "TENTATIVE"}, EventKind.MEETING, "tentative"),
        ({"all_day": True, "title": "Birthday"}, EventKind.FREE, "all-day"),
        ({"all_day": True, "title": "Vacation", "transparent": True}, EventKind.OOO, "Vacation"),
        ({"all_day": True, "title": "Offsite", "busy_status": "OOF"}, EventKind.OOO, "OOF"),
        # Google's holiday calendars mark observances "[Not a public holiday]": a working day
        (
            {"all_day": True, "title": "Halloween [Not a public holiday]", "transparent": True},
            EventKind.FREE,
            "free",
        ),
        ({"all_day": True, "title": "Nikolaus (not a holiday)"}, EventKind.FREE, "all-day"),
        ({"title": "No vacation this week: planning"}, EventKind.MEETING, "timed busy"),
        ({"title": "Not in office? No: OOO"}, EventKind.OOO, "OOO"),  # a later word that is not negated
        ({"all_day": True, "title": "Bank holiday (England)"}, EventKind.OOO, "holiday"),
        ({"all_day": True, "title": "Christmas market (not a bank holiday)"}, EventKind.FREE, "all-day"),
        # the Philippines' day off: "non-working" says the day is off, it does not negate the holiday
        ({"all_day": True, "title": "Special Non-working Holiday", "transparent": True}, EventKind.OOO, "Holiday"),
        ({"title": "Not working - holiday"}, EventKind.OOO, "holiday"),
    ],
)
def test_default_rules(kw: dict[str, object], kind: EventKind, rule_part: str) -> None:
    c = classify(ev(**kw), ClassificationRules())
    assert c.kind is kind
    assert rule_part in c.rule


def test_private_event_rule_does_not_leak_the_title() -> None:
    c = classify(ev(title="Sick: oncology appointment", privacy=Privacy.PRIVATE), ClassificationRules())
    assert c.kind is EventKind.OOO
    assert "Sick" not in c.rule and "oncology" not in c.rule
    assert c.event.display_title == "Private event"


def test_rules_from_table_are_applied() -> None:
    rules = ClassificationRules.from_table(
        Table(
            {
                "ooo_words": ["Urlaub"],
                "focus_words": ["deep work", "Fokus"],
                "tentative_is_busy": False,
                "user_emails": ["Me@Example.org"],
                "calendars": [{"name": "Team vacations", "kind": "ignored"}, {"name": "Blocks", "kind": "focus"}],
            },
            path="classification",
            source="c.toml",
        )
    )
    assert rules.user_emails == ("me@example.org",)
    assert classify(ev(title="Urlaub"), rules).kind is EventKind.OOO
    assert classify(ev(title="Vacation"), rules).kind is EventKind.MEETING  # words replaced, not added
    assert classify(ev(title="Deep  Work"), rules).kind is EventKind.FOCUS
    assert classify(ev(status="TENTATIVE"), rules).kind is EventKind.FREE
    assert classify(ev(title="Bob OOO", source="Team vacations"), rules).kind is EventKind.IGNORED
    c = classify(ev(title="Anything", source="Blocks"), rules)
    assert (c.kind, c.rule) == (EventKind.FOCUS, "calendar 'Blocks' is set to focus")
    assert classify(ev(title="x", source="Blocks", status="CANCELLED"), rules).kind is EventKind.IGNORED


def test_empty_word_lists_disable_keyword_rules() -> None:
    rules = ClassificationRules(ooo_words=(), focus_words=())
    assert classify(ev(title="OOO focus"), rules).kind is EventKind.MEETING


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"ooo_word": ["x"]}, "Did you mean 'ooo_words'"),
        ({"ooo_words": "vacation"}, "classification.ooo_words: expected a list"),
        ({"tentative_is_busy": "no"}, "true or false"),
        ({"user_emails": ["alice"]}, "not an e-mail address"),
        ({"calendars": [{"name": "A", "kind": "busy"}]}, "must be one of auto, ooo"),
        ({"calendars": [{"kind": "ooo"}]}, "needs name"),
    ],
)
def test_bad_classification_config_names_key_and_fix(data: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError) as e:
        ClassificationRules.from_table(Table(data, path="classification", source="c.toml"))
    assert needle in e.value.message
    assert e.value.message.startswith("c.toml: classification")
