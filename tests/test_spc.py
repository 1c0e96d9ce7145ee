"""The XmR chart of kcsp.spc checked against a plain, independent implementation of NHS England's
Making Data Count chart and rules.

The reference below is written from the definitions, not from kcsp.spc: exact rational arithmetic
(fractions.Fraction), explicit loops over maximal runs and windows, and no helper of kcsp.spc. The
chart's limits and every point's rules and direction are compared on hand-built series that each
trigger one rule (and on near misses that must not), on series with ties, on a baseline with a wild
month, and on generated series; a point within 1e-9 * max(1, |mean|) of the mean is on it. Pattern
chances are checked against scipy's distributions and a seeded simulation.

The seasonal adjustment (seasonal_expectation, read) is checked against statsmodels: an OLS fit of
a constant and one yearly harmonic of the calendar month to the months before the chart and its
first two years (or baseline), its F-test against the constant alone (compare_f_test, and by hand
from the residual sums of squares with scipy's F distribution), and the adjusted values computed
here from that fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as reference

from kcsp import spc

LIMIT = Fraction("2.66")
D2 = Fraction("1.128")
RANGE_LIMIT = Fraction("3.267")
RUN = 7
RULE_ORDER = ("beyond", "two-of-three", "shift", "trend")


@dataclass
class PlainChart:
    mean: Fraction
    mean_range: Fraction
    upper: Fraction
    lower: Fraction
    sigma: Fraction
    marks: list[dict[str, set[int]]]

    def rules(self, i: int) -> tuple[str, ...]:
        return tuple(rule for rule in RULE_ORDER if rule in self.marks[i])

    def directions(self, i: int) -> set[int]:
        """The directions the point's strongest rule gives it (two only at a trend's peak or trough)."""
        rules = self.rules(i)
        return self.marks[i][rules[0]] if rules else {0}


def side_of(value: Fraction, mean: Fraction) -> int:
    """Which side of the mean a point lies: 0 (on the mean) within 1e-9 * max(1, |mean|) of it."""
    tie = Fraction(1, 10 ** 9) * max(Fraction(1), abs(mean))
    if value - mean > tie:
        return 1
    if mean - value > tie:
        return -1
    return 0


def plain_mean_range(base: list[Fraction]) -> Fraction:
    ranges = []
    for i in range(1, len(base)):
        ranges.append(abs(base[i] - base[i - 1]))
    first = sum(ranges, Fraction(0)) / len(ranges)
    kept = []
    for r in ranges:
        if r <= RANGE_LIMIT * first:
            kept.append(r)
    if not kept:
        return first
    return sum(kept, Fraction(0)) / len(kept)


def plain_chart(values, baseline: int) -> PlainChart:
    x = [Fraction(repr(float(v))) for v in values]
    n = len(x)
    base = x[:baseline]
    mean = sum(base, Fraction(0)) / len(base)
    mr = plain_mean_range(base)
    sigma = mr / D2
    upper = mean + LIMIT * mr
    lower = mean - LIMIT * mr
    marks: list[dict[str, set[int]]] = [{} for _ in range(n)]

    def mark(i: int, rule: str, direction: int) -> None:
        marks[i].setdefault(rule, set()).add(direction)

    if mr > 0:
        for i in range(n):
            if x[i] > upper:
                mark(i, "beyond", 1)
            if x[i] < lower:
                mark(i, "beyond", -1)
        for side in (1, -1):
            for start in range(n - 2):
                near = []
                for i in range(start, start + 3):
                    if side * (x[i] - mean) > 2 * sigma:
                        near.append(i)
                if len(near) >= 2:
                    for i in near:
                        mark(i, "two-of-three", side)

    i = 0
    while i < n:
        side = side_of(x[i], mean)
        j = i
        while j + 1 < n and side_of(x[j + 1], mean) == side:
            j += 1
        if side != 0 and j - i + 1 >= RUN:
            for k in range(i, j + 1):
                mark(k, "shift", side)
        i = j + 1

    for way in (1, -1):
        i = 0
        while i < n:
            j = i
            while j + 1 < n and way * (x[j + 1] - x[j]) > 0:
                j += 1
            if j - i + 1 >= RUN:
                for k in range(i, j + 1):
                    mark(k, "trend", way)
            i = j + 1

    return PlainChart(mean, mr, upper, lower, sigma, marks)


def assert_same_chart(values, baseline: int) -> spc.Chart:
    got = spc.chart(values, baseline)
    want = plain_chart(values, baseline)
    assert got.mean == pytest.approx(float(want.mean), rel=1e-12, abs=1e-12)
    assert got.mean_range == pytest.approx(float(want.mean_range), rel=1e-12, abs=1e-12)
    assert got.upper == pytest.approx(float(want.upper), rel=1e-12, abs=1e-12)
    assert got.lower == pytest.approx(float(want.lower), rel=1e-12, abs=1e-12)
    assert got.sigma == pytest.approx(float(want.sigma), rel=1e-12, abs=1e-12)
    assert len(got.rules) == len(got.directions) == len(values)
    for i in range(len(values)):
        assert got.rules[i] == want.rules(i), f"point {i} ({values[i]})"
        assert got.directions[i] in want.directions(i), f"point {i} ({values[i]})"
    return got


def signalled(chart: spc.Chart) -> dict[int, tuple[tuple[str, ...], int]]:
    return {i: (rules, chart.directions[i]) for i, rules in enumerate(chart.rules) if rules}


BASE = [10, 12, 11, 13, 12, 11, 10, 12, 11, 13, 12, 11]


class TestHandWorkedLimits:
    def test_limits_of_a_quiet_baseline(self):
        chart = assert_same_chart(BASE, 12)
        assert chart.mean == pytest.approx(11.5, abs=1e-12)
        assert chart.mean_range == pytest.approx(1.3636363636, abs=1e-9)
        assert chart.upper == pytest.approx(15.1272727273, abs=1e-9)
        assert chart.lower == pytest.approx(7.8727272727, abs=1e-9)
        assert chart.sigma == pytest.approx(1.2088975, abs=1e-7)
        assert signalled(chart) == {}
        assert chart.signal is None and chart.direction == 0 and chart.chance is None

    def test_limits_come_from_the_baseline_only(self):
        chart = assert_same_chart([*BASE, 40, 41, 42], 12)
        assert chart.mean == pytest.approx(11.5, abs=1e-12)
        assert chart.mean_range == pytest.approx(1.3636363636, abs=1e-9)

    def test_a_wild_month_is_screened_out_of_the_mean_range(self):
        values = [10, 11, 10, 11, 10, 30, 10, 11, 10, 11, 10, 11]
        chart = assert_same_chart(values, 12)
        assert chart.mean == pytest.approx(12.0833333333, abs=1e-9)
        assert chart.mean_range == pytest.approx(1.0, abs=1e-12)
        assert chart.upper == pytest.approx(14.7433333333, abs=1e-9)
        assert chart.lower == pytest.approx(9.4233333333, abs=1e-9)
        assert chart.rules[5][0] == "beyond" and chart.directions[5] == 1

    def test_screening_happens_once(self):
        values = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 10, 110]
        chart = assert_same_chart(values, 13)
        assert chart.mean_range == pytest.approx(0.9090909091, abs=1e-9)

    def test_no_range_kept_leaves_the_first_mean(self):
        assert spc.mean_moving_range(np.array([5.0, 5.0])) == 0.0
        assert spc.mean_moving_range(np.array([5.0])) == 0.0
        assert spc.mean_moving_range(np.array([1.0, 4.0, 2.0])) == pytest.approx(2.5)

    @pytest.mark.parametrize("baseline", [1, 0, 13])
    def test_a_baseline_outside_the_chart_is_refused(self, baseline):
        with pytest.raises(ValueError):
            spc.chart(BASE, baseline)


class TestOneRuleEach:
    def test_a_point_beyond_the_upper_limit(self):
        chart = assert_same_chart([*BASE, 12, 16], 12)
        assert signalled(chart) == {13: (("beyond",), 1)}
        assert chart.signal == "beyond" and chart.direction == 1

    def test_a_point_beyond_the_lower_limit(self):
        chart = assert_same_chart([*BASE, 12, 7], 12)
        assert signalled(chart) == {13: (("beyond",), -1)}
        assert chart.signal == "beyond" and chart.direction == -1

    def test_a_point_on_the_limit_is_not_beyond(self):
        chart = assert_same_chart([0, 50] * 6 + [158], 12)
        assert chart.upper == 158.0
        assert signalled(chart) == {}
        chart = assert_same_chart([0, 50] * 6 + [158.001], 12)
        assert signalled(chart) == {12: (("beyond",), 1)}

    def test_two_of_three_beyond_two_sigma(self):
        chart = assert_same_chart([*BASE, 14.5, 12, 14.2], 12)
        assert signalled(chart) == {12: (("two-of-three",), 1), 14: (("two-of-three",), 1)}
        assert chart.signal == "two-of-three" and chart.direction == 1

    def test_two_of_three_low(self):
        chart = assert_same_chart([*BASE, 8.6, 11, 8.9], 12)
        assert signalled(chart) == {12: (("two-of-three",), -1), 14: (("two-of-three",), -1)}

    def test_two_of_three_needs_the_same_side(self):
        chart = assert_same_chart([*BASE, 14.5, 8.6, 11], 12)
        assert signalled(chart) == {}

    def test_two_near_points_four_apart_are_not_two_of_three(self):
        chart = assert_same_chart([*BASE, 14.5, 12, 11, 14.2], 12)
        assert signalled(chart) == {}

    def test_a_shift_of_seven_above(self):
        chart = assert_same_chart([*BASE, 12, 12.5, 12, 12.5, 12, 12.5, 12], 12)
        assert signalled(chart) == {i: (("shift",), 1) for i in range(12, 19)}
        assert chart.signal == "shift" and chart.direction == 1

    def test_a_shift_of_seven_below(self):
        chart = assert_same_chart([*BASE, 12, 11, 10.5, 11, 10.5, 11, 10.5, 11], 12)
        assert signalled(chart) == {i: (("shift",), -1) for i in range(13, 20)}

    def test_a_run_of_six_is_no_shift(self):
        chart = assert_same_chart([*BASE, 12, 12.5, 12, 12.5, 12, 12.5], 12)
        assert signalled(chart) == {}

    def test_a_trend_of_seven_rising(self):
        chart = assert_same_chart([*BASE, 10, 10.6, 11.2, 11.8, 12.4, 13, 13.6], 12)
        assert signalled(chart) == {i: (("trend",), 1) for i in range(12, 19)}
        assert chart.signal == "trend" and chart.direction == 1

    def test_a_trend_of_seven_falling(self):
        chart = assert_same_chart([*BASE, 13, 12.4, 11.8, 11.2, 10.6, 10, 9.4], 12)
        assert signalled(chart) == {i: (("trend",), -1) for i in range(12, 19)}
        assert chart.signal == "trend" and chart.direction == -1

    def test_a_trend_of_six_is_no_trend(self):
        chart = assert_same_chart([*BASE, 10.6, 11.2, 11.8, 12.4, 13, 13.6], 12)
        assert signalled(chart) == {}


class TestTies:
    def test_a_point_on_the_mean_breaks_a_shift(self):
        chart = assert_same_chart([*BASE, 12, 12.5, 12, 11.5, 12.5, 12, 12.5, 12], 12)
        assert signalled(chart) == {}

    def test_without_the_point_on_the_mean_the_run_is_a_shift(self):
        chart = assert_same_chart([*BASE, 12, 12.5, 12, 12.5, 12.5, 12, 12.5, 12], 12)
        assert signalled(chart) == {i: (("shift",), 1) for i in range(12, 20)}

    def test_equal_consecutive_values_break_a_trend(self):
        chart = assert_same_chart([*BASE, 10, 10.6, 11.2, 11.2, 11.8, 12.4, 13, 13.6], 12)
        assert signalled(chart) == {}

    def test_a_point_equal_to_the_mean_in_decimals_is_on_it_despite_float_rounding(self):
        base = [0.1, 0.2, 0.3] * 4
        assert float(np.mean(base)) != 0.2
        chart = assert_same_chart([*base, 0.25, 0.25, 0.25, 0.2, 0.25, 0.25, 0.25, 0.25], 12)
        assert signalled(chart) == {}
        chart = assert_same_chart([*base, 0.25, 0.25, 0.25, 0.21, 0.25, 0.25, 0.25, 0.25], 12)
        assert signalled(chart) == {i: (("shift",), 1) for i in range(11, 20)}

    @pytest.mark.parametrize(("scale", "near", "far"), [(1e6, 5e-3, 2e-2), (0.01, 5e-10, 5e-9)])
    def test_the_tolerance_is_relative_to_the_mean_and_at_least_1e_9(self, scale, near, far):
        base = [scale * v for v in BASE]
        mean = float(np.mean(base))
        tail = [scale * 12.5, scale * 12, scale * 12.5, mean + near, scale * 12.5, scale * 12, scale * 12.5, scale * 12]
        assert signalled(assert_same_chart([*base, *tail], 12)) == {}
        tail[3] = mean + far
        chart = assert_same_chart([*base, *tail], 12)
        assert signalled(chart) == {i: (("shift",), 1) for i in range(12, 20)}

    def test_a_flat_chart_has_no_limit_signals_but_can_shift(self):
        chart = assert_same_chart([5] * 12 + [6] * 7, 12)
        assert chart.mean_range == 0.0
        assert signalled(chart) == {i: (("shift",), 1) for i in range(12, 19)}


class TestSeveralRules:
    def test_a_point_beyond_in_a_shift_reads_beyond_first(self):
        chart = assert_same_chart([*BASE, 12, 12.5, 12, 12.5, 12, 12.5, 16], 12)
        assert chart.rules[-1] == ("beyond", "shift")
        assert chart.signal == "beyond" and chart.direction == 1

    def test_the_strongest_rule_gives_the_direction(self):
        values = [*BASE, 8, 8.5, 9, 9.5, 10, 10.5, 7.9]
        assert_same_chart(values, 12)
        values = [*BASE, 4, 5, 6, 7, 8, 9, 10]
        chart = assert_same_chart(values, 12)
        assert chart.rules[12][0] == "beyond" and chart.directions[12] == -1
        assert "trend" in chart.rules[12]

    def test_a_peak_between_two_trends_is_marked_once(self):
        rising = [10, 10.6, 11.2, 11.8, 12.4, 13, 13.6]
        values = [*BASE, *rising, 12.6, 11.4, 11, 10.5, 10, 9.5]
        chart = assert_same_chart(values, 12)
        peak = 12 + len(rising) - 1
        assert chart.rules[peak] == ("trend",)
        assert chart.directions[peak] in (1, -1)
        assert chart.directions[12] == 1 and chart.directions[-1] == -1


@st.composite
def series_and_baseline(draw):
    values = draw(st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=40))
    baseline = draw(st.integers(min_value=2, max_value=len(values)))
    return values, baseline


@settings(max_examples=300, deadline=None)
@given(series_and_baseline())
def test_generated_count_series_match_the_reference(case):
    values, baseline = case
    assert_same_chart(values, baseline)


@pytest.mark.parametrize("seed", range(40))
def test_seeded_series_match_the_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(12, 48))
    kind = seed % 4
    if kind == 0:
        values = rng.normal(50, 5, n)
    elif kind == 1:
        values = rng.poisson(rng.uniform(1, 30), n).astype(float)
    elif kind == 2:
        values = 20 + np.cumsum(rng.normal(0, 1, n))
    else:
        values = rng.normal(30, 3, n) + np.where(np.arange(n) >= n // 2, rng.uniform(-8, 8), 0)
    baseline = spc.baseline_size(n, int(rng.integers(0, 13)))
    assert_same_chart(list(values), baseline)


class TestPatternChance:
    def test_beyond_is_the_two_sided_normal_tail(self):
        for value, mean, sigma in [(16.0, 11.5, 1.2), (7.0, 11.5, 1.2), (11.5, 11.5, 2.0), (40.0, 30.0, 3.0)]:
            want = min(1.0, 2 * reference.norm.sf(abs(value - mean) / sigma))
            got = spc.pattern_chance("beyond", np.array([1.0, value]), mean, sigma)
            assert got == pytest.approx(want, rel=1e-10, abs=1e-300)
        assert spc.pattern_chance("beyond", np.array([3.0, 5.0]), 4.0, 0.0) == 0.0

    def test_two_of_three_is_two_or_three_of_three_beyond_two_sigma_either_side(self):
        p = reference.norm.sf(2)
        want = 2 * reference.binom.sf(1, 3, p)
        assert spc.pattern_chance("two-of-three", np.array([1.0, 2.0, 3.0]), 0.0, 1.0) == pytest.approx(want, rel=1e-10)
        assert want == pytest.approx(0.00306, abs=0.00002)

    @pytest.mark.parametrize(("values", "run"), [
        ([1, 9, 8, 7, 6, 5, 9, 8], 7),
        ([9, 1, 2, 3, 2, 1, 2, 3, 1, 0], 9),
        ([9, 9, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 11),
        ([5, 1], 1),
    ])
    def test_shift_is_a_fair_coin_run_either_side(self, values, run):
        want = min(1.0, 2 * reference.binom.pmf(run, run, 0.5))
        assert spc.pattern_chance("shift", np.array(values, dtype=float), 4.5, 1.0) == pytest.approx(want, rel=1e-12)

    @pytest.mark.parametrize(("values", "run"), [
        ([5, 1, 2, 3, 4, 5, 6, 7], 7),
        ([1, 2, 2, 9, 8, 7, 6, 5, 4, 3, 2, 1], 9),
        ([3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 12),
    ])
    def test_trend_is_the_chance_of_so_many_points_in_order_either_way(self, values, run):
        want = 2 / math.factorial(run)
        assert spc.pattern_chance("trend", np.array(values, dtype=float), 5.0, 1.0) == pytest.approx(want, rel=1e-12)

    def test_the_order_chance_agrees_with_simulation(self):
        rng = np.random.default_rng(2024)
        draws = rng.normal(size=(200_000, 4))
        rising = np.all(np.diff(draws, axis=1) > 0, axis=1).mean()
        falling = np.all(np.diff(draws, axis=1) < 0, axis=1).mean()
        got = spc.pattern_chance("trend", np.array([9.0, 1.0, 2.0, 3.0, 4.0]), 2.0, 1.0)
        assert got == pytest.approx(rising + falling, rel=0.05)

    def test_an_unknown_rule_is_refused(self):
        with pytest.raises(ValueError):
            spc.pattern_chance("runs", np.array([1.0, 2.0]), 1.0, 1.0)

    @pytest.mark.parametrize(("tail", "rule"), [
        ([12, 16], "beyond"),
        ([14.5, 12, 14.2], "two-of-three"),
        ([12, 12.5, 12, 12.5, 12, 12.5, 12], "shift"),
        ([10, 10.6, 11.2, 11.8, 12.4, 13, 13.6], "trend"),
    ])
    def test_a_charts_chance_is_that_of_its_latest_signal(self, tail, rule):
        chart = spc.chart([*BASE, *tail], 12)
        assert chart.signal == rule
        sigma = 1.3636363636363635 / 1.128
        assert chart.chance == pytest.approx(spc.pattern_chance(rule, chart.values, 11.5, sigma), rel=1e-9)
        expected = {"beyond": 2 * reference.norm.sf(4.5 / sigma), "two-of-three": 2 * reference.binom.sf(1, 3, 0.02275),
                    "shift": 2 * 0.5 ** 7, "trend": 2 / 5040}[rule]
        assert chart.chance == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize(("points", "window", "size"), [
    (36, 12, 24), (30, 12, 18), (24, 12, 12), (20, 12, 12), (12, 12, 12), (10, 3, 10),
    (36, 1, 24), (25, 0, 24), (5, 0, 5), (13, 1, 12),
])
def test_baseline_size(points, window, size):
    assert spc.baseline_size(points, window) == size


SEASON_MONTHS = 60
SEASON_MINIMUM = 24


def month_of(first_month: int, i: int) -> int:
    """The calendar month (1 to 12) of the chart's point i (negative: the months before it)."""
    return (first_month - 1 + i) % 12 + 1


def harmonic_design(months) -> np.ndarray:
    angle = 2 * np.pi * (np.asarray(months, dtype="float64") - 1) / 12
    return np.column_stack([np.ones(angle.size), np.cos(angle), np.sin(angle)])


@dataclass
class OlsSeason:
    """statsmodels' least squares fit of one yearly harmonic, and its F-test against a constant."""

    months: int
    params: np.ndarray
    f: float
    p: float
    expected: np.ndarray

    @property
    def reading(self) -> tuple[float, np.ndarray] | None:
        if self.p >= 0.05 or self.params[0] <= 0 or (self.expected <= 0).any():
            return None
        return float(self.params[0]), self.expected


def ols_season(values, first_month: int, baseline: int, before=()) -> OlsSeason | None:
    """The fit the documentation describes (None below SEASON_MINIMUM months): the chart's first
    max(baseline, min(24, len(values))) points and, before them, the latest of `before` that keep
    the fitted months within SEASON_MONTHS."""
    x = [float(v) for v in values]
    chart_part = x[:max(baseline, min(SEASON_MINIMUM, len(x)))]
    room = max(0, SEASON_MONTHS - len(chart_part))
    prior = [float(v) for v in before][::-1][:room][::-1]
    y = np.array(prior + chart_part)
    if y.size < SEASON_MINIMUM:
        return None
    months = [month_of(first_month, i) for i in range(-len(prior), len(chart_part))]
    full = sm.OLS(y, harmonic_design(months)).fit()
    constant = sm.OLS(y, np.ones((y.size, 1))).fit()
    f, p, df_diff = full.compare_f_test(constant)
    assert df_diff == 2
    by_hand = ((constant.ssr - full.ssr) / 2) / (full.ssr / (y.size - 3))
    assert f == pytest.approx(by_hand, rel=1e-9)
    assert p == pytest.approx(float(reference.f.sf(by_hand, 2, y.size - 3)), rel=1e-9, abs=1e-300)
    expected = harmonic_design([month_of(first_month, i) for i in range(len(x))]) @ full.params
    return OlsSeason(y.size, np.asarray(full.params), float(f), float(p), expected)


def seasonal_counts(seed: int, months: int, first_month: int, level: float, amplitude: float,
                    peak: int = 7) -> list[float]:
    """Poisson counts whose mean follows the calendar (highest in month `peak`)."""
    rng = np.random.default_rng(seed)
    calendar = np.array([month_of(first_month, i) for i in range(months)])
    mean = level + amplitude * np.cos(2 * np.pi * (calendar - peak) / 12)
    return rng.poisson(mean).astype(float).tolist()


SEASONAL = seasonal_counts(1, 36, 1, 120, 25)
OCTOBER = seasonal_counts(2, 36, 10, 80, 20)
FLAT = seasonal_counts(3, 36, 1, 120, 0)
EARLIER = seasonal_counts(4, 48, 1, 120, 25)
BEFORE_50 = seasonal_counts(5, 50, month_of(1, -50), 120, 25)
LOW = [3 + 6 * math.cos(2 * math.pi * (i - 6) / 12) + 0.5 * ((i * 7) % 5 - 2) for i in range(30)]
BELOW_ZERO = [v - 130 for v in SEASONAL]
JUST_SHORT = seasonal_counts(327, 24, 1, 100, 4)
JUST_SIGNIFICANT = seasonal_counts(4508, 24, 1, 100, 4)

SEASON_CASES = {
    "january": (SEASONAL, 1, 24, (), "season"),
    "october": (OCTOBER, 10, 24, (), "season"),
    "flat": (FLAT, 1, 24, (), "not significant"),
    "a-longer-baseline": (SEASONAL, 1, 30, (), "season"),
    "a-short-baseline-fits-two-years": (SEASONAL[:30], 1, 18, (), "season"),
    "a-year-before": (EARLIER[12:], 1, 24, EARLIER[:12], "season"),
    "may-with-seven-months-before": (OCTOBER[7:], 5, 24, OCTOBER[:7], "season"),
    "fifty-months-before": (SEASONAL, 1, 24, BEFORE_50, "season"),
    "flat-with-months-before": (FLAT[12:], 1, 12, FLAT[:12], "not significant"),
    "twenty-months-and-four-before": (SEASONAL[4:24], 5, 12, SEASONAL[:4], "season"),
    "twenty-months-and-three-before": (SEASONAL[4:24], 5, 12, SEASONAL[1:4], "too few"),
    "twenty-three-months": (SEASONAL[:23], 1, 12, (), "too few"),
    "twenty-four-months": (SEASONAL[:24], 1, 12, (), "season"),
    "expected-counts-below-zero": (LOW, 1, 24, (), "not positive"),
    "a-level-below-zero": (BELOW_ZERO, 1, 24, (), "not positive"),
    "just-short-of-significance": (JUST_SHORT, 1, 24, (), "not significant"),
    "just-significant": (JUST_SIGNIFICANT, 1, 24, (), "season"),
}


def outcome(fit: OlsSeason | None) -> str:
    if fit is None:
        return "too few"
    if fit.p >= 0.05:
        return "not significant"
    return "season" if fit.reading is not None else "not positive"


def assert_same_season(got, fit: OlsSeason | None) -> None:
    want = None if fit is None else fit.reading
    if want is None:
        assert got is None
        return
    assert got is not None
    level, expected = got
    assert level == pytest.approx(want[0], rel=1e-9)
    assert len(expected) == len(want[1])
    assert np.asarray(expected) == pytest.approx(want[1], rel=1e-9, abs=1e-9)


class TestSeasonalExpectation:
    @pytest.mark.parametrize("name", sorted(SEASON_CASES))
    def test_matches_statsmodels(self, name):
        values, first_month, baseline, before, kind = SEASON_CASES[name]
        fit = ols_season(values, first_month, baseline, before)
        assert outcome(fit) == kind
        assert_same_season(spc.seasonal_expectation(values, first_month, baseline, before), fit)

    def test_the_f_test_has_2_and_n_minus_3_degrees_of_freedom(self):
        short, significant = ols_season(JUST_SHORT, 1, 24), ols_season(JUST_SIGNIFICANT, 1, 24)
        assert 0.05 < short.p < 0.0501 and 0.0496 < significant.p < 0.05
        assert float(reference.f.sf(short.f * 22 / 21, 2, 22)) < 0.05
        assert spc.seasonal_expectation(JUST_SHORT, 1, 24) is None
        assert spc.seasonal_expectation(JUST_SIGNIFICANT, 1, 24) is not None

    def test_the_fitted_months(self):
        assert ols_season(SEASONAL, 1, 24).months == 24
        assert ols_season(SEASONAL, 1, 30).months == 30
        assert ols_season(SEASONAL[:30], 1, 18).months == 24
        assert ols_season(SEASONAL[:20], 1, 12, BEFORE_50).months == 60
        assert ols_season(SEASONAL, 1, 24, BEFORE_50).months == 60

    def test_before_counts_only_up_to_five_years_in_all(self):
        got = spc.seasonal_expectation(SEASONAL, 1, 24, BEFORE_50)
        changed = list(BEFORE_50)
        changed[:14] = [500.0] * 14
        same = spc.seasonal_expectation(SEASONAL, 1, 24, changed)
        assert same[0] == got[0] and np.array_equal(same[1], got[1])
        changed[14] = 200.0
        assert spc.seasonal_expectation(SEASONAL, 1, 24, changed)[0] != pytest.approx(got[0], rel=1e-6)
        assert_same_season(spc.seasonal_expectation(SEASONAL, 1, 24, changed), ols_season(SEASONAL, 1, 24, changed))

    def test_the_months_before_change_the_fit(self):
        alone = spc.seasonal_expectation(EARLIER[12:], 1, 24)
        with_year = spc.seasonal_expectation(EARLIER[12:], 1, 24, EARLIER[:12])
        assert alone[0] != pytest.approx(with_year[0], rel=1e-6)
        assert_same_season(alone, ols_season(EARLIER[12:], 1, 24))

    @pytest.mark.parametrize("before", [(), OCTOBER[:7]])
    def test_one_harmonic_fits_every_calendar_phase_alike(self, before):
        values = OCTOBER[len(before):]
        want = spc.seasonal_expectation(values, 1, 24, before)
        for first_month in range(2, 13):
            got = spc.seasonal_expectation(values, first_month, 24, before)
            assert got[0] == pytest.approx(want[0], rel=1e-9)
            assert got[1] == pytest.approx(want[1], rel=1e-9)

    def test_the_expected_counts_follow_the_calendar(self):
        level, expected = spc.seasonal_expectation(OCTOBER, 10, 24)
        assert expected[:24] == pytest.approx(expected[12:], rel=1e-9)
        assert month_of(10, int(np.argmax(expected[:12]))) == 7
        assert month_of(10, int(np.argmin(expected[:12]))) == 1
        assert level == pytest.approx(float(np.mean(OCTOBER[:24])), rel=1e-9)

    @pytest.mark.parametrize("values", [[50.0] * 30, [0.0] * 24])
    def test_a_constant_series_has_no_season(self, values):
        assert spc.seasonal_expectation(values, 3, 24) is None

    def test_a_baseline_of_five_years_leaves_no_room_before(self):
        values = seasonal_counts(6, 60, 1, 120, 25)
        assert_same_season(spc.seasonal_expectation(values, 1, 60, [400.0] * 12), ols_season(values, 1, 60))


def plain_adjusted(values, level: float, expected) -> list[float]:
    return [level + (x - e) * math.sqrt(level / e) for x, e in zip(values, expected, strict=True)]


def assert_same_fields(got: spc.Chart, want: spc.Chart) -> None:
    assert np.array_equal(got.values, want.values)
    assert (got.baseline, got.mean, got.mean_range) == (want.baseline, want.mean, want.mean_range)
    assert (got.rules, got.directions) == (want.rules, want.directions)


READ_CASES = {
    "january": (SEASONAL, 1, 12, ()),
    "october": (OCTOBER, 10, 12, ()),
    "thirty-months": (SEASONAL[:30], 1, 12, ()),
    "a-year-before": (EARLIER[12:], 1, 6, EARLIER[:12]),
    "may-with-seven-months-before": (OCTOBER[7:], 5, 3, OCTOBER[:7]),
    "twenty-months-and-four-before": (SEASONAL[4:24], 5, 3, SEASONAL[:4]),
}


class TestRead:
    @pytest.mark.parametrize(("values", "window"), [
        (FLAT, 12), (FLAT[:30], 12), (FLAT[:20], 3), (SEASONAL[:23], 0), (SEASONAL[:14], 12), (SEASONAL[:20], 3),
        (LOW, 12), ([7.0] * 30, 6),
    ])
    def test_without_a_season_it_is_the_chart_on_its_baseline(self, values, window):
        assert outcome(ols_season(values, 1, spc.baseline_size(len(values), window))) != "season"
        got = spc.read(values, 1, window)
        assert_same_fields(got, spc.chart(values, spc.baseline_size(len(values), window)))
        assert got.season is None and not got.adjusted

    @pytest.mark.parametrize("name", sorted(READ_CASES))
    def test_a_season_charts_the_adjusted_counts(self, name):
        values, first_month, window, before = READ_CASES[name]
        baseline = spc.baseline_size(len(values), window)
        level, expected = ols_season(values, first_month, baseline, before).reading
        adjusted = plain_adjusted(values, level, expected)
        got = spc.read(values, first_month, window, before)
        assert got.adjusted and got.baseline == baseline
        assert got.season == pytest.approx(expected, rel=1e-9)
        assert got.values == pytest.approx(adjusted, rel=1e-9)
        assert got.mean == pytest.approx(float(np.mean(adjusted[:baseline])), rel=1e-9)
        assert_same_fields(got, spc.chart(got.values, baseline))
        assert_same_chart(list(got.values), baseline)

    def test_the_adjustment_is_the_seasons_own(self):
        got = spc.read(SEASONAL, 1, 12)
        level, expected = spc.seasonal_expectation(SEASONAL, 1, 24)
        assert np.array_equal(got.season, expected)
        assert np.array_equal(got.values, level + (np.asarray(SEASONAL) - expected) * np.sqrt(level / expected))

    def test_the_months_before_reach_the_season(self):
        values, first_month, window, before = READ_CASES["twenty-months-and-four-before"]
        assert not spc.read(values, first_month, window).adjusted
        assert spc.read(values, first_month, window, before).adjusted
        assert not spc.read(values, first_month, window, before[1:]).adjusted

    @pytest.mark.parametrize("seed", range(30))
    def test_seeded_series_match_statsmodels(self, seed):
        rng = np.random.default_rng(500 + seed)
        n = int(rng.integers(12, 37))
        before_n = int(rng.choice([0, 0, int(rng.integers(1, 48))]))
        first_month = int(rng.integers(1, 13))
        window = int(rng.integers(0, 13))
        counts = seasonal_counts(seed, before_n + n, month_of(first_month, -before_n), float(rng.uniform(5, 200)),
                                 float(rng.choice([0.0, rng.uniform(0, 40)])), int(rng.integers(1, 13)))
        before, values = counts[:before_n], counts[before_n:]
        baseline = spc.baseline_size(n, window)
        fit = ols_season(values, first_month, baseline, before)
        reading = None if fit is None else fit.reading
        got = spc.read(values, first_month, window, before)
        assert got.baseline == baseline
        if reading is None:
            assert not got.adjusted
            assert_same_fields(got, spc.chart(values, baseline))
        else:
            assert got.adjusted
            assert got.season == pytest.approx(reading[1], rel=1e-9)
            assert got.values == pytest.approx(plain_adjusted(values, *reading), rel=1e-9)
