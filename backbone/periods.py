"""Assessment periods: half-years by default (the survey goes out twice a year)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class HalfYear:
    code: str
    start: date
    end: date


def half_year_of(day: date) -> HalfYear:
    if day.month <= 6:
        return HalfYear(f"{day.year}-H1", date(day.year, 1, 1), date(day.year, 6, 30))
    return HalfYear(f"{day.year}-H2", date(day.year, 7, 1), date(day.year, 12, 31))


def half_years_around(day: date, *, before: int = 3, after: int = 1) -> list[HalfYear]:
    """The half-year of `day`, `before` earlier ones and `after` later ones, oldest first."""
    current = half_year_of(day)
    result = [current]
    cursor = current
    for _ in range(before):
        cursor = half_year_of(cursor.start - timedelta(days=1))
        result.insert(0, cursor)
    cursor = current
    for _ in range(after):
        cursor = half_year_of(cursor.end + timedelta(days=1))
        result.append(cursor)
    return result


def previous_window(start: date, end: date) -> tuple[date, date]:
    """The period just before [start, end], for the "increasingly" signals: as many whole months
    before when the period is made of whole months (2025-H1 -> 2024-H2), else as many days."""
    after = end + timedelta(days=1)
    if start.day == 1 and after.day == 1:
        months = (after.year * 12 + after.month) - (start.year * 12 + start.month)
        index = start.year * 12 + start.month - 1 - months
        return date(index // 12, index % 12 + 1, 1), start - timedelta(days=1)
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)
