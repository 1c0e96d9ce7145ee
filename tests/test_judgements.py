"""The one judgement module: windows, change and comparison verdicts, complete totals, disclosure."""

from __future__ import annotations

import pandas as pd
import pytest

from kcsp import judgements, stats
from kcsp.judgements import CHANGE, COMPARISON
from kcsp.reference import reference_tables
from tests.fixture_store import KENT_DISTRICTS, monthly, small_store
from tests.kent import KENT

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
        assert w.previous.start == pd.Timestamp("2024-04-01") and w.previous.end == pd.Timestamp("2024-09-01")
        assert w.words() == "the 6 months Apr 2025 to Sep 2025"
        assert w.previous_words() == "the same 6 months a year before (the 6 months Apr 2024 to Sep 2024)"

    def test_a_long_chosen_period_is_judged_on_its_last_year(self, ds):
        w = judgements.window_for(ds, "road-casualties", pd.Timestamp("2023-01-01"), pd.Timestamp("2025-06-01"))
        assert (w.start, w.end) == (pd.Timestamp("2024-07-01"), pd.Timestamp("2025-06-01"))

    def test_no_window_outside_the_data(self, ds):
        assert judgements.window_for(ds, "road-casualties", pd.Timestamp("2030-01-01")) is None
        verdicts = judgements.judge(ds, "road-casualties", pd.Timestamp("2030-01-01"))
        assert {v.verdict for v in verdicts} == {"not-compared"}


class TestChange:
    def test_a_real_rise_is_a_control_chart_signal_with_both_counts_described(self, ds):
        v = judgements.verdict(ds, "road-casualties", KENT, CHANGE, reveal=True)
        assert (v.count, v.previous_count) == (11 * 13 * 12 + 24, 11 * 10 * 12 + 24)
        assert (v.verdict, v.method, v.signal) == ("worsening", "spc", "shift")
        assert v.chart.baseline == 24 and v.chart_start == pd.Timestamp("2023-01-01")
        assert v.p_value == pytest.approx(2 * 0.5 ** 12)

    def test_no_move_is_common_cause(self, ds):
        v = judgements.verdict(ds, "road-casualties", THANET, CHANGE, reveal=True)
        assert (v.verdict, v.method, v.signal, v.p_value) == ("no-significant-change", "spc", None, None)

    def test_a_year_of_months_is_charted_without_the_year_before(self, ds):
        v = judgements.verdict(ds, "road-casualties", KENT, CHANGE, None, pd.Timestamp("2023-12-01"), reveal=True)
        assert v.verdict == "no-significant-change" and v.method == "spc" and v.previous_count is None
        assert v.chart.baseline == 12

    def test_fewer_than_twelve_months_are_not_charted(self, tmp_path):
        rows = [r for code in KENT_DISTRICTS for r in monthly("road-casualties", [code], "2025-01", [10] * 11)]
        ds = small_store(tmp_path / "s", rows, TODAY)[1]
        v = judgements.verdict(ds, "road-casualties", KENT, CHANGE, pd.Timestamp("2025-01-01"), reveal=False)
        assert v.verdict == "not-compared" and "at least 12 months" in v.reason and v.window.periods == 11

    def test_a_short_window_is_set_against_the_same_months_a_year_before(self, ds):
        v = judgements.verdict(ds, "road-casualties", KENT, CHANGE, pd.Timestamp("2025-04-01"),
                               pd.Timestamp("2025-09-01"), reveal=True)
        row = v.csv_row()
        assert (row["from"], row["to"], row["previous_from"], row["previous_to"]) == (
            "2025-04", "2025-09", "2024-04", "2024-09")
        assert v.previous_count == 11 * 10 * 6 + 12

    def test_a_quarterly_window_is_tested_against_the_same_quarters_a_year_before(self, tmp_path):
        indicators = reference_tables(TODAY)["indicators"].copy()
        indicators.loc[indicators["indicator_id"] == "road-ksi", "frequency"] = "quarterly"
        quarters = pd.date_range("2021-01-01", periods=20, freq="3MS")
        counts = [40, 41, 39, 40] * 4 + [40, 41, 60, 62]
        rows = [("road-ksi", code, q, c) for code in KENT_DISTRICTS for q, c in zip(quarters, counts, strict=True)]
        ds = small_store(tmp_path / "s", rows, TODAY, indicators=indicators)[1]
        v = judgements.verdict(ds, "road-ksi", KENT, CHANGE, pd.Timestamp("2025-07-01"), pd.Timestamp("2025-10-01"),
                               reveal=True)
        assert (v.window.first_month, v.window.last_month) == ("2025-07", "2025-12")
        assert (v.previous.first_month, v.previous.last_month) == ("2024-07", "2024-12")
        assert (v.count, v.previous_count) == (12 * 122, 12 * 79)
        assert v.method == "exact-test" and v.p_value == pytest.approx(stats.change_p_value(12 * 122, 12 * 79))
        assert v.verdict == "worsening"

    def test_a_window_of_real_and_illustrative_months_is_not_compared(self, tmp_path):
        months = pd.date_range("2023-01-01", periods=42, freq="MS")
        rows = [("road-casualties", code, m, 10, "I000001" if m >= pd.Timestamp("2025-07-01") else None)
                for code in KENT_DISTRICTS for m in months]
        observations = pd.DataFrame(rows, columns=["indicator_id", "area_code", "period", "value", "import_id"])
        imports = pd.DataFrame([{"import_id": "I000001", "indicator_id": "road-casualties", "file_name": "x.csv",
                                 "sha256": "0" * 64, "source": "KCC", "imported_by": "analyst1",
                                 "imported_at": "2026-01-05T10:00:00Z", "rows": 144, "periods": "2025-07-01"}])
        ds = small_store(tmp_path / "s", [], TODAY, observations=observations, imports=imports)[1]
        for v in judgements.judge(ds, "road-casualties", None, pd.Timestamp("2026-01-01")):
            assert v.verdict == "not-compared" and v.reason == judgements.MIXED, (v.kind, v.area_code)
        later = judgements.verdict(ds, "road-casualties", KENT, CHANGE, None, pd.Timestamp("2026-06-01"),
                                   reveal=True)
        assert later.verdict == "no-significant-change" and later.chart_start == pd.Timestamp("2025-07-01")
        assert not later.chart_illustrative and later.previous_count is None

    def test_the_real_police_uk_months_get_a_control_chart_verdict(self, dataset):
        judged = [v for iid in dataset.indicators["indicator_id"] if iid.startswith("police-uk-")
                  for v in judgements.judge(dataset, iid) if v.kind == CHANGE]
        assert len(judged) > 100
        assert {v.method for v in judged} == {"spc"}
        assert all(v.verdict != "not-compared" and v.chart.values.size == 13 and v.chart.baseline == 12
                   for v in judged)

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
    def test_verdicts_follow_the_widened_interval_and_the_polarity(self, ds):
        verdicts = {v.area_code: v for v in judgements.judge(ds, "road-casualties") if v.kind == COMPARISON}
        thanet = verdicts[THANET]
        assert thanet.method == "funnel-overdispersed" and thanet.spread.overdispersed
        assert thanet.verdict == "better" and thanet.upper < thanet.benchmark
        assert (thanet.lower, thanet.upper) == pytest.approx(stats.widened_interval(
            thanet.rate, thanet.benchmark, thanet.population, thanet.spread.tau2))

    def test_districts_within_chance_keep_their_own_intervals(self, tmp_path):
        population = reference_tables(TODAY)["population"]
        latest = population[population["year"] == population["year"].max()].set_index("area_code")["population"]
        rows = [r for code in KENT_DISTRICTS
                for r in monthly("road-casualties", [code], "2024-01", [round(latest[code] / 10_000)] * 24)]
        ds = small_store(tmp_path / "s", rows, TODAY)[1]
        for v in judgements.judge(ds, "road-casualties"):
            if v.kind == COMPARISON:
                assert v.method == "interval" and not v.spread.overdispersed
                assert v.lower == pytest.approx(stats.byar_interval(v.count)[0] / v.population * 1000)

    def test_the_funnel_agrees_with_every_verdict_of_the_demo_store(self, dataset):
        checked, widened = 0, 0
        for iid in dataset.indicators.loc[dataset.indicators["geography"] == "district", "indicator_id"]:
            for v in judgements.judge(dataset, iid):
                if v.kind != COMPARISON or v.rate is None:
                    continue
                if v.method == "funnel-overdispersed":
                    half = 1.959964 * (v.benchmark * 1000 / v.population + v.spread.tau2) ** 0.5
                    inside = abs(v.rate - v.benchmark) <= half
                    widened += 1
                else:
                    low, high = stats.funnel_counts(v.benchmark * v.population / 1000)
                    inside = low <= v.count <= high
                assert inside == (v.verdict == "similar"), (iid, v.area_name)
                checked += 1
        assert checked > 200 and widened > 100


class TestDisclosure:
    def test_a_year_of_small_months_is_shown_as_the_sum_of_its_published_months(self, ds):
        thanet = judgements.verdict(ds, "road-casualties", THANET, COMPARISON, reveal=False)
        assert thanet.count == 30 and thanet.verdict == "better" and thanet.disclosure == "derived"
        assert thanet.rate == pytest.approx(stats.rate_per_1000(30, thanet.population))
        assert judgements.verdict(ds, "road-casualties", THANET, COMPARISON, reveal=True).count == 24
        public = ds.trend("road-casualties", THANET)
        assert public["value"].isna().all() and public["withheld"].all()
        assert set(public["rolling"].dropna()) == {30}

    def test_a_year_of_one_to_four_never_reaches_anonymous_viewers(self, tmp_path):
        rows = [r for code in KENT_DISTRICTS for r in
                monthly("road-casualties", [code], "2024-01", [0] * 21 + [1] * 3
                        if code == THANET else [9] * 24)]
        ds = small_store(tmp_path / "s", rows, TODAY)[1]
        public = [v for v in judgements.verdicts(ds, "road-casualties", reveal=False) if v.area_code != KENT]
        thanet = [v for v in public if v.area_code == THANET]
        assert all(v.verdict is None and v.count is None and v.rate is None for v in thanet)
        hidden = {v.area_code for v in public if v.count is None and v.kind == COMPARISON}
        assert hidden == {THANET}, "no cover is needed: the total is worked out from the published months"
        total = judgements.verdict(ds, "road-casualties", KENT, CHANGE, reveal=False)
        assert total.count == 11 * 10 * 12 + 10 and total.disclosure == "derived", "9s shown as 10, 1s as 2.5"
        assert all(v.csv_row()["p_value"] is None for v in public), "a p-value is never published"
        table = judgements.table(ds, "road-casualties", reveal=False)
        shown = table[table["area_code"] == THANET][["count", "rate", "verdict", "previous_count", "p_value"]]
        assert shown.isna().all().all()
        assert set(table.loc[table["area_code"] == THANET, "disclosure"]) == {"derived-withheld"}
        assert table["p_value"].isna().all() and table["withheld_reason"].str.len().gt(0).all()
        signed_in = judgements.verdict(ds, "road-casualties", THANET, COMPARISON, reveal=True)
        assert signed_in.count == 3 and signed_in.shown_withheld
        assert judgements.table(ds, "road-casualties", reveal=True)["withheld_reason"].str.startswith(
            "not for publication").all()

    def test_anonymous_viewers_get_no_control_chart_of_exact_months(self, dataset):
        public = judgements.verdict(dataset, "da-incidents", THANET, CHANGE, reveal=False)
        signed_in = judgements.verdict(dataset, "da-incidents", THANET, CHANGE, reveal=True)
        assert public.verdict == signed_in.verdict and public.method == "spc"
        assert public.chart is None and judgements.control_frame(public, "no-judgement").empty
        assert signed_in.chart is not None and signed_in.months_withheld
        county = judgements.verdict(dataset, "da-incidents", "E23000032", CHANGE, reveal=False)
        assert county.chart is None and county.months_withheld and county.verdict is not None
        assert judgements.verdict(dataset, "da-incidents", "E23000032", CHANGE, reveal=True).chart is not None

    def test_open_data_is_never_withheld(self, dataset):
        assert not any(v.count is None and v.window is not None and v.reason and "withheld" in v.reason
                       for v in judgements.verdicts(dataset, "police-uk-bicycle-theft", reveal=False))
        assert {v.disclosure for v in judgements.verdicts(dataset, "police-uk-bicycle-theft", reveal=False)} == {
            "exact"}


class TestTrueWords:
    def test_a_view_with_no_figures_still_names_its_window(self, dataset):
        verdicts = judgements.judge(dataset, "ons-drug-poisoning-deaths", pd.Timestamp("2022-01-01"),
                                    pd.Timestamp("2022-12-01"))
        assert verdicts and {v.verdict for v in verdicts} == {"not-compared"}
        assert {(v.csv_row()["from"], v.csv_row()["to"]) for v in verdicts} == {("2022-01", "2022-12")}

    def test_offences_found_by_policing_have_no_good_direction(self, dataset):
        for iid in ("police-uk-drugs", "police-uk-possession-of-weapons"):
            assert dataset.indicator(iid)["polarity"] == "no-judgement"
            assert {v.verdict for v in judgements.judge(dataset, iid)} <= {
                "higher", "similar", "lower", "rising", "falling", "no-significant-change", "not-compared"}

    def test_since_a_meeting_lists_only_windows_ending_after_it(self, dataset):
        from kcsp import meetings

        end = pd.Timestamp("2026-10-01")
        every = meetings.district_changes(dataset, end, "tonbridge-and-malling", reveal=False)
        since = meetings.district_changes(dataset, end, "tonbridge-and-malling", reveal=False,
                                          since=pd.Timestamp("2026-11-19"))
        assert "ons-drug-poisoning-deaths" not in set(since["indicator_id"])
        assert all(v.window.end >= pd.Timestamp("2026-10-01") for v in since["verdict"])
        assert len(since) <= len(every)

    def test_a_withheld_verdict_gives_its_true_reason(self, tmp_path):
        rows = [r for code in KENT_DISTRICTS for r in
                monthly("road-casualties", [code], "2024-01", [0] * 21 + [1] * 3 if code == THANET else [9] * 24)]
        ds = small_store(tmp_path / "s", rows, TODAY)[1]
        public = {v.area_code: v for v in judgements.verdicts(ds, "road-casualties", reveal=False)
                  if v.kind == COMPARISON}
        assert public[THANET].reason == "withheld: the count is made of figures of 1 to 4, too small to publish"
        assert public[THANET].csv_row()["withheld_reason"] == public[THANET].reason
        cover = [v for code, v in public.items() if code != THANET and v.verdict is None]
        assert not cover, "no other district is withheld as cover"


    def test_one_series_per_thing_measured(self, dataset):
        real = set(dataset.series("police-uk-anti-social-behaviour")["period"])
        shown = dataset.series("asb-incidents")
        assert real and not real & set(shown["period"]) and shown["illustrative"].all()
        assert dataset.measured_by("asb-incidents") == "police-uk-anti-social-behaviour"


class TestLists:
    def test_a_list_of_significant_changes_controls_the_false_discovery_rate(self, dataset):
        from kcsp import meetings

        frame = meetings.significant_changes(dataset, pd.Timestamp("2026-10-01"), district="swale")
        assert frame.attrs["judged"] > len(frame) and frame.attrs["by_chance"] == frame.attrs["judged"] * 0.05
        p = sorted(frame["p_value"])
        assert all(v.judged for v in frame["verdict"])
        assert not p or p[-1] <= 0.05 * len(p) / frame.attrs["judged"] + 1e-12
