"""Reporting periods derived from a frequency: 2026-01 (monthly), 2026-Q1 (quarterly), 2026 (yearly)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .choices import Frequency

MONTHLY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTERLY = re.compile(r"^(\d{4})-Q([1-4])$")
YEARLY = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class PeriodSpan:
    frequency: str
    code: str
    start: date
    end: date


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def parse_period(code: str) -> PeriodSpan | None:
    code = (code or "").strip()
    if m := MONTHLY.match(code):
        y, mo = int(m.group(1)), int(m.group(2))
        return PeriodSpan(Frequency.MONTHLY, code, date(y, mo, 1), _month_end(y, mo))
    if m := QUARTERLY.match(code):
        y, q = int(m.group(1)), int(m.group(2))
        return PeriodSpan(Frequency.QUARTERLY, code, date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
    if m := YEARLY.match(code):
        y = int(m.group(1))
        return PeriodSpan(Frequency.YEARLY, code, date(y, 1, 1), date(y, 12, 31))
    return None


def period_containing(frequency: str, day: date) -> PeriodSpan:
    if frequency == Frequency.MONTHLY:
        code = f"{day.year:04d}-{day.month:02d}"
    elif frequency == Frequency.QUARTERLY:
        code = f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    else:
        code = f"{day.year:04d}"
    span = parse_period(code)
    if span is None:  # not reached: every date's code parses
        raise ValueError(f"no {frequency} period for {day}")
    return span


def next_period(span: PeriodSpan) -> PeriodSpan:
    return period_containing(span.frequency, span.end + timedelta(days=1))


def previous_period(span: PeriodSpan) -> PeriodSpan:
    return period_containing(span.frequency, span.start - timedelta(days=1))


def periods_between(frequency: str, first: date, last: date) -> list[PeriodSpan]:
    spans = []
    span = period_containing(frequency, first)
    while span.start <= last:
        spans.append(span)
        span = next_period(span)
    return spans


# A time axis longer than this (a century of months) is not drawn period by period.
MAX_TIMELINE = 1200


def timeline(codes: Iterable[str]) -> list[str]:
    """Every period from the earliest of `codes` to the latest, in order: the categories of a time
    axis whose steps are equal in time (2024, 2025, 2026, 2027, 2028, 2029, 2030 for a curve with
    figures in 2024 and 2025 and targets in 2026, 2027 and 2030, not five equal steps that draw a
    three-year gap as one year). Codes that are not periods of one frequency are returned as given,
    sorted."""
    given = sorted(set(codes))
    spans = [span for code in given if (span := parse_period(code)) is not None]
    if not spans or len(spans) != len(given) or len({span.frequency for span in spans}) != 1:
        return given
    first, last = spans[0], spans[-1]
    if (last.start.year - first.start.year) * 12 > MAX_TIMELINE:
        return given
    return [span.code for span in periods_between(first.frequency, first.start, last.start)]
