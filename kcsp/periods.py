"""Frequencies of indicators and the periods they hold: months, quarters, years, financial years.

A period is stored as its first day. A frequency says how many months one period spans and how
many periods make the window a verdict judges (a year's worth: 12 months, 4 quarters, 1 year).
``parse`` reads periods as partners write them (``2023-04``, ``Apr-23``, ``April 2023``,
``2023 Q1``, ``Q1 2023/24``, ``2023/24``, ``2023``) and says why a text cannot be held at a frequency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd


@dataclass(frozen=True)
class Frequency:
    name: str
    months: int
    per_year: int
    noun: str

    def step(self, period: pd.Timestamp, n: int) -> pd.Timestamp:
        """The period n periods after (or before, for negative n) `period`."""
        return period + pd.DateOffset(months=n * self.months)

    def start_of(self, month: pd.Timestamp) -> pd.Timestamp:
        """First day of the period that holds `month`."""
        month = pd.Timestamp(month).replace(day=1).normalize()
        if self.name == "financial-year":
            return month.replace(year=month.year - (month.month < 4), month=4)
        return month.replace(month=(month.month - 1) // self.months * self.months + 1)

    def last_month(self, period: pd.Timestamp) -> pd.Timestamp:
        """First day of the last month a period covers."""
        return period + pd.DateOffset(months=self.months - 1)

    def label(self, period: pd.Timestamp) -> str:
        """How people write one period: 'Jan 2023', 'Q1 2023', '2016', '2016/17'."""
        if self.name == "quarterly":
            return f"Q{(period.month - 1) // 3 + 1} {period.year}"
        if self.name == "yearly":
            return f"{period.year}"
        if self.name == "financial-year":
            return f"{period.year}/{(period.year + 1) % 100:02d}"
        return f"{period:%b %Y}"

    def span(self, start: pd.Timestamp, end: pd.Timestamp) -> str:
        """'Feb 2022 to Jan 2023', or one period's label when start is end."""
        return self.label(end) if start == end else f"{self.label(start)} to {self.label(end)}"

    def count_words(self, n: int) -> str:
        return f"{n} {self.noun}{'s' if n != 1 else ''}"


FREQUENCIES: dict[str, Frequency] = {
    f.name: f for f in (
        Frequency("monthly", 1, 12, "month"),
        Frequency("quarterly", 3, 4, "quarter"),
        Frequency("yearly", 12, 1, "year"),
        Frequency("financial-year", 12, 1, "financial year"),
    )
}


def frequency(name: str) -> Frequency:
    return FREQUENCIES[name]


PER_YEAR = {name: f.per_year for name, f in FREQUENCIES.items()}
NOUN = {name: f.noun for name, f in FREQUENCIES.items()}
MONTHS = {m.lower(): i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
FULL_MONTHS = {m.lower(): i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}

_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-01)?")
_NAMED_MONTH = re.compile(r"([a-z]+)[\s\-/.]*'?(\d{2}|\d{4})")
_CAL_QUARTER = re.compile(r"(\d{4})\s*[-/ ]?\s*q([1-4])|q([1-4])\s*[-/ ]?\s*(\d{4})")
_FY_QUARTER = re.compile(r"q([1-4])\s*(?:fy)?\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})"
                         r"|(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*q([1-4])")
_FY = re.compile(r"(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})")
_YEAR = re.compile(r"(\d{4})")


class PeriodError(ValueError):
    """A period text that cannot be read, or that the frequency cannot hold; the message says why."""


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000
    if not 1990 <= year <= 2100:
        raise PeriodError(f"year {year} is out of range")
    return year


def _fy_start(first: str, second: str) -> int:
    start = _year(first)
    end = _year(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if end != start + 1:
        raise PeriodError(f"{first}/{second} is not a financial year (the second year must follow the first)")
    return start


def _read(text: str) -> tuple[str, pd.Timestamp]:
    """(kind, first day) where kind is month, quarter, year or financial-year."""
    raw = text.strip().lower()
    if m := _ISO_MONTH.fullmatch(raw):
        month = int(m.group(2))
        if month > 12 and len(m.group(2)) == 2 and month == (int(m.group(1)) + 1) % 100:
            return "financial-year", pd.Timestamp(_year(m.group(1)), 4, 1)
        if not 1 <= month <= 12:
            raise PeriodError(f"{text!r} has no month {month}")
        return "month", pd.Timestamp(_year(m.group(1)), month, 1)
    if m := _FY_QUARTER.fullmatch(raw):
        q, first, second = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(4), m.group(5))
        start = _fy_start(first, second)
        month = 4 + 3 * (int(q) - 1)
        return "quarter", pd.Timestamp(start + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    if m := _CAL_QUARTER.fullmatch(raw):
        year, q = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return "quarter", pd.Timestamp(_year(year), 1 + 3 * (int(q) - 1), 1)
    if m := _FY.fullmatch(raw):
        return "financial-year", pd.Timestamp(_fy_start(m.group(1), m.group(2)), 4, 1)
    if m := _YEAR.fullmatch(raw):
        return "year", pd.Timestamp(_year(m.group(1)), 1, 1)
    if m := _NAMED_MONTH.fullmatch(raw):
        name = m.group(1)
        month = MONTHS.get(name) or FULL_MONTHS.get(name) or (MONTHS.get(name[:3]) if name.startswith("sept") else None)
        if month is None:
            raise PeriodError(f"{text!r} is not a month name")
        return "month", pd.Timestamp(_year(m.group(2)), month, 1)
    raise PeriodError(f"{text!r} is not a period (write e.g. 2023-04, Apr-23, 2023 Q1, Q1 2023/24, 2023/24 or 2023)")


HOLDS = {"monthly": ("month",), "quarterly": ("quarter",), "yearly": ("year",), "financial-year": ("financial-year",)}


def parse(value: object, frequency: str) -> pd.Timestamp:
    """The first day of the period `value` names, or PeriodError when it is unreadable or the frequency cannot hold it.

    Spreadsheet dates (datetime cells) are read as the month they fall in.
    """
    if isinstance(value, (datetime, date, pd.Timestamp)):
        stamp = pd.Timestamp(value)
        kind, first = "month", pd.Timestamp(stamp.year, stamp.month, 1)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        kind, first = _read(str(int(value)))
    else:
        kind, first = _read(str(value))
    if kind not in HOLDS[frequency]:
        raise PeriodError(f"{value!s} is a {kind.replace('-', ' ')}: a {frequency} indicator holds "
                          f"{NOUN[frequency]}s (e.g. {example(frequency)})")
    return first


def example(frequency: str) -> str:
    return {"monthly": "2023-04", "quarterly": "2023 Q2 or Q1 2023/24", "yearly": "2023",
            "financial-year": "2023/24"}[frequency]


def label(period: pd.Timestamp, frequency_name: str) -> str:
    """A period as people say it (see Frequency.label)."""
    return FREQUENCIES[frequency_name].label(pd.Timestamp(period))


def parse_times(values: pd.Series) -> pd.Series:
    """Times as the store writes them (ISO 8601 with a zone, kcsp.audit.timestamp) as naive UTC
    timestamps; blank: NaT. The one reader of every table's `..._at` column."""
    return pd.to_datetime(values, utc=True, format="ISO8601").dt.tz_localize(None)
