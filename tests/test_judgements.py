"""The one judgement module: windows, change and comparison verdicts, complete totals, disclosure."""

from __future__ import annotations

import pandas as pd
import pytest

from kcsp import judgements, stats
from kcsp.judgements import CHANGE, COMPARISON
from kcsp.queries import KENT
from tests.fixture_store import KENT_DISTRICTS, monthly, small_store

TODAY = pd.Timestamp("2026-11-27")
THANET = "E07000114"


@pytest.fixture
def ds(tmp_path):
    """Road casualties (Kent, lower is better, partner data) for 36 months: 10 a month in each district
    for two years, then 13 a month; Thanet has 2 a month throughout. Road KSI lacks Dover in Mar 2025."""
    rows = []
    for code in KENT_DISTRICTS:
        base = 2 if code == THANET else 10
        later = 2 if code == THANET else 13
        rows += monthly("road-casualties", [code], "2023-01", [base] * 24 + [later] * 12)
        values = [30] * 36
        rows += [r for r in monthly("road-ksi", [code], "2023-01", values)
                 if not (code == "E07000108" and r[2] == pd.Timestamp("2025-03-01"))]
    return small_store(tmp_path / "store", rows, TODAY)[1]


class TestWindow:
    def test_default_is_the_latest_year_of_complete_totals(self, ds):
        w = judgements.window_for(ds, "road-casualties")
        assert (w.start, w.end, w.periods) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-01"), 12)
        assert (w.first_month, w.last_month) == ("2025-01", "2025-12")
        assert w.words() == "the 12 months Jan 2025 to Dec 2025"

    def test_a_chosen_from_shortens_it_and_to_ends_it(self, ds):
        w = judgements.window_for(ds, "road-casualties", pd.Timestamp("2025-04-01"), pd.Timestamp("2025-09-01"))
        assert (w.start, w.end, w.periods) == (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-09-01"), 6)
        assert w.previous.start == pd.Timestamp("2024-10-01") and w.previous.end == pd.Timestamp("2025-03-01")
        assert w.words() == "the 6 months Apr 2025 to Sep 2025"

    def test_a_long_chosen_period_is_judged_on_its_last_year(self, ds):
        w = judgements.window_for(ds, "road-casualties", pd.Timestamp("2023-01-01"), pd.Timestamp("2025-06-01"))
        assert (w.start, w.end) == (pd.Timestamp("2024-07-01"), pd.Timestamp("2025-06-01"))

    def test_no_window_outside_the_data(self, ds):
        assert judgements.window_for(ds, "road-casualties", pd.Timestamp("2030-01-01")) is None
        verdicts = judgements.judge(ds, "road-casualties", pd.Timestamp("2030-01-01"))
        assert {v.verdict for v in verdicts} == {"not-compared"}


class TestChange:
    def test_a_real_rise_is_worsening_with_both_counts(self, ds):
        v = judgements.verdict(ds, "road-casualties", KENT, CHANGE, reveal=False)
        assert (v.count, v.previous_count) == (11 * 13 * 12 + 24, 11 * 10 * 12 + 24)
        assert v.verdict == "worsening" and v.p_value == pytest.approx(stats.change_p_value(v.count, v.previous_count))

    def test_no_move_is_no_significant_change(self, ds):
        v = judgements.verdict(ds, "road-casualties", THANET, CHANGE, reveal=True)
        assert v.verdict == "no-significant-change" and v.p_value == 1.0

    def test_not_compared_without_the_year_before(self, ds):
        v = judgements.verdict(ds, "road-casualties", KENT, CHANGE, None, pd.Timestamp("2023-12-01"), reveal=False)
        assert v.verdict == "not-compared" and "figures start in Jan 2023" in v.reason

    def test_never_across_a_series_break(self, tmp_path):
        rows = [r for code in KENT_DISTRICTS for r in monthly("road-ksi", [code], "2014-06", [10] * 36)]
        ds = small_store(tmp_path / "s", rows, TODAY)[1]
        v = judgements.verdict(ds, "road-ksi", KENT, CHANGE, None, pd.Timestamp("2016-06-01"), reveal=False)
        assert v.verdict == "not-compared" and "January 2016" in v.reason

    def test_an_incomplete_month_has_no_total_and_is_never_compared(self, ds):
        total = ds.trend("road-ksi", KENT)
        march = total[total["period"] == pd.Timestamp("2025-03-01")].iloc[0]
        assert march["missing"] and pd.isna(march["value"])
        v = judgements.verdict(ds, "road-ksi", KENT, CHANGE, reveal=False)
        assert v.verdict == "not-compared" and "Mar 2025" in v.reason
        dover = judgements.verdict(ds, "road-ksi", "E07000108", COMPARISON, reveal=True)
        assert dover.verdict == "not-compared"


class TestComparison:
    def test_verdicts_follow_the_interval_and_the_polarity(self, ds):
        verdicts = {v.area_code: v for v in judgements.judge(ds, "road-casualties") if v.kind == COMPARISON}
        thanet = verdicts[THANET]
        assert thanet.verdict == "better" and thanet.upper < thanet.benchmark
        assert thanet.count == 24 and thanet.lower == pytest.approx(
            stats.byar_interval(24)[0] / thanet.population * 1000)

    def test_the_funnel_agrees_with_every_verdict_of_the_demo_store(self, dataset):
        checked = 0
        for iid in dataset.indicators.loc[dataset.indicators["geography"] == "district", "indicator_id"]:
            for v in judgements.judge(dataset, iid):
                if v.kind != COMPARISON or v.rate is None:
                    continue
                expected = v.benchmark * v.population / 1000
                low, high = stats.funnel_counts(expected)
                assert (low <= v.count <= high) == (v.verdict == "similar"), (iid, v.area_name)
                checked += 1
        assert checked > 200


class TestDisclosure:
    def test_a_year_of_five_or_more_is_shown_but_its_months_are_not(self, ds):
        thanet = judgements.verdict(ds, "road-casualties", THANET, COMPARISON, reveal=False)
        assert thanet.count == 24 and thanet.verdict == "better"
        assert ds.trend("road-casualties", THANET)["value"].isna().all()

    def test_a_year_of_one_to_four_never_reaches_anonymous_viewers(self, tmp_path):
        rows = [r for code in KENT_DISTRICTS for r in
                monthly("road-casualties", [code], "2024-01", [0] * 21 + [1] * 3
                        if code == THANET else [9] * 24)]
        ds = small_store(tmp_path / "s", rows, TODAY)[1]
        public = [v for v in judgements.verdicts(ds, "road-casualties", reveal=False) if v.area_code != KENT]
        thanet = [v for v in public if v.area_code == THANET]
        assert all(v.verdict is None and v.count is None and v.rate is None for v in thanet)
        hidden = {v.area_code for v in public if v.count is None and v.kind == COMPARISON}
        assert len(hidden) == 2, "a second district is withheld so the total cannot give Thanet away"
        table = judgements.table(ds, "road-casualties", reveal=False)
        shown = table[table["area_code"] == THANET][["count", "rate", "verdict", "previous_count", "p_value"]]
        assert shown.isna().all().all()
        signed_in = judgements.verdict(ds, "road-casualties", THANET, COMPARISON, reveal=True)
        assert signed_in.count == 3 and signed_in.shown_withheld

    def test_open_data_is_never_withheld(self, dataset):
        assert not any(v.count is None and v.window is not None and v.reason and "withheld" in v.reason
                       for v in judgements.verdicts(dataset, "police-uk-bicycle-theft", reveal=False))
