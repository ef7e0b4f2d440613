"""Reporting periods derived from a frequency: codes, spans, neighbours and ranges."""

from datetime import date

import pytest

from measurement.choices import Frequency
from measurement.periods import (
    next_period,
    parse_period,
    period_containing,
    periods_between,
    previous_period,
    timeline,
)


@pytest.mark.parametrize(
    ("code", "frequency", "start", "end"),
    [
        ("2026-01", Frequency.MONTHLY, date(2026, 1, 1), date(2026, 1, 31)),
        ("2024-02", Frequency.MONTHLY, date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("2025-02", Frequency.MONTHLY, date(2025, 2, 1), date(2025, 2, 28)),
        ("2026-12", Frequency.MONTHLY, date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-Q1", Frequency.QUARTERLY, date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q2", Frequency.QUARTERLY, date(2026, 4, 1), date(2026, 6, 30)),
        ("2026-Q4", Frequency.QUARTERLY, date(2026, 10, 1), date(2026, 12, 31)),
        ("2026", Frequency.YEARLY, date(2026, 1, 1), date(2026, 12, 31)),
        (" 2026 ", Frequency.YEARLY, date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_parse_period(code, frequency, start, end):
    span = parse_period(code)
    assert (span.frequency, span.code, span.start, span.end) == (frequency, code.strip(), start, end)


@pytest.mark.parametrize(
    "code",
    ["", None, "2026-13", "2026-00", "2026-1", "2026-Q5", "2026-Q0", "2026q1", "26", "20261", "2026-H1", "x"],
)
def test_parse_period_refuses_what_is_not_a_period(code):
    assert parse_period(code) is None


@pytest.mark.parametrize(
    ("frequency", "day", "code"),
    [
        (Frequency.MONTHLY, date(2026, 11, 27), "2026-11"),
        (Frequency.QUARTERLY, date(2026, 3, 31), "2026-Q1"),
        (Frequency.QUARTERLY, date(2026, 4, 1), "2026-Q2"),
        (Frequency.QUARTERLY, date(2026, 12, 31), "2026-Q4"),
        (Frequency.YEARLY, date(2026, 6, 1), "2026"),
    ],
)
def test_period_containing(frequency, day, code):
    assert period_containing(frequency, day).code == code


def test_next_and_previous_cross_the_year():
    assert next_period(parse_period("2026-12")).code == "2027-01"
    assert previous_period(parse_period("2026-01")).code == "2025-12"
    assert next_period(parse_period("2026-Q4")).code == "2027-Q1"
    assert previous_period(parse_period("2026-Q1")).code == "2025-Q4"
    assert next_period(parse_period("2026")).code == "2027"
    assert previous_period(parse_period("2026")).code == "2025"


def test_periods_between_covers_both_ends():
    codes = [s.code for s in periods_between(Frequency.QUARTERLY, date(2025, 11, 15), date(2026, 4, 1))]
    assert codes == ["2025-Q4", "2026-Q1", "2026-Q2"]
    months = periods_between(Frequency.MONTHLY, date(2024, 1, 1), date(2026, 12, 31))
    assert len(months) == 36
    assert (months[0].code, months[-1].code) == ("2024-01", "2026-12")
    # Consecutive: each starts the day after the previous ends.
    assert all((b.start - a.end).days == 1 for a, b in zip(months, months[1:], strict=False))
    assert [s.code for s in periods_between(Frequency.YEARLY, date(2026, 5, 1), date(2026, 5, 2))] == ["2026"]


def test_periods_between_an_empty_range():
    assert periods_between(Frequency.YEARLY, date(2026, 5, 1), date(2025, 5, 1)) == []


def test_a_timeline_has_every_period_from_the_first_to_the_last():
    # Figures in 2024 and 2025, targets in 2026, 2027 and 2030: the axis has seven equal years.
    assert timeline(["2030", "2024", "2026", "2025", "2027"]) == [str(y) for y in range(2024, 2031)]
    assert timeline(["2025-Q3", "2026-Q2"]) == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert timeline(["2026-02", "2025-12", "2026-02"]) == ["2025-12", "2026-01", "2026-02"]
    assert timeline(["2026"]) == ["2026"] and timeline([]) == []
    # Not periods of one frequency: as given, sorted.
    assert timeline(["2026", "2025-Q1"]) == ["2025-Q1", "2026"]
    assert timeline(["b", "a"]) == ["a", "b"]
    # Not a thousand years of months.
    assert timeline(["1900-01", "2200-01"]) == ["1900-01", "2200-01"]
