"""False-signal rates of the verdicts on simulated series with no real change (benchmarks/signals.py).

Overdispersed (variance / mean 2.0), seasonal monthly counts of 13 areas sharing one true rate:
the control chart and the funnel comparison should each signal in at most 5% of area-years. The
old exact test, on the same data, signals far more often, so the simulation can tell a method that
allows for overdispersion from one that does not; and the benchmark's reading of the product's
statistics gives the verdicts kcsp.judgements.judge gives.
"""

from __future__ import annotations

import pytest

from benchmarks import signals

REPLICATES = 200


@pytest.fixture(scope="module")
def dispersed_seasonal():
    return signals.false_signals(signals.DISPERSED_SEASONAL, REPLICATES, ("chart", "funnel", "old"))


@pytest.fixture(scope="module")
def dispersed():
    scenario = next(s for s in signals.SCENARIOS if s.dispersion == 2.0 and not s.amplitude)
    return signals.false_signals(scenario, REPLICATES, ("chart", "old"))


def test_enough_area_years_are_simulated(dispersed_seasonal):
    assert dispersed_seasonal["chart"].size == REPLICATES * len(signals.AREAS) * signals.JUDGED_YEARS == 13000


def test_control_chart_gives_no_signal_in_95_percent_of_area_years(dispersed_seasonal):
    assert dispersed_seasonal["chart"].mean() <= signals.TARGET


def test_funnel_comparison_gives_no_signal_in_95_percent_of_area_years(dispersed_seasonal):
    assert dispersed_seasonal["funnel"].mean() <= signals.TARGET


def test_control_chart_allows_for_overdispersion_without_seasonality(dispersed):
    assert dispersed["chart"].mean() <= signals.TARGET
    assert dispersed["old"].mean() > 2 * signals.TARGET


def test_old_exact_test_fails_the_same_bar(dispersed_seasonal):
    assert dispersed_seasonal["old"].mean() > 2 * signals.TARGET


def test_the_benchmark_reads_the_verdicts_as_the_product_gives_them():
    counts = signals.replicate(signals.DISPERSED_SEASONAL, 0)[1]
    ours = signals.area_year_signals(counts, signals.JUDGED_KINDS)
    theirs = signals.product_signals(counts)
    assert sum(theirs[kind].sum() for kind in signals.JUDGED_KINDS) > 0
    for kind in signals.JUDGED_KINDS:
        assert (ours[kind] == theirs[kind]).all(), kind


def test_simulated_counts_have_the_dispersion_and_season_asked_for():
    scenario = signals.DISPERSED_SEASONAL
    rng = signals.rng_for(scenario, 0, purpose=2)
    counts = signals.monthly_counts(rng, scenario, signals.SIZES[1], months=12 * 400)
    factor = signals.season(counts.shape[1], scenario.amplitude)
    means = signals.POPULATIONS[:, None] * signals.SIZES[1] / 1000 * factor[None, :]
    assert abs(counts.mean() / means.mean() - 1) < 0.01
    assert ((counts - means) ** 2 / means).mean() == pytest.approx(scenario.dispersion, rel=0.05)
    july, january = counts[:, 6::12].mean(), counts[:, 0::12].mean()
    assert july / january == pytest.approx(factor[6] / factor[0], rel=0.03)
