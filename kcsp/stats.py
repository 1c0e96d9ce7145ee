"""Statistics behind every verdict: rates, confidence intervals, the test of a change, funnel limits.

The methods are those of OHID Fingertips and PHEindicatormethods:
- the 95% interval of a count is the exact Poisson interval below 10 events and Byar's approximation
  from 10 (Byar's lower limit is far off for very small counts);
- a change between two equal windows is significant when the exact two-sided conditional binomial
  test of the two counts (each count is Poisson; given their sum, the later one is binomial with
  p = 1/2 when nothing changed) gives p < 0.05;
- funnel limits are the same intervals turned round: for each population, the counts at which the
  interval's edge meets the benchmark, so a point outside the 95% funnel is exactly an area whose
  interval excludes the benchmark.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, special

CONFIDENCE = 0.95
CONTROL = 0.998
EXACT_BELOW = 10
SIGNIFICANCE = 0.05


def _z(confidence: float) -> float:
    return float(special.ndtri(1 - (1 - confidence) / 2))


def exact_interval(count: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact (Garwood) Poisson interval of a count, from the gamma distribution."""
    alpha = 1 - confidence
    lower = 0.0 if count <= 0 else float(special.gammaincinv(count, alpha / 2))
    upper = float(special.gammaincinv(count + 1, 1 - alpha / 2))
    return lower, upper


def byar_interval(count: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson interval (used from EXACT_BELOW events)."""
    z = _z(confidence)
    lower = 0.0 if count <= 0 else count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    n = count + 1
    upper = n * (1 - 1 / (9 * n) + z / (3 * math.sqrt(n))) ** 3
    return max(lower, 0.0), upper


def count_interval(count: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The interval the product uses: exact below EXACT_BELOW events, Byar's from there."""
    if count < 0 or not math.isfinite(count):
        raise ValueError("a count must be a finite number of 0 or more")
    return exact_interval(count, confidence) if count < EXACT_BELOW else byar_interval(count, confidence)


def rate_per_1000(count: float, population: float) -> float:
    if population <= 0:
        raise ValueError("population must be positive")
    return count / population * 1000


def rate_interval(count: float, population: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    low, high = count_interval(count, confidence)
    return rate_per_1000(low, population), rate_per_1000(high, population)


def change_p_value(current: float, previous: float) -> float:
    """Exact two-sided p-value that two counts over equal windows come from the same Poisson rate.

    Given n = current + previous, current is Binomial(n, 1/2) under no change; the two-sided p is
    twice the smaller tail (the distribution is symmetric), at most 1.
    """
    k, n = int(current), int(current + previous)
    if k != current or n != current + previous or k < 0 or n < k:
        raise ValueError("counts must be whole numbers of 0 or more")
    if n == 0:
        return 1.0
    lower = special.bdtr(k, n, 0.5)
    upper = 1.0 if k == 0 else special.bdtrc(k - 1, n, 0.5)
    return float(min(1.0, 2 * min(lower, upper)))


def _invert(edge, target: float) -> float:
    """Where an interval edge, increasing over whole counts, first exceeds target.

    The whole count k at which it first does is found by bisection; the limit is then placed
    between k - 1 and k where the edge (a continuous function) meets target, so every whole count
    falls on the same side of the limit as its own interval says.
    """
    if edge(0) > target:
        return 0.0
    low, high = 0, 16
    while edge(high) <= target:
        low, high = high, high * 2
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if edge(mid) <= target else (low, mid)
    below, above = edge(float(low)), edge(float(high))
    if below <= target <= above:
        return float(optimize.brentq(lambda c: edge(c) - target, float(low), float(high), xtol=1e-9))
    return low + 0.5


def funnel_counts(expected: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The counts between which an area of this expected count is judged similar to the benchmark.

    An area with count c is outside them exactly when count_interval(c) excludes `expected`.
    """
    upper = _invert(lambda c: count_interval(c, confidence)[0], expected)
    lower = _invert(lambda c: count_interval(c, confidence)[1], expected)
    return lower, upper


def funnel_limits(benchmark_rate: float, max_population: float, points: int = 60) -> pd.DataFrame:
    """95% and 99.8% limits of a rate per 1,000 around a benchmark, for populations up to max_population."""
    rows = []
    for pop in np.linspace(max_population * 1.1 / points, max_population * 1.1, points):
        expected = benchmark_rate * pop / 1000
        row = {"population": float(pop)}
        for level, confidence in (("95", CONFIDENCE), ("99.8", CONTROL)):
            low, high = funnel_counts(expected, confidence)
            row[f"lower_{level}"] = rate_per_1000(low, pop)
            row[f"upper_{level}"] = rate_per_1000(high, pop)
        rows.append(row)
    return pd.DataFrame(rows)


def rolling_sum(values: pd.Series, periods: int) -> pd.Series:
    """Rolling totals over `periods` consecutive periods (NaN until a full window is held)."""
    return values.astype("float64").rolling(periods, min_periods=periods).sum()
