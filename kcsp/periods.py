"""Frequencies of indicators and the periods they hold: months, quarters, years, financial years.

A period is stored as its first day. A frequency says how many months one period spans and how
many periods make the window a verdict judges (a year's worth: 12 months, 4 quarters, 1 year).
"""

from __future__ import annotations

from dataclasses import dataclass

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


def month_of(period: pd.Timestamp) -> str:
    return f"{period:%Y-%m}"
