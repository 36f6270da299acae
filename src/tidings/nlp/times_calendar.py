"""Calendar arithmetic for TimeML values: weeks, quarters, seasons, shifts by tense.

`direction` is -1 (the expression lies behind the anchor: past tense), +1 (ahead: future)
or 0 (unknown). Functions take and return `datetime.date` or TimeML strings.
"""
from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta

SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}


def iso(d: date) -> str:
    return d.isoformat()


def safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def valid_day(month: int, day: int, year: int | None = None) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= calendar.monthrange(year if year else 2000, month)[1]   # 2000: Feb 29 allowed


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def week_value(d: date, shift: int = 0) -> str:
    y, w, _ = (d + timedelta(weeks=shift)).isocalendar()
    return f"{y}-W{w:02d}"


def month_value(year: int, month: int, shift: int = 0) -> str:
    n = year * 12 + (month - 1) + shift
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def quarter_of(d: date) -> int:
    return (d.month - 1) // 3 + 1


def quarter_value(year: int, quarter: int, shift: int = 0) -> str:
    n = year * 4 + (quarter - 1) + shift
    return f"{n // 4:04d}-Q{n % 4 + 1}"


def unit_holding_most(anchor: date, unit: str) -> str | None:
    """The calendar week or month that holds most of the span of one `unit` ending at the
    anchor: "the past week" said on a Friday is this week, said on a Monday the week before.
    (A year or a quarter so named is the calendar one before, as "last year": None.)"""
    if unit == "week":
        return week_value(anchor, 0 if anchor.isoweekday() >= 4 else -1)
    if unit == "month":
        return month_value(anchor.year, anchor.month, 0 if anchor.day > 15 else -1)
    return None


def weekday_date(anchor: date, weekday: int, direction: int, strict: bool = False) -> date:
    """The date of ISO `weekday` (1=Monday) nearest the anchor in `direction`.

    Behind (-1) or unknown (0): on or before the anchor (news reports what happened);
    ahead (+1): on or after it. `strict` excludes the anchor day itself ("last Monday").
    """
    delta = weekday - anchor.isoweekday()
    if direction > 0:
        ahead = delta % 7
        if strict and ahead == 0:
            ahead = 7
        return anchor + timedelta(days=ahead)
    back = (-delta) % 7
    if strict and back == 0:
        back = 7
    return anchor - timedelta(days=back)


# Tense moves a date without a year behind or ahead of the anchor only when that keeps it
# within this many days; otherwise the nearest reading wins. News that "extended the offer
# to Nov. 20" in early November means this November, whatever the tense of "extended".
TENSE_REACH_DAYS = 300


def choose_year(anchor: date, when: Callable[[int], date], direction: int) -> int:
    """Of last year, this year and next, the year whose `when(year)` lies nearest the anchor in
    `direction` (within TENSE_REACH_DAYS), else simply nearest."""
    years = (anchor.year - 1, anchor.year, anchor.year + 1)
    dist = {y: (when(y) - anchor).days for y in years}
    if direction:
        fitting = [y for y in years if dist[y] * direction >= 0 and abs(dist[y]) <= TENSE_REACH_DAYS]
        if fitting:
            return min(fitting, key=lambda y: abs(dist[y]))
    return min(years, key=lambda y: (abs(dist[y]), -y))


def month_day_year(anchor: date, month: int, day: int, direction: int) -> int:
    """The year of `month`/`day`: behind the anchor (-1), ahead of it (+1), or the nearest (0)."""
    return choose_year(anchor, lambda y: safe_date(y, month, day) or date(y, month, 28), direction)


def month_year(anchor: date, month: int, direction: int, strict: bool = False) -> int:
    """The year of a bare month name, as for `month_day_year` (a month counts from its middle).

    `strict` (for "last June" / "next June") skips the anchor's own month: "last June"
    said in October is this year's, said in June last year's."""
    if strict:
        if direction < 0:
            return anchor.year if month < anchor.month else anchor.year - 1
        return anchor.year + 1 if month <= anchor.month else anchor.year
    if month == anchor.month:
        return anchor.year
    return choose_year(anchor, lambda y: date(y, month, 15), direction)


def season_year(anchor: date, season: str, direction: int, strict: bool = False) -> int:
    start = SEASON_START[season]
    y = anchor.year
    if direction < 0:
        # the last such season that has begun (strict: that has ended) by the anchor
        limit = anchor.month - 3 if strict else anchor.month
        return y if start <= limit else y - 1
    if direction > 0:
        return y if start > anchor.month or (not strict and start >= anchor.month - 2) else y + 1
    return y


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The n-th ISO weekday of a month (n=-1: the last one)."""
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1)
            if date(year, month, d).isoweekday() == weekday]
    try:
        return date(year, month, days[n - 1 if n > 0 else n])
    except IndexError:
        return None


def easter(year: int) -> date:
    """Western Easter Sunday of a year (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def years_with_weekday(month: int, day: int, weekday: int, latest: int, earliest: int = 1900) -> list[int]:
    """Years (latest first) in which `month`/`day` falls on ISO `weekday`."""
    return [y for y in range(latest, earliest - 1, -1)
            if (d := safe_date(y, month, day)) is not None and d.isoweekday() == weekday]


Reference = tuple[int, int | None, int | None, int | None]   # year, month, day, quarter


def shift_reference(ref: Reference, unit: str, shift: int) -> str | None:
    """A (year, month, day, quarter) reference moved by `shift` units, at that unit's granularity."""
    year, month, day, quarter = ref
    if unit == "year":
        return f"{year + shift:04d}"
    if unit == "month" and month:
        return month_value(year, month, shift)
    if unit == "week" and month and day:
        return week_value(date(year, month, day), shift)
    if unit == "day" and month and day:
        return (date(year, month, day) + timedelta(days=shift)).isoformat()
    if unit == "day" and shift == 0:
        # "that same day" after "in October 1998": a day of that month, which one unknown
        return f"{year:04d}-{month:02d}-XX" if month else f"{year:04d}-XX-XX"
    if unit == "quarter" and (quarter or month):
        return quarter_value(year, quarter or (month - 1) // 3 + 1, shift)   # type: ignore[operator]
    if unit == "decade":
        return f"{year // 10 + shift:03d}"
    return None
