"""The overdispersion statistics of kcsp.stats checked against independent references.

- poisson_trend_dispersion and pooled_dispersion against statsmodels' Poisson GLM (log link,
  intercept and linear time, Pearson X^2 and residual degrees of freedom) and scipy's chi-square
  tail;
- overdispersed_change_p_value against the normal approximation computed here, and against the
  exact test for large counts; change_test against scipy's exact binomial test and that
  approximation;
- winsorised against scipy's mstats.winsorize, and winsorised_null_mean_square against a larger
  simulation of its own (another seed, scipy's winsorisation) and the asymptotic mean square of a
  normal winsorised at its 10% and 90% quantiles;
- spread (Spiegelhalter 2005, DerSimonian-Laird tau^2) against a plain implementation in this
  module, and widened_interval against widened_funnel and against limits computed here;
- benjamini_hochberg against statsmodels' multipletests(method="fdr_bh").
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as reference
from scipy.stats import mstats
from statsmodels.stats.multitest import multipletests

from kcsp import stats


def glm_dispersion(values) -> tuple[float, float, float]:
    """statsmodels' quasi-Poisson fit: (Pearson X^2 / df, X^2, df)."""
    y = np.asarray(values, dtype="float64")
    t = np.arange(y.size, dtype="float64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, sm.add_constant(t), family=sm.families.Poisson()).fit(scale="X2")
    assert fit.converged
    return float(fit.scale), float(fit.pearson_chi2), float(fit.df_resid)


SERIES = {
    "steady-rise": [3, 5, 4, 8, 6, 9, 7, 12, 10, 11],
    "overdispersed": [20, 35, 12, 40, 18, 50, 22, 45, 15, 38, 25, 60],
    "sparse-with-zeros": [0, 1, 0, 2, 0, 0, 3, 1, 0, 4, 2, 5],
    "steep-fall": [200, 150, 120, 60, 30, 10, 3, 1, 0, 0, 0, 0],
    "one-count-in-the-middle": [0, 0, 0, 0, 1, 0, 0, 0],
    "three-points": [14, 30, 17],
    "four-points": [40, 22, 51, 30],
    "five-points": [3, 5, 9, 4, 12],
    "large-seasonal": [1210, 1105, 1302, 1398, 1250, 1190, 1420, 1515, 1330, 1281, 1490, 1602],
    "first-and-last": [1, *[0] * 14, 40],
    "quarters": [412, 398, 455, 430, 401, 389, 470, 446, 420, 415, 480, 452, 433, 428, 495, 470],
}


class TestPoissonTrendDispersion:
    @pytest.mark.parametrize("name", sorted(SERIES))
    def test_dispersion_is_statsmodels_pearson_scale(self, name):
        dispersion, _ = stats.poisson_trend_dispersion(SERIES[name])
        scale, _, _ = glm_dispersion(SERIES[name])
        assert dispersion == pytest.approx(scale, rel=1e-7)

    @pytest.mark.parametrize("name", sorted(SERIES))
    def test_p_is_the_chi_square_tail_of_pearson_x2(self, name):
        _, p = stats.poisson_trend_dispersion(SERIES[name])
        _, pearson, df = glm_dispersion(SERIES[name])
        assert p == pytest.approx(float(reference.chi2.sf(pearson, df)), rel=1e-6, abs=1e-300)

    def test_the_readings_point_the_right_way(self):
        quiet, quiet_p = stats.poisson_trend_dispersion(SERIES["steady-rise"])
        wild, wild_p = stats.poisson_trend_dispersion(SERIES["overdispersed"])
        assert quiet < 1 < wild
        assert wild_p < 0.001 < 0.5 < quiet_p

    def test_a_constant_series_has_no_dispersion(self):
        dispersion, p = stats.poisson_trend_dispersion([7] * 8)
        assert dispersion == pytest.approx(0.0, abs=1e-12)
        assert p == pytest.approx(1.0)

    def test_an_exact_log_linear_trend_has_no_dispersion(self):
        values = [100 * 1.5 ** i for i in range(6)]
        dispersion, p = stats.poisson_trend_dispersion(values)
        assert dispersion == pytest.approx(0.0, abs=1e-9)
        assert p == pytest.approx(1.0)

    @pytest.mark.parametrize("values", [[], [4], [4, 9], [0] * 12, [0, 0, 0]])
    def test_too_short_or_empty_series_read_as_poisson(self, values):
        assert stats.poisson_trend_dispersion(values) == (1.0, 1.0)

    def test_three_points_are_the_shortest_series_read(self):
        assert stats.MIN_DISPERSION_POINTS == 3
        values = [3, 15, 2]
        assert stats.poisson_trend_dispersion(values[:2]) == (1.0, 1.0)
        dispersion, p = stats.poisson_trend_dispersion(values)
        scale, pearson, df = glm_dispersion(values)
        assert df == 1
        assert dispersion == pytest.approx(scale, rel=1e-7)
        assert p == pytest.approx(float(reference.chi2.sf(pearson, 1)), rel=1e-6)
        assert dispersion > 1

    @pytest.mark.parametrize("seed", range(12))
    def test_seeded_series_match_statsmodels(self, seed):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(3, 40))
        trend = np.exp(rng.uniform(0, 5) + rng.uniform(-0.08, 0.08) * np.arange(n))
        values = rng.negative_binomial(rng.integers(1, 50), 0.5, n) + rng.poisson(trend)
        dispersion, p = stats.poisson_trend_dispersion(values)
        scale, pearson, df = glm_dispersion(values)
        assert dispersion == pytest.approx(scale, rel=1e-7)
        assert p == pytest.approx(float(reference.chi2.sf(pearson, df)), rel=1e-6, abs=1e-300)

    @pytest.mark.parametrize("values", [[0] * 11 + [12], [340, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 3], [5, 0, 0],
                                        [0, 0, 1]])
    def test_a_single_count_at_an_end_has_no_fit_and_reads_as_poisson(self, values):
        assert stats.poisson_trend_dispersion(values) == (1.0, 1.0)


def mle_exists(values) -> bool:
    """Whether the Poisson log-linear trend has a maximum likelihood fit: for an intercept and a
    linear time term, exactly when the count-weighted mean time lies strictly inside the series
    (the counts are not all at its first or all at its last point)."""
    y = np.asarray(values, dtype="float64")
    if y.sum() <= 0:
        return False
    weighted_time = float((y * np.arange(y.size)).sum() / y.sum())
    return 0 < weighted_time < y.size - 1


def statsmodels_pooled(series) -> tuple[float, float] | None:
    """Pearson X^2 and residual df of statsmodels' Poisson GLM fits, summed over the usable series
    (three points or more, with a maximum likelihood fit), as (X^2 / df, chi-square tail), or None."""
    pearson, df = 0.0, 0.0
    for values in series:
        y = np.asarray(values, dtype="float64")
        if y.size < 3 or not mle_exists(y):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.GLM(y, sm.add_constant(np.arange(y.size, dtype="float64")),
                         family=sm.families.Poisson()).fit()
        assert fit.converged
        pearson += float(fit.pearson_chi2)
        df += float(fit.df_resid)
    if df == 0:
        return None
    return pearson / df, float(reference.chi2.sf(pearson, df))


UNUSABLE = [[], [6], [4, 9], [0] * 12, [0] * 5 + [7], [3, 0, 0], [0, 0, 0, 0, 0, 0, 3]]


class TestPooledDispersion:
    @pytest.mark.parametrize("names", [
        sorted(SERIES),
        ["steady-rise", "quarters"],
        ["overdispersed", "three-points", "sparse-with-zeros"],
        ["one-count-in-the-middle", "first-and-last", "four-points"],
        ["large-seasonal", "steep-fall"],
    ])
    def test_fixed_series_match_statsmodels(self, names):
        series = [SERIES[name] for name in names]
        phi, p = stats.pooled_dispersion(series)
        want_phi, want_p = statsmodels_pooled(series)
        assert phi == pytest.approx(want_phi, rel=1e-7)
        assert p == pytest.approx(want_p, rel=1e-6, abs=1e-300)

    @pytest.mark.parametrize("seed", range(10))
    def test_seeded_series_match_statsmodels(self, seed):
        rng = np.random.default_rng(100 + seed)
        series = []
        for _ in range(int(rng.integers(1, 9))):
            n = int(rng.integers(1, 14))
            trend = np.exp(rng.uniform(-1, 5) + rng.uniform(-0.1, 0.1) * np.arange(n))
            series.append(rng.negative_binomial(rng.integers(1, 30), 0.5, n) * int(rng.integers(0, 2))
                          + rng.poisson(trend))
        series.append(UNUSABLE[seed % len(UNUSABLE)])
        want = statsmodels_pooled(series)
        got = stats.pooled_dispersion(series)
        if want is None:
            assert got == (1.0, 1.0)
        else:
            assert got[0] == pytest.approx(want[0], rel=1e-7)
            assert got[1] == pytest.approx(want[1], rel=1e-6, abs=1e-300)

    @pytest.mark.parametrize("name", sorted(SERIES))
    def test_one_series_is_its_own_trend_dispersion(self, name):
        assert stats.pooled_dispersion([SERIES[name]]) == pytest.approx(
            stats.poisson_trend_dispersion(SERIES[name]), rel=1e-12, abs=1e-300)

    def test_degrees_of_freedom_add_up(self):
        values = SERIES["overdispersed"]
        single_phi, _ = stats.poisson_trend_dispersion(values)
        phi, p = stats.pooled_dispersion([values, values])
        pearson = single_phi * (len(values) - 2)
        assert phi == pytest.approx(single_phi, rel=1e-12)
        assert p == pytest.approx(float(reference.chi2.sf(2 * pearson, 2 * (len(values) - 2))), rel=1e-6)

    def test_unusable_series_add_nothing(self):
        usable = [SERIES["steady-rise"], SERIES["five-points"]]
        assert stats.pooled_dispersion([*UNUSABLE, *usable]) == stats.pooled_dispersion(usable)

    @pytest.mark.parametrize("series", [[], [[]], UNUSABLE, [[4, 9], [0, 0, 0]]])
    def test_no_usable_series_reads_as_poisson(self, series):
        assert stats.pooled_dispersion(series) == (1.0, 1.0)


def normal_p(current: float, previous: float, dispersion: float) -> float:
    z = (current - previous) / math.sqrt(dispersion * (current + previous))
    return float(2 * reference.norm.sf(abs(z)))


class TestOverdispersedChange:
    @pytest.mark.parametrize(("current", "previous"), [
        (10, 4), (4, 10), (55, 40), (120, 150), (1000, 1100), (7, 7), (3, 0), (0, 9), (12000, 11500),
    ])
    def test_dispersion_one_is_the_normal_approximation(self, current, previous):
        got = stats.overdispersed_change_p_value(current, previous, 1.0)
        assert got == pytest.approx(normal_p(current, previous, 1.0), rel=1e-10, abs=1e-300)

    @pytest.mark.parametrize(("current", "previous"), [
        (1100, 1000), (1000, 1100), (5000, 5200), (10000, 10300), (2600, 2400), (20000, 20000), (3000, 2700),
    ])
    def test_dispersion_one_agrees_with_the_exact_test_for_large_counts(self, current, previous):
        exact = stats.change_p_value(current, previous)
        approx = stats.overdispersed_change_p_value(current, previous, 1.0)
        assert approx == pytest.approx(exact, rel=0.1, abs=1e-6)
        assert (approx < 0.05) == (exact < 0.05)

    @pytest.mark.parametrize("dispersion", [1.2, 2.0, 4.5, 10.0])
    @pytest.mark.parametrize(("current", "previous"), [(130, 100), (60, 90), (2000, 1850)])
    def test_dispersion_widens_the_p_value(self, current, previous, dispersion):
        plain = stats.overdispersed_change_p_value(current, previous, 1.0)
        wide = stats.overdispersed_change_p_value(current, previous, dispersion)
        assert wide > plain
        assert wide == pytest.approx(normal_p(current, previous, dispersion), rel=1e-10)
        z = abs(current - previous) / math.sqrt(current + previous)
        assert wide == pytest.approx(float(2 * reference.norm.sf(z / math.sqrt(dispersion))), rel=1e-10)

    def test_no_counts_or_no_change_is_p_one(self):
        assert stats.overdispersed_change_p_value(0, 0, 3.0) == 1.0
        assert stats.overdispersed_change_p_value(40, 40, 3.0) == 1.0


def exact_p(current: int, previous: int) -> float:
    if current + previous == 0:
        return 1.0
    return float(reference.binomtest(current, current + previous, 0.5).pvalue)


COUNT_PAIRS = [(10, 4), (4, 10), (10, 2), (55, 40), (120, 150), (7, 7), (3, 0), (0, 9), (1, 0), (300, 240),
               (2600, 2400), (0, 0)]


class TestChangeTest:
    @pytest.mark.parametrize(("current", "previous"), COUNT_PAIRS)
    def test_the_exact_p_value_is_scipys_binomial_test(self, current, previous):
        assert stats.change_p_value(current, previous) == pytest.approx(exact_p(current, previous), rel=1e-9)

    @pytest.mark.parametrize("dispersion", [0.0, 0.4, 0.999, 1.0])
    @pytest.mark.parametrize(("current", "previous"), COUNT_PAIRS)
    def test_no_overdispersion_uses_the_exact_test(self, current, previous, dispersion):
        method, p = stats.change_test(current, previous, dispersion, 0.5)
        assert method == "exact-test"
        assert p == pytest.approx(exact_p(current, previous), rel=1e-9)

    @pytest.mark.parametrize("dispersion", [1.000001, 1.01, 1.5, 3.0, 12.0])
    @pytest.mark.parametrize(("current", "previous"), COUNT_PAIRS)
    def test_overdispersion_takes_the_larger_of_the_two_p_values(self, current, previous, dispersion):
        method, p = stats.change_test(current, previous, dispersion, 0.5)
        quasi = normal_p(current, previous, dispersion) if current + previous else 1.0
        assert method == "overdispersed-test"
        assert p == pytest.approx(max(exact_p(current, previous), quasi), rel=1e-9)

    def test_both_p_values_can_win(self):
        _, slight = stats.change_test(10, 2, 1.01, 0.5)
        assert normal_p(10, 2, 1.01) < exact_p(10, 2)
        assert slight == pytest.approx(exact_p(10, 2), rel=1e-9)
        _, wide = stats.change_test(10, 2, 3.0, 0.5)
        assert normal_p(10, 2, 3.0) > exact_p(10, 2)
        assert wide == pytest.approx(normal_p(10, 2, 3.0), rel=1e-9)
        assert stats.change_test(300, 240, 2.0, 0.5)[1] > 0.05 > stats.change_test(300, 240, 1.0, 0.5)[1]

    @settings(max_examples=200, deadline=None)
    @given(st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=5000),
           st.floats(min_value=0.0, max_value=50.0))
    def test_never_below_the_exact_test(self, current, previous, dispersion):
        _, p = stats.change_test(current, previous, dispersion, 0.5)
        assert 0.0 <= p <= 1.0
        assert p >= stats.change_p_value(current, previous)

    @pytest.mark.parametrize("dispersion", [0.8, 1.0, 1.3, 6.0])
    @pytest.mark.parametrize(("current", "previous"), [(10, 2), (130, 100), (60, 90), (12, 12)])
    def test_the_chance_of_the_dispersion_is_not_used(self, current, previous, dispersion):
        readings = {stats.change_test(current, previous, dispersion, chance)
                    for chance in (0.0, 1e-12, 0.01, 0.049, 0.05, 0.5, 0.999, 1.0)}
        assert len(readings) == 1


def scipy_winsorised(z) -> np.ndarray:
    """scipy's 10%-each-side winsorisation, sorted."""
    return np.sort(np.asarray(mstats.winsorize(np.asarray(z, dtype="float64"), limits=(0.1, 0.1))))


def winsorised_mean_squares(draws: np.ndarray) -> np.ndarray:
    """Each row's winsorised mean square from its order statistics: the middle ones squared, and
    the k = int(0.1 * n) at each end replaced by the one next in."""
    n = draws.shape[1]
    k = int(0.1 * n)
    ordered = np.sort(draws, axis=1)
    middle = (ordered[:, k:n - k] ** 2).sum(axis=1)
    return (middle + k * (ordered[:, k] ** 2 + ordered[:, n - k - 1] ** 2)) / n


class TestWinsorised:
    @pytest.mark.parametrize("n", [1, 2, 3, 5, 9, 10, 11, 19, 20, 25, 37, 100, 333])
    def test_random_arrays_match_scipy(self, n):
        rng = np.random.default_rng(n)
        for z in (rng.standard_normal(n), rng.standard_t(2, n) * 5, np.round(rng.normal(0, 2, n))):
            got = stats.winsorised(z)
            assert got.shape == (n,)
            assert np.array_equal(got, scipy_winsorised(z))

    @pytest.mark.parametrize("n", [1, 4, 9])
    def test_fewer_than_ten_are_only_sorted(self, n):
        z = np.random.default_rng(7).standard_normal(n) * 3
        assert stats.winsorised(z).tolist() == sorted(z.tolist())

    def test_ten_percent_each_side(self):
        z = np.arange(-10.0, 10.0)
        assert stats.winsorised(z).tolist() == [-8.0, -8.0, *range(-8, 8), 7.0, 7.0]
        z = np.arange(30.0)[::-1]
        assert stats.winsorised(z).tolist() == [3.0] * 3 + list(range(3, 27)) + [26.0] * 3

    def test_rows_are_winsorised_separately(self):
        rows = np.random.default_rng(3).standard_normal((6, 23))
        got = stats.winsorised(rows)
        for row, want in zip(got, rows, strict=True):
            assert row.tolist() == scipy_winsorised(want).tolist()


class TestWinsorisedNullMeanSquare:
    SIZES = (3, 5, 9, 10, 13, 18, 20, 25, 40)
    DRAWS = 100_000

    @pytest.mark.parametrize("n", SIZES)
    def test_agrees_with_a_larger_independent_simulation(self, n):
        draws = np.random.default_rng(10_000 + n).standard_normal((self.DRAWS, n))
        squares = winsorised_mean_squares(draws)
        first = np.asarray(mstats.winsorize(draws[:500], limits=(0.1, 0.1), axis=1))
        assert squares[:500] == pytest.approx((first ** 2).mean(axis=1), rel=1e-12)
        sd = float(squares.std())
        error = math.sqrt(sd ** 2 / 20_000 + sd ** 2 / self.DRAWS)
        assert stats.winsorised_null_mean_square(n) == pytest.approx(float(squares.mean()), abs=4.5 * error)

    @pytest.mark.parametrize("n", [3, 5, 9])
    def test_fewer_than_ten_areas_have_the_normals_mean_square(self, n):
        error = math.sqrt(2 / n / 20_000)
        assert stats.winsorised_null_mean_square(n) == pytest.approx(1.0, abs=4.5 * error)

    def test_thirteen_areas_are_about_three_quarters(self):
        assert stats.winsorised_null_mean_square(13) == pytest.approx(0.76, abs=0.01)

    def test_many_areas_approach_the_winsorised_normal(self):
        c = float(reference.norm.ppf(0.9))
        limit = 2 * ((0.4 - c * reference.norm.pdf(c)) + 0.1 * c * c)
        assert limit == pytest.approx(0.6787, abs=1e-4)
        sd = float(winsorised_mean_squares(np.random.default_rng(99).standard_normal((2000, 1000))).std())
        bias = 0.0005
        got = stats.winsorised_null_mean_square(1000)
        assert got == pytest.approx(limit, abs=4.5 * sd / math.sqrt(20_000) + bias)

    def test_the_estimate_is_fixed(self):
        assert stats.winsorised_null_mean_square(17) == stats.winsorised_null_mean_square.__wrapped__(17)


def plain_spread(rates, populations, benchmark: float) -> tuple[float, bool, float]:
    """Spiegelhalter's phi and the DerSimonian-Laird tau^2 written out: (phi, overdispersed, tau^2).
    The divisor (the winsorised mean square expected by chance) is kcsp's, checked against
    independent simulation and theory in TestWinsorisedNullMeanSquare."""
    n = len(rates)
    se = [math.sqrt(benchmark * 1000 / pop) for pop in populations]
    z = [(rate - benchmark) / s for rate, s in zip(rates, se, strict=True)]
    k = n // 10
    ordered = sorted(z)
    low, high = ordered[k], ordered[n - 1 - k]
    winsorised = []
    for value in z:
        if value < low:
            value = low
        if value > high:
            value = high
        winsorised.append(value)
    phi = sum(value * value for value in winsorised) / n / stats.winsorised_null_mean_square(n)
    w = [1 / (s * s) for s in se]
    sum_w = sum(w)
    tau2 = (n * phi - (n - 1)) / (sum_w - sum(v * v for v in w) / sum_w)
    return phi, tau2 > 0, max(tau2, 0.0)


POPS_18 = [52000, 61000, 75000, 83000, 90000, 104000, 112000, 118000, 125000, 133000, 147000, 160000, 171000,
           189000, 205000, 226000, 250000, 281000]
POPS_25 = [40000 + 10000 * i for i in range(25)]
AREAS = {
    "poisson": (POPS_18, [2357, 2790, 3341, 3792, 4013, 4629, 5041, 5245, 5649, 5978, 6645, 7199, 7745, 8470, 9329,
                          10099, 11253, 12690]),
    "overdispersed": (POPS_18, [1710, 3244, 3633, 3314, 6145, 5356, 3978, 5318, 6324, 5869, 7600, 7083, 8785, 11285,
                                7778, 10571, 10387, 13000]),
    "more-than-n-1-but-not-significant": (POPS_18, [2306, 2786, 3299, 3701, 3960, 4690, 4893, 5254, 5681, 6185, 6647,
                                                    7259, 7762, 8647, 9170, 10165, 11074, 12852]),
    "six-areas": ([30000, 45000, 60000, 80000, 120000, 150000], [619, 886, 1358, 1675, 2247, 3238]),
    "two-outliers-winsorised": (POPS_25, [1143, 1537, 1733, 2097, 7305, 2684, 2989, 3263, 3635, 3863, 4294, 4495, 4775,
                                          5133, 5332, 5655, 6051, 6386, 6644, 6883, 2926, 7602, 7795, 8153, 8519]),
}


def area_rates(name: str) -> tuple[list[float], list[int], float]:
    pops, counts = AREAS[name]
    rates = [count / pop * 1000 for count, pop in zip(counts, pops, strict=True)]
    return rates, pops, sum(counts) / sum(pops) * 1000


def z_scores(rates, pops, benchmark: float) -> np.ndarray:
    return np.array([(r - benchmark) / math.sqrt(benchmark * 1000 / p) for r, p in zip(rates, pops, strict=True)])


def dersimonian_laird(phi: float, pops, benchmark: float) -> float:
    w = np.asarray(pops, dtype="float64") / (benchmark * 1000)
    n = w.size
    return max(0.0, (n * phi - (n - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))


class TestSpread:
    @pytest.mark.parametrize("name", sorted(AREAS))
    def test_matches_the_plain_implementation(self, name):
        rates, pops, benchmark = area_rates(name)
        got = stats.spread(rates, pops, benchmark)
        phi, overdispersed, tau2 = plain_spread(rates, pops, benchmark)
        assert got.areas == len(rates)
        assert got.phi == pytest.approx(phi, rel=1e-10)
        assert bool(got.overdispersed) == overdispersed
        assert got.tau2 == pytest.approx(tau2, rel=1e-10, abs=1e-12)
        assert got.tau == pytest.approx(math.sqrt(tau2), rel=1e-10, abs=1e-12)

    @pytest.mark.parametrize("name", sorted(AREAS))
    def test_phi_is_scipys_winsorised_mean_square_over_the_null(self, name):
        rates, pops, benchmark = area_rates(name)
        got = stats.spread(rates, pops, benchmark)
        raw = float((scipy_winsorised(z_scores(rates, pops, benchmark)) ** 2).mean())
        assert got.phi * stats.winsorised_null_mean_square(len(rates)) == pytest.approx(raw, rel=1e-10)
        assert got.tau2 == pytest.approx(dersimonian_laird(got.phi, pops, benchmark), rel=1e-10, abs=1e-12)

    def test_poisson_areas_are_not_overdispersed(self):
        got = stats.spread(*area_rates("poisson"))
        assert not got.overdispersed and got.tau2 == 0.0
        assert got.phi < 1

    def test_clearly_overdispersed_areas(self):
        rates, pops, benchmark = area_rates("overdispersed")
        got = stats.spread(rates, pops, benchmark)
        assert got.overdispersed and got.phi > 100
        assert got.tau2 == pytest.approx(plain_spread(rates, pops, benchmark)[2], rel=1e-10)
        assert got.tau2 == pytest.approx(64.46, rel=0.01)

    def test_any_excess_over_n_minus_one_widens_without_a_chi_square_test(self):
        rates, pops, benchmark = area_rates("more-than-n-1-but-not-significant")
        got = stats.spread(rates, pops, benchmark)
        assert 17 < got.areas * got.phi <= reference.chi2.ppf(0.95, 17)
        assert got.overdispersed and got.tau2 > 0
        assert got.tau2 == pytest.approx(dersimonian_laird(got.phi, pops, benchmark), rel=1e-10)

    def test_overdispersed_exactly_when_tau2_is_above_zero(self):
        pops = [10000] * 9
        for scale in (0.5, 8 / 9 * 0.99, 8 / 9 * 1.01, 1.1):
            z = np.array([1.0, -1.0] * 4 + [0.0]) * math.sqrt(9 / 8 * scale * stats.winsorised_null_mean_square(9))
            got = stats.spread(list(10.0 + z), pops, 10.0)
            assert got.phi == pytest.approx(scale, rel=1e-12)
            assert bool(got.overdispersed) == (scale > 8 / 9) == (got.tau2 > 0)

    def test_a_hand_worked_tau2_for_equal_areas(self):
        z = [1.5, -1.5, 1.5, -1.5, 1.5, -1.5, 1.2, -1.2, 0.0]
        rates = [10.0 + v for v in z]
        got = stats.spread(rates, [10000] * 9, 10.0)
        null = stats.winsorised_null_mean_square(9)
        assert got.phi == pytest.approx(1.82 / null, rel=1e-12)
        assert got.overdispersed
        assert got.tau2 == pytest.approx((9 * 1.82 / null - 8) / 8, rel=1e-12)
        assert plain_spread(rates, [10000] * 9, 10.0) == pytest.approx((got.phi, True, got.tau2), rel=1e-12)

    def test_fewer_than_ten_areas_are_not_winsorised(self):
        rates, pops, benchmark = area_rates("six-areas")
        z = z_scores(rates, pops, benchmark)
        got = stats.spread(rates, pops, benchmark)
        assert got.phi == pytest.approx(float((z ** 2).mean()) / stats.winsorised_null_mean_square(6), rel=1e-10)

    def test_winsorising_holds_back_two_outliers_in_twenty_five(self):
        rates, pops, benchmark = area_rates("two-outliers-winsorised")
        raw_phi = float((z_scores(rates, pops, benchmark) ** 2).mean())
        got = stats.spread(rates, pops, benchmark)
        assert raw_phi > 100 > 2 > got.phi
        assert got.tau2 < 0.001 * stats.spread(*area_rates("overdispersed")).tau2

    def test_winsorising_is_ten_percent_each_tail(self):
        benchmark = 10.0
        pops = [10000] * 20
        z = [float(v) for v in range(-10, 10)]
        rates = [benchmark + v for v in z]
        clipped = [min(max(v, -8.0), 7.0) for v in z]
        want = sum(v * v for v in clipped) / 20 / stats.winsorised_null_mean_square(20)
        assert stats.spread(rates, pops, benchmark).phi == pytest.approx(want, rel=1e-12)

    def test_areas_differing_by_chance_read_phi_one_on_average(self):
        rng = np.random.default_rng(5)
        pops = rng.integers(20_000, 300_000, 13)
        benchmark = 40.0
        se = np.sqrt(benchmark * 1000 / pops)
        phis = [stats.spread(list(benchmark + rng.standard_normal(13) * se), list(pops), benchmark).phi
                for _ in range(3000)]
        assert float(np.mean(phis)) == pytest.approx(1.0, abs=0.03)

    @pytest.mark.parametrize(("rates", "pops", "benchmark"), [
        ([5.0, 6.0], [1000, 2000], 5.5), ([5.0, 6.0, 7.0], [1000, 2000, 3000], 0.0),
    ])
    def test_too_few_areas_or_no_benchmark(self, rates, pops, benchmark):
        got = stats.spread(rates, pops, benchmark)
        assert (got.phi, got.areas, bool(got.overdispersed), got.tau2) == (1.0, len(rates), False, 0.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1000, max_value=400_000), st.floats(min_value=-6, max_value=6)),
                min_size=3, max_size=40),
       st.floats(min_value=0.5, max_value=120))
def test_generated_spreads_match_the_plain_implementation(areas, benchmark):
    pops = [pop for pop, _ in areas]
    rates = [max(0.0, benchmark + z * math.sqrt(benchmark * 1000 / pop)) for pop, z in areas]
    got = stats.spread(rates, pops, benchmark)
    phi, overdispersed, tau2 = plain_spread(rates, pops, benchmark)
    assert got.phi == pytest.approx(phi, rel=1e-9, abs=1e-12)
    assert got.tau2 == pytest.approx(tau2, rel=1e-9, abs=1e-9)
    assert bool(got.overdispersed) == (got.tau2 > 0)
    if abs(len(rates) * phi - (len(rates) - 1)) > 1e-9:
        assert bool(got.overdispersed) == overdispersed


class TestWidenedFunnel:
    @pytest.mark.parametrize(("level", "confidence"), [("95", 0.95), ("99.8", 0.998)])
    @pytest.mark.parametrize("tau2", [0.0, 4.0, 52.8])
    @pytest.mark.parametrize("benchmark", [47.0, 2.0])
    def test_limits_are_benchmark_plus_minus_z_sd(self, level, confidence, tau2, benchmark):
        frame = stats.widened_funnel(benchmark, 280_000, tau2)
        z = reference.norm.ppf(1 - (1 - confidence) / 2)
        assert len(frame) == 60
        for row in frame.to_dict("records"):
            sd = math.sqrt(benchmark * 1000 / row["population"] + tau2)
            assert row[f"upper_{level}"] == pytest.approx(benchmark + z * sd, rel=1e-12)
            assert row[f"lower_{level}"] == pytest.approx(max(0.0, benchmark - z * sd), rel=1e-12, abs=1e-12)
        assert frame["population"].iloc[-1] == pytest.approx(280_000 * 1.1)

    @pytest.mark.parametrize(("level", "confidence"), [("95", 0.95), ("99.8", 0.998)])
    @pytest.mark.parametrize("scale", [1.0, 0.05])
    def test_the_interval_excludes_the_benchmark_exactly_outside_the_funnel(self, level, confidence, scale):
        rates, pops, benchmark = area_rates("overdispersed")
        tau2 = stats.spread(rates, pops, benchmark).tau2 * scale
        benchmark *= scale
        frame = stats.widened_funnel(benchmark, max(pops), tau2)
        checked = 0
        for row in frame.to_dict("records"):
            pop, upper, lower = row["population"], row[f"upper_{level}"], row[f"lower_{level}"]
            for rate in (upper * (1 + 1e-9), upper * (1 - 1e-9), lower * (1 + 1e-9), lower * (1 - 1e-9),
                         benchmark, 0.0, 2 * upper):
                low, high = stats.widened_interval(rate, benchmark, pop, tau2, confidence)
                outside = rate > upper or rate < lower
                assert (low > benchmark or high < benchmark) == outside, (pop, rate)
                checked += outside
        assert checked > len(frame)

    def test_the_areas_own_verdicts_agree_with_limits_computed_directly(self):
        rates, pops, benchmark = area_rates("overdispersed")
        tau2 = stats.spread(rates, pops, benchmark).tau2
        z = reference.norm.ppf(0.975)
        outside_count = 0
        for rate, pop in zip(rates, pops, strict=True):
            half = z * math.sqrt(benchmark * 1000 / pop + tau2)
            low, high = stats.widened_interval(rate, benchmark, pop, tau2)
            assert (low, high) == pytest.approx((max(0.0, rate - half), rate + half), rel=1e-12)
            outside = abs(rate - benchmark) > half
            assert (low > benchmark or high < benchmark) == outside
            outside_count += outside
        assert 0 < outside_count < len(rates)

    def test_without_tau_the_interval_is_the_normal_one_at_the_benchmark(self):
        low, high = stats.widened_interval(30.0, 25.0, 50_000, 0.0)
        half = reference.norm.ppf(0.975) * math.sqrt(25.0 * 1000 / 50_000)
        assert (low, high) == pytest.approx((30.0 - half, 30.0 + half), rel=1e-12)


FIXED_P = [
    [0.01, 0.04, 0.03, 0.005, 0.5, 0.2, 0.8, 0.001, 0.049, 0.3],
    [0.0, 1.0, 0.02, 0.02, 0.02, 0.02, 0.9],
    [0.06, 0.07, 0.08],
    [0.001],
    [0.2],
    [0.011, 0.02, 0.029, 0.04, 0.051, 0.6, 0.7, 0.8, 0.9, 0.95],
    [0.04, 0.04, 0.04, 0.04, 0.04],
    [0.9, 0.8, 0.0001, 0.7, 0.03, 0.02, 0.6, 0.012, 0.5, 0.009, 0.4, 0.3],
]


class TestBenjaminiHochberg:
    @pytest.mark.parametrize("q", [0.05, 0.1, 0.2])
    @pytest.mark.parametrize("p", FIXED_P)
    def test_fixed_p_values_match_statsmodels(self, p, q):
        want = multipletests(p, alpha=q, method="fdr_bh")[0]
        got = stats.benjamini_hochberg(p, q)
        assert got.dtype == bool
        assert got.tolist() == want.tolist()

    def test_the_step_up_keeps_a_p_equal_to_its_threshold(self):
        p = [0.125, 0.25, 0.375, 0.5]
        assert stats.benjamini_hochberg(p, 0.5).tolist() == [True] * 4
        assert stats.benjamini_hochberg([0.126, 0.9, 0.9, 0.25], 0.5).tolist() == [True, False, False, True]
        assert stats.benjamini_hochberg([0.126, 0.9, 0.9, 0.26], 0.5).tolist() == [False] * 4

    def test_no_p_values(self):
        got = stats.benjamini_hochberg([])
        assert got.size == 0 and got.dtype == bool

    @pytest.mark.parametrize("seed", range(30))
    def test_random_p_values_match_statsmodels(self, seed):
        rng = np.random.default_rng(seed)
        m = int(rng.integers(1, 200))
        signals = int(rng.integers(0, m + 1))
        p = np.concatenate([rng.uniform(0, 1, m - signals), rng.beta(0.1, 8, signals)])
        p = np.round(rng.permutation(p), int(rng.integers(2, 6)))
        q = float(rng.choice([0.01, 0.05, 0.1, 0.25]))
        want = multipletests(p, alpha=q, method="fdr_bh")[0]
        assert stats.benjamini_hochberg(p, q).tolist() == want.tolist()
