"""Time in queries, pure: "in May 2023", "in 2021", "last week", "yesterday" -> a period of
message time that hits can be boosted by. Relative phrases count back from ``now``."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

__all__ = ["query_period"]

_MONTHS = {
    name: i + 1
    for i, name in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
_MONTH_YEAR = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s*,?\s+(\d{4})\b")
_YEAR = re.compile(r"\b(?:in|during|of|since)\s+((?:19|20)\d\d)\b")
_RELATIVE = re.compile(r"\b(last|this|past|previous)\s+(week|month|year)\b|\b(yesterday|today)\b")


def _month(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1)
    end = datetime(year + (month == 12), month % 12 + 1, 1)
    return start, end


def query_period(query: str, now: datetime) -> tuple[datetime, datetime] | None:
    """The first period the query names, in ``now``'s time zone, or None."""
    text = query.lower()
    tz = now.tzinfo
    if m := _MONTH_YEAR.search(text):
        start, end = _month(int(m.group(2)), _MONTHS[m.group(1)])
        return start.replace(tzinfo=tz), end.replace(tzinfo=tz)
    if m := _YEAR.search(text):
        year = int(m.group(1))
        return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    if m := _RELATIVE.search(text):
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if m.group(3) == "today":
            return day, day + timedelta(days=1)
        if m.group(3) == "yesterday":
            return day - timedelta(days=1), day
        this = m.group(1) == "this"
        unit = m.group(2)
        if unit == "week":
            start = day - timedelta(days=day.weekday())
            return (start, start + timedelta(days=7)) if this else (start - timedelta(days=7), start)
        if unit == "month":
            start, end = _month(day.year, day.month)
            if not this:
                start, end = _month(day.year - (day.month == 1), (day.month - 2) % 12 + 1)
            return start.replace(tzinfo=tz), end.replace(tzinfo=tz)
        year = day.year - (0 if this else 1)
        return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    return None
