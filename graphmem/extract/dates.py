"""Resolve a relative or absolute date phrase against the message time (pure, no spaCy)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

__all__ = ["resolve_date"]

_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBERS.update({"a": 1, "an": 1, "couple": 2, "few": 3, "several": 3})
_UNITS = {"day": 1, "week": 7, "fortnight": 14}
_AGO = re.compile(r"\b(\d+|[a-z]+)(?: of)? (day|week|fortnight|month|year)s? ago\b")
_IN = re.compile(r"\bin (\d+|[a-z]+)(?: of)? (day|week|month|year)s?\b")
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+)\b")
_MONTH_DAY = re.compile(r"\b([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1)


def _number(word: str) -> int | None:
    return int(word) if word.isdigit() else _NUMBERS.get(word)


def _shift(anchor: datetime, amount: int, unit: str) -> datetime:
    """Exact offsets keep the day of month ("3 years ago" on 10 May 2024 is 10 May 2021)."""
    if unit in ("month", "year"):
        first = _add_months(anchor, amount * (12 if unit == "year" else 1))
        for day in (anchor.day, 30, 29, 28):
            try:
                return first.replace(day=day)
            except ValueError:
                continue
    return anchor + timedelta(days=amount * _UNITS[unit])


def _relative(text: str, day: datetime) -> datetime | None:
    if re.search(r"\b(today|tonight|this morning|this afternoon|this evening|now)\b", text):
        return day
    if "day before yesterday" in text:
        return day - timedelta(days=2)
    if "yesterday" in text or "last night" in text:
        return day - timedelta(days=1)
    if "tomorrow" in text:
        return day + timedelta(days=1)
    match = _AGO.search(text)
    if match and _number(match.group(1)) is not None:
        return _shift(day, -_number(match.group(1)), match.group(2))  # type: ignore[operator]
    match = _IN.search(text)
    if match and _number(match.group(1)) is not None:
        return _shift(day, _number(match.group(1)), match.group(2))  # type: ignore[arg-type]
    for word, step in (("last", -1), ("next", 1), ("this", 0), ("past", -1)):
        match = re.search(rf"\b{word} (week|month|year|weekend|{'|'.join(_WEEKDAYS)})\b", text)
        if match:
            return _period(day, match.group(1), step)
    return None


def _period(day: datetime, unit: str, step: int) -> datetime:
    """Start of the previous/next/current week, month, year or weekday."""
    if unit == "week":
        return day - timedelta(days=day.weekday()) + timedelta(days=7 * step)
    if unit == "weekend":
        return day + timedelta(days=(5 - day.weekday()) % 7 + 7 * step)
    if unit == "month":
        return _add_months(day, step)
    if unit == "year":
        return day.replace(year=day.year + step, month=1, day=1)
    target = _WEEKDAYS[unit]
    delta = (target - day.weekday()) % 7
    if step < 0:
        return day - timedelta(days=(day.weekday() - target) % 7 or 7)
    if step > 0:
        return day + timedelta(days=delta or 7)
    return day + timedelta(days=delta)


def _absolute(text: str, day: datetime) -> datetime | None:
    match = _ISO.search(text)
    if match:
        return day.replace(year=int(match[1]), month=int(match[2]), day=int(match[3]))
    year_match = _YEAR.search(text)
    year = int(year_match.group(1)) if year_match else None
    for pattern, order in ((_DAY_MONTH, (1, 2)), (_MONTH_DAY, (2, 1))):
        for match in pattern.finditer(text):
            month = _MONTHS.get(match.group(order[1]))
            date = int(match.group(order[0]))
            if month and 1 <= date <= 31 and not (year_match and match.group(order[0]) == year_match.group(1)):
                try:
                    return day.replace(year=year or day.year, month=month, day=date)
                except ValueError:
                    return None
    for word in re.findall(r"[a-z]+", text):
        if word in _MONTHS and (len(word) > 3 or word != "may" or year is not None or text.startswith("in")):
            return day.replace(year=year or day.year, month=_MONTHS[word], day=1)
        if word in _WEEKDAYS:
            return _period(day, word, -1) if day.weekday() != _WEEKDAYS[word] else day
    if year is not None:
        return day.replace(year=year, month=1, day=1)
    return None


def resolve_date(text: str, anchor: datetime) -> datetime | None:
    """ "last month", "next Friday", "two weeks ago", "on 7 May", "in 2021" -> a datetime (day precision).

    Periods resolve to their first day; bare weekdays to the latest one on or before the anchor.
    """
    cleaned = " ".join(text.lower().replace(",", " ").split())
    day = _midnight(anchor)
    try:
        return _relative(cleaned, day) or _absolute(cleaned, day)
    except (ValueError, OverflowError):
        return None
