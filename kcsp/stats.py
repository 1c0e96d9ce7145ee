"""Statistics on tidy monthly series: rates, rolling totals, period comparisons, Byar's intervals.

Judgements follow the approach of OHID Fingertips: an area is "Similar" to the benchmark when the
benchmark value lies inside the area's 95% confidence interval, otherwise "Higher" or "Lower"; for
indicators with a good direction these become "Better" or "Worse".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

Z95 = 1.959963984540054
SUPPRESS_BELOW = 5


def byar_interval(count: float, z: float = Z95) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson confidence interval of an observed count."""
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        lower = 0.0
    else:
        lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper_n = count + 1
    upper = upper_n * (1 - 1 / (9 * upper_n) + z / (3 * math.sqrt(upper_n))) ** 3
    return max(lower, 0.0), upper


def rate_per_1000(count: float, population: float) -> float:
    if population <= 0:
        raise ValueError("population must be positive")
    return count / population * 1000


def rolling_12(series: pd.DataFrame, breaks: list[pd.Timestamp] | None = None, step: int = 1) -> pd.Series:
    """Rolling 12-month totals of a series of `step`-month periods (monthly, quarterly or yearly), indexed like it.

    A total needs 12 consecutive months and restarts at each series break, so no total ever sums
    months recorded on two different bases.
    """
    if series.empty:
        return pd.Series(dtype="float64")
    values = series.set_index("period")["value"].astype("float64").sort_index().asfreq(f"{step}MS")
    out = pd.Series(float("nan"), index=values.index)
    first, last = values.index.min(), values.index.max()
    edges = [first, *sorted(b for b in breaks or [] if first < b <= last)]
    window = 12 // step
    for i, start in enumerate(edges):
        stop = edges[i + 1] - pd.DateOffset(months=step) if i + 1 < len(edges) else last
        out.loc[start:stop] = values.loc[start:stop].rolling(window, min_periods=window).sum()
    return pd.Series(out.reindex(series["period"]).to_numpy(), index=series.index)


@dataclass(frozen=True)
class Comparison:
    """The latest 12 months against the 12 before (or why that cannot be said)."""

    current: float | None
    previous: float | None
    current_start: pd.Timestamp | None
    current_end: pd.Timestamp | None
    reason: str | None = None
    basis: str = "the previous 12 months"

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def percent(self) -> float | None:
        if self.change is None or not self.previous:
            return None
        return self.change / self.previous * 100


def compare_last_12(series: pd.DataFrame, breaks: list[pd.Timestamp] | None = None,
                    months: int = 12, step: int = 1) -> Comparison:
    """Sum of the latest `months` months against the `months` before them.

    No comparison is made when fewer than 2 x months consecutive months are available, or when a
    series break falls inside the later window (the two windows would measure different things).
    """
    if series.empty:
        return Comparison(None, None, None, None, "there is no data for this selection")
    values = series.set_index("period")["value"].sort_index()
    end = values.index.max()
    current_start = end - pd.DateOffset(months=months - step)
    previous_start = end - pd.DateOffset(months=2 * months - step)
    expected = pd.date_range(previous_start, end, freq=f"{step}MS")
    if not expected.isin(values.index).all():
        return Comparison(None, None, current_start, end,
                          f"fewer than {2 * months} consecutive months of data are available")
    for brk in breaks or []:
        if previous_start < brk <= end:
            return Comparison(None, None, current_start, end,
                              f"the series changed at {brk:%B %Y}, so the two periods are not comparable")
    current = float(values.loc[current_start:end].sum())
    previous = float(values.loc[previous_start:current_start - pd.DateOffset(months=step)].sum())
    return Comparison(current, previous, current_start, end + pd.DateOffset(months=step - 1))


def compare_year_ago(series: pd.DataFrame, breaks: list[pd.Timestamp] | None = None, step: int = 1) -> Comparison:
    """The latest 12 months against the 12 before; with under 24 months, the latest month against
    the same month a year earlier. Never across a series break. `step`: months per period."""
    full = compare_last_12(series, breaks, step=step)
    if full.percent is not None or series.empty or "series changed" in (full.reason or ""):
        return full
    values = series.set_index("period")["value"].sort_index()
    end = values.index.max()
    before = end - pd.DateOffset(years=1)
    if before not in values.index:
        return Comparison(None, None, end, end, "there is no value for the same month a year earlier")
    for brk in breaks or []:
        if before < brk <= end:
            return Comparison(None, None, end, end,
                              f"the series changed at {brk:%B %Y}, so the two months are not comparable")
    return Comparison(float(values[end]), float(values[before]), end, end, basis=f"{before:%b %Y}")


def direction(percent: float | None, polarity: str, tolerance: float = 0.5) -> str:
    """'better', 'worse', 'no change', 'up', 'down' or 'unknown' for a percentage change."""
    if percent is None:
        return "unknown"
    if abs(percent) < tolerance:
        return "no change"
    up = percent > 0
    if polarity == "lower-is-better":
        return "worse" if up else "better"
    if polarity == "higher-is-better":
        return "better" if up else "worse"
    return "up" if up else "down"


def judge(lower: float, upper: float, benchmark: float, polarity: str) -> str:
    """Compare an interval with a benchmark value: Better/Similar/Worse or Higher/Similar/Lower."""
    if lower <= benchmark <= upper:
        return "Similar"
    higher = lower > benchmark
    if polarity == "lower-is-better":
        return "Worse" if higher else "Better"
    if polarity == "higher-is-better":
        return "Better" if higher else "Worse"
    return "Higher" if higher else "Lower"


def funnel_limits(benchmark_rate: float, max_population: float, points: int = 60) -> pd.DataFrame:
    """Control limits of a rate per 1,000 around a benchmark, for populations up to max_population.

    For a population P the expected count is benchmark x P / 1,000; the limits are Byar's interval
    of that count at 95% (z = 1.96) and 99.8% (z = 3.09), turned back into rates.
    """
    rows = []
    for i in range(1, points + 1):
        pop = max_population * 1.1 * i / points
        expected = benchmark_rate * pop / 1000
        row = {"population": pop}
        for level, z in (("95", Z95), ("99.8", 3.090232306167813)):
            low, high = byar_interval(expected, z)
            row[f"lower_{level}"] = low / pop * 1000
            row[f"upper_{level}"] = high / pop * 1000
        rows.append(row)
    return pd.DataFrame(rows)


def suppressed(count: float) -> bool:
    """Counts from 1 to SUPPRESS_BELOW - 1 are suppressed in district views (0 is shown)."""
    return 0 < count < SUPPRESS_BELOW
