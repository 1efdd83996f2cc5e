"""Dates as exports write them: ISO-8601, AWS/GCP/Azure timestamps, spreadsheet forms.

A slash date is read month-first (``03/04/2025`` is 2025-03-04) because that is what
US-locale spreadsheets and console exports write; ``31/12/2025`` (a first number above 12)
is read day-first since it can mean nothing else.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

#: Values exports use for "no date": AWS writes N/A, no_information and not_supported.
EMPTY = frozenset({"", "n/a", "na", "none", "null", "never", "no_information",
                   "not_supported", "-", "--", "unknown"})
_FORMATS = ("%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%d %b %Y", "%d %B %Y",
            "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d.%m.%Y", "%Y%m%d")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_date(value: object) -> datetime | None:
    """An aware UTC datetime, None for an empty marker; ValueError for anything else."""
    return _parse_text(value) if isinstance(value, str) else _parse(value)


@lru_cache(maxsize=1 << 14)
def _parse_text(value: str) -> datetime | None:
    """`_parse` once per distinct text: a 50,000-row export holds a few thousand distinct
    dates (day-granular columns, one report run). Errors are not cached; they are rare."""
    return _parse(value)


def _parse(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch(float(value))
    text = str(value).strip()
    if len(text) >= 10 and text[4] == "-" and text[:4].isdigit():
        try:  # the common case (ISO-8601, incl. "Z"), without the fallbacks' cost
            return _aware(datetime.fromisoformat(text))
        except ValueError:
            pass
    if text.lower() in EMPTY:
        return None
    if re.fullmatch(r"\d{10}(\.\d+)?|\d{13}", text):
        return _epoch(float(text) / (1000 if len(text) == 13 else 1))
    iso = text.replace(" UTC", "+00:00").replace("Z", "+00:00").replace("z", "+00:00")
    try:
        return _aware(datetime.fromisoformat(iso))
    except ValueError:
        pass
    m = _SLASH.match(text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        month, day = (b, a) if a > 12 else (a, b)
        hour, minute, sec = (int(m.group(i) or 0) for i in (4, 5, 6))
        return datetime(year, month, day, hour, minute, sec, tzinfo=UTC)
    for fmt in _FORMATS:
        try:
            return _aware(datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:
        return _aware(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"{text[:40]!r} is not a date") from None


def _epoch(seconds: float) -> datetime:
    if not 0 <= seconds < 32503680000:  # before year 3000
        raise ValueError(f"{seconds!r} is not a date")
    return datetime.fromtimestamp(seconds, UTC)


def _aware(value: datetime) -> datetime:
    if value.year >= 9999:  # GCP's "never expires" validBeforeTime
        return datetime(9999, 12, 31, tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
