"""The statistics behind verdicts, checked against scipy's distributions on grids of counts.

The reference is independent of the implementation: intervals are checked through the Poisson
distribution's tails (scipy.stats.poisson) rather than the gamma functions kcsp.stats uses, and
p-values against scipy.stats.binomtest.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as reference

from kcsp import stats

GRID = [*range(0, 200), *range(200, 2000, 37), *range(2000, 10_001, 499), 10_000]


def exact_reference(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Garwood's interval as the Poisson means whose tails hold (1 - confidence) / 2 (root-finding)."""
    from scipy.optimize import brentq

    tail = (1 - confidence) / 2
    lower = 0.0 if count == 0 else brentq(lambda m: reference.poisson.sf(count - 1, m) - tail, 1e-12, count + 50)
    upper = brentq(lambda m: reference.poisson.cdf(count, m) - tail, 1e-12, 2 * count + 50)
    return lower, upper


class TestIntervals:
    @pytest.mark.parametrize("count", [c for c in GRID if c < stats.EXACT_BELOW])
    def test_exact_below_ten_matches_the_poisson_tails(self, count):
        assert stats.count_interval(count) == pytest.approx(exact_reference(count), rel=1e-9, abs=1e-12)

    @pytest.mark.parametrize("count", [c for c in GRID if c >= stats.EXACT_BELOW])
    def test_byar_from_ten_is_within_its_known_error_of_exact(self, count):
        low, high = stats.count_interval(count)
        exact_low, exact_high = exact_reference(count)
        assert low == pytest.approx(exact_low, rel=0.002)
        assert high == pytest.approx(exact_high, rel=0.002)
        assert (low, high) == stats.byar_interval(count)

    def test_byar_alone_would_be_far_off_at_one(self):
        assert abs(stats.byar_interval(1)[0] / exact_reference(1)[0] - 1) > 0.4
        assert stats.count_interval(1)[0] == pytest.approx(exact_reference(1)[0], rel=1e-9)

    def test_limits_at_99_8_are_never_negative(self):
        for count in range(0, 30):
            assert stats.count_interval(count, stats.CONTROL)[0] >= 0

    def test_negative_or_infinite_counts_are_refused(self):
        for bad in (-1, math.inf):
            with pytest.raises(ValueError):
                stats.count_interval(bad)


class TestChangeTest:
    @pytest.mark.parametrize(("current", "previous"), [
        (a, b) for a in (0, 1, 3, 7, 20, 102, 302, 999, 5000) for b in (0, 2, 9, 109, 353, 1000, 5210)])
    def test_p_value_equals_scipys_exact_binomial_test(self, current, previous):
        n = current + previous
        expected = 1.0 if n == 0 else reference.binomtest(current, n, 0.5).pvalue
        assert stats.change_p_value(current, previous) == pytest.approx(expected, rel=1e-9, abs=1e-15)

    def test_the_audit_example_is_not_significant(self):
        assert stats.change_p_value(302, 353) == pytest.approx(0.0507, abs=0.0001)
        assert stats.change_p_value(302, 353) > stats.SIGNIFICANCE

    def test_small_moves_are_not_significant(self):
        assert stats.change_p_value(8, 3) > stats.SIGNIFICANCE
        assert stats.change_p_value(109, 102) > stats.SIGNIFICANCE

    def test_fractional_counts_are_refused(self):
        with pytest.raises(ValueError):
            stats.change_p_value(2.5, 3)


class TestFunnel:
    @pytest.mark.parametrize("expected", [0.3, 1.0, 4.0, 4.79, 9.5, 10.0, 25.0, 140.0, 987.0, 5000.0])
    def test_outside_the_funnel_exactly_when_the_interval_excludes_the_benchmark(self, expected):
        low, high = stats.funnel_counts(expected)
        for count in range(0, int(high) + 40):
            lower, upper = stats.count_interval(count)
            assert (low <= count <= high) == (lower <= expected <= upper), count

    def test_small_count_limits_against_scipy(self):
        """Where expected counts are small the funnel comes from exact intervals: check with scipy."""
        limits = stats.funnel_limits(benchmark_rate=0.05, max_population=100_000, points=25)
        for row in limits.itertuples(index=False):
            expected = 0.05 * row.population / 1000
            top = math.floor(row.upper_95 * row.population / 1000 + 1e-9)
            assert exact_reference(top)[0] <= expected < exact_reference(top + 1)[0]
        assert (limits["lower_99.8"] <= limits["lower_95"]).all() and (limits["upper_95"] <= limits["upper_99.8"]).all()

    def test_limits_narrow_as_population_grows(self):
        limits = stats.funnel_limits(benchmark_rate=5.0, max_population=150_000)
        widths = (limits["upper_95"] - limits["lower_95"]).to_numpy()
        assert np.all(np.diff(widths) < 0)


def test_rates_per_thousand():
    assert stats.rate_per_1000(50, 10_000) == 5
    with pytest.raises(ValueError):
        stats.rate_per_1000(1, 0)
