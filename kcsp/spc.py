"""Statistical process control of a monthly series: the XmR chart NHS England's "Making Data Count"
teaches, read as its variation icons are.

The chart: the series' points in order. Its mean and process limits come from a baseline (the first
`baseline` points): the limits are the mean plus and minus 2.66 times the mean moving range (three
sigma, sigma being the mean moving range / 1.128). Moving ranges above 3.267 times their mean are
left out of it once, so one wild month does not widen the limits (NHSRplotthedots' screening).
Because sigma comes from month-to-month variation, not from an assumed Poisson variance, the chart
allows for the overdispersion that police-recorded counts show.

The rules, on every point of the chart:
- beyond: a point above the upper or below the lower process limit;
- two-of-three: two of three consecutive points beyond two sigma, on the same side of the mean;
- shift: a run of SHIFT_POINTS or more consecutive points on one side of the mean (a point on the
  mean breaks the run);
- trend: a run of TREND_POINTS or more consecutive points each higher (or each lower) than the one
  before.
A point is special cause when a rule marks it, in that rule's direction (high or low); otherwise it
is common cause. The chart's reading is that of its latest point, as the variation icon shows it.

Seasons: monthly counts of crime and incidents rise and fall with the seasons, and a chart whose
limits come from month-to-month ranges reads a summer peak as special cause. So where the baseline
(or, if shorter, the chart's first two years) and the months of the series before it hold two whole
years or more (up to five) and one yearly
harmonic (a cosine and a sine of the calendar month, fitted by least squares) explains a
significant part of them (F-test, p < 0.05), each point is replaced by the average month's level
plus its departure from its own month's expected count, scaled by the square root of the ratio of
the two (counts vary in proportion to their expected size, so this gives every month the spread of
an average one), before the chart is drawn; the chart says it is seasonally adjusted. One harmonic
is two parameters over 24 to 60 months: it barely overfits, so the limits still hold after the
baseline. Dividing by a seasonal factor instead inflates the low months' spread, and subtracting
the season leaves the high months' spread too wide: the benchmark showed both signalling too often.

Each signal also gets `chance`: the probability of its pattern ending at that point if only common
cause (normal) variation were at work, so lists of signals can control their false discovery rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

SIGMA_PER_MR = 1 / 1.128
LIMIT_PER_MR = 2.66
RANGE_LIMIT_PER_MR = 3.267
SHIFT_POINTS = 7
TREND_POINTS = 7
MIN_BASELINE = 12
MAX_BASELINE = 24
CHART_POINTS = 36
RULE_SHORT = {
    "beyond": "beyond a limit",
    "two-of-three": "near a limit",
    "shift": "a run on one side",
    "trend": "a run of rises or falls",
}
"""The rules in a few words, for slides and covers."""
RULES = ("beyond", "two-of-three", "shift", "trend")
"""The rules in the order a point's reading takes them, strongest first."""
RULE_WORDS = {
    "beyond": "a month beyond the process limits",
    "two-of-three": "two of three months near a process limit",
    "shift": f"a run of {SHIFT_POINTS} or more months on one side of the mean",
    "trend": f"{TREND_POINTS} or more months each rising or each falling",
}


def _upper_tail(z: float) -> float:
    return float(special.ndtr(-z))


SEASONAL_BASELINE = 24
"""A baseline this long (two whole years) or longer is tested for a seasonal pattern."""


@dataclass(frozen=True)
class Chart:
    """An XmR chart: its points, centre line, limits and the signal (rule, direction) of each point.
    `season` is each point's expected count from the seasonal fit (None: not adjusted)."""

    values: np.ndarray
    baseline: int
    mean: float
    mean_range: float
    rules: tuple[tuple[str, ...], ...]
    directions: tuple[int, ...]
    season: np.ndarray | None = None

    @property
    def adjusted(self) -> bool:
        return self.season is not None

    @property
    def sigma(self) -> float:
        return self.mean_range * SIGMA_PER_MR

    @property
    def upper(self) -> float:
        return self.mean + LIMIT_PER_MR * self.mean_range

    @property
    def lower(self) -> float:
        return self.mean - LIMIT_PER_MR * self.mean_range

    @property
    def signal(self) -> str | None:
        """The strongest rule marking the latest point, or None (common cause)."""
        return self.rules[-1][0] if self.rules[-1] else None

    @property
    def direction(self) -> int:
        """+1 when the latest point signals high, -1 low, 0 common cause."""
        return self.directions[-1]

    @property
    def chance(self) -> float | None:
        """The chance of the latest point's signal under common cause variation (None without one)."""
        if self.signal is None:
            return None
        return pattern_chance(self.signal, self.values, self.mean, self.sigma)


def mean_moving_range(values: np.ndarray) -> float:
    """The mean of the absolute differences of consecutive values, with ranges above 3.267 times
    that mean left out once."""
    ranges = np.abs(np.diff(values))
    if ranges.size == 0:
        return 0.0
    first = float(ranges.mean())
    kept = ranges[ranges <= RANGE_LIMIT_PER_MR * first]
    return float(kept.mean()) if kept.size else first


def _runs(flags: np.ndarray) -> np.ndarray:
    """For each position, the length of the run of True ending there."""
    out = np.zeros(flags.size, dtype=int)
    run = 0
    for i, flag in enumerate(flags):
        run = run + 1 if flag else 0
        out[i] = run
    return out


def _mark_runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Positions inside a run of True at least `length` long."""
    marked = np.zeros(flags.size, dtype=bool)
    ends = _runs(flags)
    for i in np.nonzero(ends >= length)[0]:
        marked[i - ends[i] + 1:i + 1] = True
    return marked


def _two_of_three(near: np.ndarray) -> np.ndarray:
    """Points near a limit (beyond two sigma, one side) that are two of three consecutive ones."""
    marked = np.zeros(near.size, dtype=bool)
    for start in range(max(near.size - 2, 0)):
        window = near[start:start + 3]
        if window.sum() >= 2:
            marked[start:start + 3] |= window
    return marked


def chart(values, baseline: int) -> Chart:
    """The XmR chart of `values` with mean and limits from the first `baseline` of them."""
    x = np.asarray(values, dtype="float64")
    if baseline < 2 or baseline > x.size:
        raise ValueError("the baseline must hold at least two of the chart's points")
    base = x[:baseline]
    mean, mr = float(base.mean()), mean_moving_range(base)
    sigma = mr * SIGMA_PER_MR
    upper, lower = mean + LIMIT_PER_MR * mr, mean - LIMIT_PER_MR * mr
    tie = 1e-9 * max(1.0, abs(mean))
    above, below = x > mean + tie, x < mean - tie
    steps = np.diff(x)
    rising = np.concatenate([[False], steps > 0])
    falling = np.concatenate([[False], steps < 0])
    marks = {
        "beyond": ((x > upper) & (mr > 0), (x < lower) & (mr > 0)),
        "two-of-three": (_two_of_three((x > mean + 2 * sigma) & (mr > 0)),
                         _two_of_three((x < mean - 2 * sigma) & (mr > 0))),
        "shift": (_mark_runs(above, SHIFT_POINTS), _mark_runs(below, SHIFT_POINTS)),
        "trend": (_trend_marks(rising), _trend_marks(falling)),
    }
    rules, directions = [], []
    for i in range(x.size):
        fired = [(rule, 1 if high[i] else -1) for rule, (high, low) in marks.items() if high[i] or low[i]]
        rules.append(tuple(rule for rule, _ in fired))
        directions.append(fired[0][1] if fired else 0)
    return Chart(x, baseline, mean, mr, tuple(rules), tuple(directions))


def _trend_marks(steps: np.ndarray) -> np.ndarray:
    """Points in a run of TREND_POINTS or more each beyond the one before (`steps[i]`: point i moved
    that way from point i - 1), the run's first point included."""
    marked = np.zeros(steps.size, dtype=bool)
    ends = _runs(steps)
    for i in np.nonzero(ends >= TREND_POINTS - 1)[0]:
        marked[i - ends[i]:i + 1] = True
    return marked


def pattern_chance(rule: str, values: np.ndarray, mean: float, sigma: float) -> float:
    """How likely a signal of this rule ending at the last point is under common cause variation
    (independent normal points about the mean): the two-sided chance of the last point's distance
    (beyond); of two or more of three points beyond two sigma on one side (two-of-three); of a run
    on one side as long as the one ending there (shift); of so many points in order (trend)."""
    x = np.asarray(values, dtype="float64")
    if rule == "beyond":
        return min(1.0, 2 * _upper_tail(abs(x[-1] - mean) / sigma)) if sigma > 0 else 0.0
    if rule == "two-of-three":
        p = _upper_tail(2.0)
        return min(1.0, 2 * (3 * p * p * (1 - p) + p ** 3))
    if rule == "shift":
        side = np.sign(x - mean)
        run = int(_runs(side == side[-1])[-1])
        return min(1.0, 2 * 0.5 ** run)
    if rule == "trend":
        steps = np.sign(np.diff(x))
        run = int(_runs(steps == steps[-1])[-1]) + 1
        return min(1.0, 2 / math.factorial(run))
    raise ValueError(f"unknown rule {rule!r}")


def baseline_size(points: int, window: int) -> int:
    """How many of a chart's first points form its baseline: those before the judged window, from
    MIN_BASELINE to MAX_BASELINE (the first MIN_BASELINE when fewer precede the window)."""
    return int(min(MAX_BASELINE, max(MIN_BASELINE, points - window), points))


def _harmonics(first_month: int, n: int) -> np.ndarray:
    """A constant, and the cosine and sine of the calendar month, for n months from `first_month`."""
    angle = 2 * np.pi * (np.arange(n) + first_month - 1) / 12
    return np.column_stack([np.ones(n), np.cos(angle), np.sin(angle)])


def seasonal_expectation(values, first_month: int, baseline: int,
                         before=()) -> tuple[float, np.ndarray] | None:
    """The average month's level and each point's expected count, from one yearly harmonic fitted
    to the baseline (or the chart's first SEASONAL_BASELINE months, when the baseline is shorter)
    and the months held just before the chart (`before`, at most SEASON_MONTHS in all; see the
    module docstring), or None when they hold less than SEASONAL_BASELINE months or show no
    significant season.
    `first_month` is the calendar month (1 to 12) of the chart's first point."""
    x = np.asarray(values, dtype="float64")
    fitted = max(baseline, min(SEASONAL_BASELINE, x.size))
    room = max(SEASON_MONTHS - fitted, 0)
    earlier = np.asarray(before, dtype="float64")
    prior = earlier[earlier.size - min(room, earlier.size):]
    y = np.concatenate([prior, x[:fitted]])
    if y.size < SEASONAL_BASELINE:
        return None
    fit = _harmonics(first_month - prior.size, y.size)
    coef, *_ = np.linalg.lstsq(fit, y, rcond=None)
    rss = float(((y - fit @ coef) ** 2).sum())
    rss0 = float(((y - y.mean()) ** 2).sum())
    df = y.size - 3
    if rss <= 0 or rss0 <= rss:
        return None
    f = ((rss0 - rss) / 2) / (rss / df)
    if float(special.fdtrc(2, df, f)) >= SEASON_SIGNIFICANCE:
        return None
    expected = _harmonics(first_month, x.size) @ coef
    return (float(coef[0]), expected) if coef[0] > 0 and (expected > 0).all() else None


SEASON_SIGNIFICANCE = 0.05
SEASON_MONTHS = 60
"""At most this many months (the baseline and those before the chart) estimate the season."""


def read(values, first_month: int, window: int, before=()) -> Chart:
    """The chart the product reads for a window ending at the last of `values` (at most CHART_POINTS
    months, with nothing in them to rebase at): its baseline (`baseline_size`), seasonally adjusted
    where the baseline and the months of the same series `before` it show a season."""
    x = np.asarray(values, dtype="float64")
    baseline = baseline_size(x.size, window)
    season = seasonal_expectation(x, first_month, baseline, before)
    if season is None:
        return chart(x, baseline)
    level, expected = season
    adjusted = chart(level + (x - expected) * np.sqrt(level / expected), baseline)
    return Chart(adjusted.values, adjusted.baseline, adjusted.mean, adjusted.mean_range, adjusted.rules,
                 adjusted.directions, expected)
