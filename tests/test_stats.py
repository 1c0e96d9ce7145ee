"""Statistics as pure functions, checked against worked examples."""

from __future__ import annotations

import pandas as pd
import pytest

from kcsp import stats


def monthly(values, start="2020-01-01"):
    return pd.DataFrame({"period": pd.date_range(start, periods=len(values), freq="MS"), "value": values})


class TestByar:
    @pytest.mark.parametrize(("count", "lower", "upper"), [
        # exact Poisson 95% limits (chi-square method); Byar's approximation agrees to about 0.01
        (10, 4.7954, 18.3904),
        (100, 81.3639, 121.6280),
        (1, 0.0253, 5.5716),
    ])
    def test_close_to_exact_poisson_limits(self, count, lower, upper):
        lo, hi = stats.byar_interval(count)
        assert lo == pytest.approx(lower, abs=0.02 if count > 1 else 0.03)
        assert hi == pytest.approx(upper, abs=0.02)

    def test_zero_count_has_zero_lower_limit(self):
        lo, hi = stats.byar_interval(0)
        assert lo == 0 and hi == pytest.approx(3.668, abs=0.001)  # exact limit is 3.689

    def test_negative_count_is_refused(self):
        with pytest.raises(ValueError):
            stats.byar_interval(-1)


class TestCompareLast12:
    def test_worked_example_from_the_seed_papers(self):
        comparison = stats.compare_last_12(monthly([46036 / 12] * 12 + [40151 / 12] * 12))
        assert comparison.current == pytest.approx(40151)
        assert comparison.previous == pytest.approx(46036)
        assert comparison.percent == pytest.approx(-12.78, abs=0.01)

    def test_needs_24_consecutive_months(self):
        comparison = stats.compare_last_12(monthly([1] * 23))
        assert comparison.percent is None and "24" in comparison.reason

    def test_no_change_across_a_series_break(self):
        series = monthly([10] * 24, start="2015-01-01")
        comparison = stats.compare_last_12(series, [pd.Timestamp("2016-01-01")])
        assert comparison.percent is None and "not comparable" in comparison.reason

    def test_break_before_both_windows_allows_change(self):
        series = monthly([10] * 24 + [20] * 24, start="2014-01-01")
        comparison = stats.compare_last_12(series, [pd.Timestamp("2014-06-01")])
        assert comparison.percent == pytest.approx(0.0)


class TestCompareYearAgo:
    def test_falls_back_to_same_month_a_year_earlier(self):
        comparison = stats.compare_year_ago(monthly([100] + [50] * 11 + [110]))
        assert comparison.percent == pytest.approx(10.0)
        assert comparison.basis == "Jan 2020"


class TestJudgement:
    @pytest.mark.parametrize(("lower", "upper", "polarity", "expected"), [
        (1.0, 2.0, "lower-is-better", "Similar"),
        (2.1, 3.0, "lower-is-better", "Worse"),
        (0.5, 1.4, "lower-is-better", "Better"),
        (2.1, 3.0, "higher-is-better", "Better"),
        (2.1, 3.0, "no-judgement", "Higher"),
        (0.5, 1.4, "no-judgement", "Lower"),
    ])
    def test_against_a_benchmark_of_1_5(self, lower, upper, polarity, expected):
        assert stats.judge(lower, upper, 1.5, polarity) == expected

    @pytest.mark.parametrize(("percent", "polarity", "expected"), [
        (-12.8, "lower-is-better", "better"),
        (5.0, "lower-is-better", "worse"),
        (5.0, "no-judgement", "up"),
        (0.1, "lower-is-better", "no change"),
        (None, "lower-is-better", "unknown"),
    ])
    def test_direction(self, percent, polarity, expected):
        assert stats.direction(percent, polarity) == expected


def test_rate_per_1000():
    assert stats.rate_per_1000(250, 125000) == pytest.approx(2.0)


@pytest.mark.parametrize(("count", "hidden"), [(0, False), (1, True), (4, True), (5, False)])
def test_small_counts_are_suppressed(count, hidden):
    assert stats.suppressed(count) is hidden


def test_rolling_12_needs_12_months():
    rolling = stats.rolling_12(monthly(list(range(1, 14))))
    assert rolling.isna().sum() == 11
    assert rolling.iloc[-1] == sum(range(2, 14))


def test_rolling_12_restarts_at_a_series_break():
    rolling = stats.rolling_12(monthly([1] * 36, start="2014-01-01"), [pd.Timestamp("2016-01-01")])
    values = dict(zip(pd.date_range("2014-01-01", periods=36, freq="MS"), rolling, strict=True))
    assert values[pd.Timestamp("2015-12-01")] == 12
    assert pd.isna(values[pd.Timestamp("2016-11-01")])
    assert values[pd.Timestamp("2016-12-01")] == 12


def test_funnel_limits_narrow_as_population_grows():
    limits = stats.funnel_limits(10.0, 200_000)
    width = limits["upper_95"] - limits["lower_95"]
    assert width.is_monotonic_decreasing
    assert (limits["lower_99.8"] < limits["lower_95"]).all() and (limits["upper_99.8"] > limits["upper_95"]).all()
    assert ((limits["lower_95"] < 10) & (limits["upper_95"] > 10)).all()
