"""Publication dates as records carry them (ISO-like strings): the one parser every stage uses."""
from __future__ import annotations

import re
from datetime import date

#: ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY.MM.DD`` or month precision ``YYYY-MM``, optionally followed by a time
_DATE_PREFIX = re.compile(r"\s*(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?!\d)")


def parse_date(value: str | None) -> date | None:
    """The calendar date at the start of an ISO-like string; a month-precision date (``2024-10``) is its first
    day; None when missing or unreadable (``2024-13-01``, ``yesterday``).

    >>> parse_date("2024-10-11T08:00:00Z"), parse_date("2024/3/9"), parse_date("2024-10"), parse_date("")
    (datetime.date(2024, 10, 11), datetime.date(2024, 3, 9), datetime.date(2024, 10, 1), None)
    """
    m = _DATE_PREFIX.match(value or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None


def day_number(value: str | None) -> int | None:
    """Proleptic ordinal day of a publication date (``parse_date``), None when missing or unreadable."""
    parsed = parse_date(value)
    return None if parsed is None else parsed.toordinal()
