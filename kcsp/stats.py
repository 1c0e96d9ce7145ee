"""Statistics behind every verdict: rates, confidence intervals, tests of a change, funnel limits and
their overdispersion, the false discovery rate of a list.

The methods are those of OHID Fingertips, PHEindicatormethods and Spiegelhalter (2005):
- the 95% interval of a count is the exact Poisson interval below 10 events and Byar's approximation
  from 10 (Byar's lower limit is far off for very small counts);
- a change between two equal windows of Poisson-like counts is significant when the exact two-sided
  conditional binomial test gives p < 0.05 (given their sum, the later count is binomial with p =
  1/2 when nothing changed); where a measure's series vary more than Poisson counts do, the same
  statistic is scaled by their quasi-Poisson dispersion (`pooled_dispersion`, `change_test`);
- funnel limits are the same intervals turned round: for each population, the counts at which the
  interval's edge meets the benchmark, so a point outside the 95% funnel is exactly an area whose
  interval excludes the benchmark; where the areas are overdispersed (`spread`), limits and
  intervals are widened by the between-area variance (`widened_funnel`, `widened_interval`);
- a list of verdicts keeps those that pass Benjamini-Hochberg at a 5% false discovery rate.
Control charts are in kcsp.spc.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

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
    twice the smaller tail (the distribution is symmetric), at most 1. The smaller tail is the lower
    tail of the smaller count, so the p-value is worked out from that one and is the same whichever
    count comes first.
    """
    k, n = int(current), int(current + previous)
    if k != current or n != current + previous or k < 0 or n < k:
        raise ValueError("counts must be whole numbers of 0 or more")
    if n == 0:
        return 1.0
    return float(min(1.0, 2 * special.bdtr(min(k, n - k), n, 0.5)))


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


MIN_DISPERSION_POINTS = 3
"""Fewer periods than this cannot show a series' dispersion: it is then taken as Poisson's."""


def pooled_dispersion(series) -> tuple[float, float]:
    """The quasi-Poisson dispersion of several series of one measure together (each about its own
    log-linear trend): their Pearson X^2 summed over their degrees of freedom summed, and the chance
    of so large an X^2 if the counts were Poisson. Series too short to show dispersion add nothing."""
    pearson, df = 0.0, 0
    for values in series:
        fitted = _trend_pearson(values)
        if fitted is not None:
            pearson, df = pearson + fitted[0], df + fitted[1]
    if df == 0:
        return 1.0, 1.0
    return pearson / df, float(special.chdtrc(df, pearson))


def change_test(current: float, previous: float, dispersion: float, chance: float) -> tuple[str, float]:
    """The test of two equal windows' counts, chosen by the series' dispersion: where the counts vary
    more than Poisson ones (dispersion above 1), the quasi-Poisson test, never less cautious than the
    exact one (its p-value is the larger of the two); else the exact test. `chance` (of so large an
    X^2 among Poisson counts) is reported, not used: waiting for significance would leave undetected
    overdispersion to the exact test, which then signals chance. Returns the method
    (`overdispersed-test` or `exact-test`) and the p-value."""
    exact = change_p_value(current, previous)
    if dispersion > 1:
        return "overdispersed-test", max(exact, overdispersed_change_p_value(current, previous, dispersion))
    return "exact-test", exact


def poisson_trend_dispersion(values) -> tuple[float, float]:
    """How much more a series of counts varies than Poisson counts would about a log-linear trend:
    the quasi-Poisson dispersion (Pearson's X^2 over its degrees of freedom) and the chance of an X^2
    that large if the counts were Poisson. The trend is fitted by maximum likelihood (Newton steps
    on the Poisson log-likelihood). Where no such fit exists (every count but one at an end is 0),
    no dispersion can be shown and the counts are taken as Poisson: (1.0, 1.0)."""
    fitted = _trend_pearson(values)
    if fitted is None:
        return 1.0, 1.0
    pearson, df = fitted
    return pearson / df, float(special.chdtrc(df, pearson))


def _trend_pearson(values) -> tuple[float, int] | None:
    """Pearson's X^2 of counts about their fitted log-linear trend, and its degrees of freedom (None
    for too few counts or no fit)."""
    y = np.asarray(values, dtype="float64")
    if y.size < MIN_DISPERSION_POINTS or y.sum() <= 0:
        return None
    t = np.arange(y.size, dtype="float64") - (y.size - 1) / 2
    design = np.column_stack([np.ones_like(t), t])
    beta = np.array([math.log(max(y.mean(), 1e-9)), 0.0])
    try:
        for _ in range(50):
            mu = np.exp(design @ beta)
            step = np.linalg.solve(design.T @ (design * mu[:, None]), design.T @ (y - mu))
            beta = beta + step
            if np.abs(step).max() < 1e-10:
                break
    except np.linalg.LinAlgError:
        return None
    mu = np.exp(design @ beta)
    if not np.isfinite(mu).all() or (mu <= 1e-12).any():
        return None
    return float((((y - mu) ** 2) / mu).sum()), y.size - 2


def overdispersed_change_p_value(current: float, previous: float, dispersion: float) -> float:
    """Two-sided p-value that two counts over equal windows share one rate when each varies
    `dispersion` times as much as a Poisson count (quasi-Poisson): the score statistic of the
    conditional binomial test, its variance scaled by the dispersion, against the normal."""
    n = current + previous
    if n <= 0:
        return 1.0
    z = (current - previous) / math.sqrt(dispersion * n)
    return float(min(1.0, 2 * special.ndtr(-abs(z))))


WINSORISE = 0.1


@dataclass(frozen=True)
class Spread:
    """How much more areas' rates spread than chance allows (phi, 1 for chance alone) and the
    additive random-effects variance (tau^2, rate per 1,000 squared) that widens funnel limits when
    it is above 0."""

    phi: float
    areas: int
    overdispersed: bool
    tau2: float

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)


def rate_se(benchmark: float, population: float) -> float:
    """The standard error of a rate per 1,000 at the benchmark rate for an area of this population."""
    return math.sqrt(benchmark * 1000 / population)


def winsorised(z: np.ndarray, share: float = WINSORISE) -> np.ndarray:
    """z-scores winsorised along the last axis: the int(share * n) lowest set to the next one up and
    the int(share * n) highest to the next one down (as scipy.stats.mstats.winsorize does)."""
    z = np.sort(np.asarray(z, dtype="float64"), axis=-1)
    n = z.shape[-1]
    k = int(share * n)
    if k == 0:
        return z
    return np.clip(z, z[..., k:k + 1], z[..., n - k - 1:n - k])


@functools.lru_cache(maxsize=64)
def winsorised_null_mean_square(n: int) -> float:
    """The expected mean square of n standard normal z-scores once winsorised: below 1 by
    construction (about 0.75 for 13 areas), so `spread` divides by it to read 1 as no
    overdispersion. Estimated once per n from 20,000 draws with a fixed seed."""
    draws = np.random.default_rng(n).standard_normal((20_000, n))
    return float((winsorised(draws) ** 2).mean())


def spread(rates, populations, benchmark: float) -> Spread:
    """Spiegelhalter (2005), with the DerSimonian-Laird estimate of the between-area variance:
    z-scores of the rates about the benchmark (se from the benchmark's rate at each population),
    winsorised at 10% each side so one outlying area cannot set the spread; phi is their mean
    square over what it would be for areas differing by chance alone (winsorised_null_mean_square);
    tau^2 = (n * phi - (n - 1)) / (sum w - sum w^2 / sum w), w = 1 / se^2, and the areas are
    overdispersed exactly when tau^2 > 0, so that limits are never narrower than chance allows."""
    r = np.asarray(rates, dtype="float64")
    pops = np.asarray(populations, dtype="float64")
    n = r.size
    if n < 3 or benchmark <= 0:
        return Spread(1.0, n, False, 0.0)
    se = np.sqrt(benchmark * 1000 / pops)
    z = (r - benchmark) / se
    phi = float((winsorised(z) ** 2).mean()) / winsorised_null_mean_square(n)
    w = 1 / se ** 2
    tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    return Spread(phi, n, bool(tau2 > 0), float(tau2))


def widened_interval(rate: float, benchmark: float, population: float, tau2: float,
                     confidence: float = CONFIDENCE) -> tuple[float, float]:
    """An area's interval once overdispersion is allowed for: its rate plus and minus z times the
    square root of the benchmark's sampling variance at its population plus tau^2, so it excludes
    the benchmark exactly when the area lies outside the widened funnel."""
    half = _z(confidence) * math.sqrt(rate_se(benchmark, population) ** 2 + tau2)
    return max(0.0, rate - half), rate + half


def widened_funnel(benchmark_rate: float, max_population: float, tau2: float, points: int = 60) -> pd.DataFrame:
    """95% and 99.8% funnel limits widened by tau^2 (the random-effects funnel)."""
    rows = []
    for pop in np.linspace(max_population * 1.1 / points, max_population * 1.1, points):
        row = {"population": float(pop)}
        sd = math.sqrt(rate_se(benchmark_rate, pop) ** 2 + tau2)
        for level, confidence in (("95", CONFIDENCE), ("99.8", CONTROL)):
            row[f"lower_{level}"] = max(0.0, benchmark_rate - _z(confidence) * sd)
            row[f"upper_{level}"] = benchmark_rate + _z(confidence) * sd
        rows.append(row)
    return pd.DataFrame(rows)


def benjamini_hochberg(p_values, q: float = SIGNIFICANCE) -> np.ndarray:
    """Which of the p-values are discoveries at false discovery rate q (Benjamini-Hochberg step-up)."""
    p = np.asarray(p_values, dtype="float64")
    m = p.size
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    passed = p[order] <= q * np.arange(1, m + 1) / m
    keep = np.zeros(m, dtype=bool)
    if passed.any():
        keep[order[:int(np.nonzero(passed)[0].max()) + 1]] = True
    return keep
