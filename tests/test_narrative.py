"""Priority narratives: sentences built from the store's figures, and changed when a figure changes."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from kcsp import judgements, narrative
from kcsp.periods import FREQUENCIES
from kcsp.urlstate import ViewState
from tests.fixture_store import KENT_DISTRICTS, monthly, small_store

TODAY = pd.Timestamp("2025-11-15")


@pytest.fixture
def road_store(tmp_path):
    """Road casualties: 10 a month in each district for a year, then 11 a month for the next."""
    rows = monthly("road-casualties", KENT_DISTRICTS, "2023-11", [10] * 12 + [11] * 12)
    return small_store(tmp_path / "store", rows, TODAY)


def text(ds, priority_id, state, **kw) -> list[str]:
    return [narrative.plain(s) for s in narrative.priority_narrative(ds, priority_id, state, **kw)]


def mentions(sentences) -> list:
    return [p.verdict for s in sentences for p in s if isinstance(p, narrative.Mention)]


class TestPriorityNarrative:
    def test_sentences_give_both_counts_and_the_control_charts_verdict(self, road_store):
        _, ds = road_store
        sentences = text(ds, "road-safety", ViewState(), reveal=True)
        assert sentences[0] == "Road casualties (all severities)."
        assert sentences[1] == ("Kent: 1,584 casualties in the 12 months Nov 2024 to Oct 2025, against 1,440 in the "
                                "year before (the 12 months Nov 2023 to Oct 2024), up 10.0% (exact figures, not for "
                                "publication). Its control chart to Oct 2025: Worsening (special cause variation, a "
                                "run of 7 or more months on one side of the mean).")
        assert 3 <= len(sentences) <= 4

    def test_the_public_reads_the_counts_rounded_and_the_verdict_of_the_exact_ones(self, road_store):
        _, ds = road_store
        public = text(ds, "road-safety", ViewState())[1]
        assert public.startswith("Kent: 1,440 casualties in the 12 months Nov 2024 to Oct 2025, against 1,440 in")
        assert "(counts rounded to the nearest 5). Its control chart to Oct 2025: Worsening" in public

    def test_every_verdict_stated_is_a_mention_of_the_judgement(self, road_store):
        _, ds = road_store
        found = mentions(narrative.priority_narrative(ds, "road-safety", ViewState(district="thanet")))
        assert {(v.kind, v.area_code) for v in found} == {("change", "E07000114"), ("comparison", "E07000114")}
        assert all(v == judgements.verdict(ds, "road-safety" and v.indicator_id, v.area_code, v.kind, reveal=False)
                   for v in found)

    def test_changing_one_stored_figure_changes_the_sentence(self, tmp_path):
        rows = monthly("road-casualties", KENT_DISTRICTS, "2023-11", [10] * 12 + [11] * 12)
        _, before = small_store(tmp_path / "a", rows, TODAY)
        changed = [(i, a, p, 111 if (a == KENT_DISTRICTS[0] and p == pd.Timestamp("2025-10-01")) else v)
                   for i, a, p, v in rows]
        _, after = small_store(tmp_path / "b", changed, TODAY)
        old = text(before, "road-safety", ViewState(), reveal=True)
        new = text(after, "road-safety", ViewState(), reveal=True)
        assert "1,584 casualties" in old[1]
        assert "1,684 casualties" in new[1] and "up 16.9%" in new[1]

    def test_months_that_vary_as_usual_are_no_significant_change(self, tmp_path):
        rows = monthly("road-casualties", KENT_DISTRICTS[:1], "2023-11", [1, 2] * 6 + [2, 1, 3, 1, 2, 2] * 2)
        rows += monthly("road-casualties", KENT_DISTRICTS[1:], "2023-11", [0] * 24)
        _, ds = small_store(tmp_path / "store", rows, TODAY)
        sentence = text(ds, "road-safety", ViewState(), reveal=True)[1]
        assert "22 casualties in the 12 months Nov 2024 to Oct 2025, against 18 in the year before" in sentence
        assert ("up 22.2% (exact figures, not for publication). Its control chart to Oct 2025: no significant change "
                "(common cause variation only)") in sentence
        public = text(ds, "road-safety", ViewState())[1]
        assert public.startswith("Kent: 30 casualties in the 12 months Nov 2024 to Oct 2025, against 30 in"), \
            "twelve withheld months, each counted as 2.5"

    def test_dates_and_caveats_name_illustrative_data(self, road_store):
        _, ds = road_store
        last = text(ds, "road-safety", ViewState())[-1]
        assert last.startswith("Illustrative figures to Oct 2025.") and "Caveats:" in last

    def test_a_series_break_rebases_the_chart_and_stops_the_comparison(self, tmp_path):
        rows = monthly("road-casualties", KENT_DISTRICTS, "2015-01", [10] * 24)
        _, ds = small_store(tmp_path / "store", rows, TODAY)
        sentences = text(ds, "road-safety", ViewState())
        assert "(no comparable figures a year before)" in sentences[1]
        assert "the series changed in January 2016 (CRASH recording)" in sentences[-1]
        across = text(ds, "road-safety", ViewState(end="2016-06"))
        assert "not compared with an earlier period: the series changed in January 2016, within the window" \
            in across[1]

    def test_a_district_view_describes_that_district(self, road_store):
        _, ds = road_store
        sentences = text(ds, "road-safety", ViewState(district="thanet"), reveal=True)
        assert sentences[1].startswith("Thanet: 132 casualties in the 12 months Nov 2024 to Oct 2025")
        assert sentences[2].startswith("Thanet's rate over the 12 months Nov 2024 to Oct 2025, ")

    def test_a_county_only_measure_says_so_for_a_district(self, tmp_path):
        rows = monthly("drug-related-deaths", ["E10000016"], "2023-11", [8] * 12 + [6] * 12)
        _, ds = small_store(tmp_path / "store", rows, TODAY)
        sentences = text(ds, "substance-misuse", ViewState(district="dover"))
        assert sentences[1].startswith("Kent: 72 deaths in the 12 months Nov 2024 to Oct 2025, against 96")
        assert "Its control chart to Oct 2025: Improving" in sentences[1]
        assert "Dover has no separate figures for this measure" in sentences[-1]

    def test_a_priority_without_data_still_gets_two_sentences(self, road_store):
        _, ds = road_store
        assert len(text(ds, "domestic-abuse", ViewState())) == 2

    def test_end_caps_the_window(self, road_store):
        _, ds = road_store
        sentences = text(ds, "road-safety", ViewState(), end=pd.Timestamp("2025-09-01"))
        assert "in the 12 months Oct 2024 to Sep 2025 (no comparable figures a year before)" in sentences[1]
        assert "Its control chart to Sep 2025: Worsening" in sentences[1]


class TestAgainstTheDemoStore:
    """Every figure in the demonstration store's sentences is what the stored observations add up to."""

    def test_the_domestic_abuse_figures_are_the_sums_of_stored_rows(self, dataset):
        obs = dataset.tables["observations"]
        da = obs[(obs["indicator_id"] == "da-incidents")]
        end = da["period"].max()
        current = da[da["period"] > end - pd.DateOffset(months=12)]["value"].sum()
        previous = da[(da["period"] <= end - pd.DateOffset(months=12))
                      & (da["period"] > end - pd.DateOffset(months=24))]["value"].sum()
        sentence = text(dataset, "domestic-abuse", ViewState(), reveal=True)[1]
        assert f"{current:,.0f} incidents in the 12 months" in sentence
        assert f"against {previous:,.0f} in" in sentence
        public = text(dataset, "domestic-abuse", ViewState())[1]
        shown = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) (?:incidents )?in the ", public)]
        assert len(shown) == 2 and all(n % 5 == 0 for n in shown) and "(counts rounded to the nearest 5)" in public
        assert abs(shown[0] - current) < 0.01 * current and abs(shown[1] - previous) < 0.01 * previous

    @pytest.mark.parametrize("priority_id", ["neighbourhood-crime-asb", "domestic-abuse", "substance-misuse",
                                             "safeguarding", "serious-violence-organised-crime", "extremism-hate",
                                             "road-safety", "vawg"])
    def test_every_priority_gets_three_or_four_sentences(self, dataset, priority_id):
        sentences = text(dataset, priority_id, ViewState())
        assert 3 <= len(sentences) <= 4
        assert all(s.endswith(".") for s in sentences)

    def test_illustrative_and_real_data_are_labelled_as_they_are(self, dataset):
        asb = " ".join(text(dataset, "neighbourhood-crime-asb", ViewState()))
        da = " ".join(text(dataset, "domestic-abuse", ViewState()))
        assert "illustrative" not in asb.lower() and "Figures to Jan 2023" in asb
        assert "Illustrative figures to" in da


def verdict(code: str, name: str, value: str, rate: float):
    window = judgements.Window(FREQUENCIES["monthly"], pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-01"))
    return judgements.Verdict("x", code, name, "comparison", value, window, rate=rate, benchmark=12.0,
                              lower=rate - 1, upper=rate + 1)


class TestDistrictsSentence:
    def verdicts(self, values):
        return [verdict(f"E0{i}", f"Area {i}", v, float(10 + i)) for i, v in enumerate(values)]

    def test_names_the_districts_that_stand_out(self):
        parts = narrative.districts_sentence(self.verdicts(["better", "similar", "worse", "worse"]), "Kent")
        assert narrative.plain(parts) == ("Over the 12 months Jan 2025 to Dec 2025, against Kent's rate of 12.00 per "
                                          "1,000 residents: 2 districts are worse (Area 3 and Area 2); one district "
                                          "is better (Area 0).")
        assert [m.verdict.area_code for m in parts if isinstance(m, narrative.Mention)] == ["E03", "E02", "E00"]

    def test_long_lists_are_cut_to_three_names(self):
        text_ = narrative.plain(narrative.districts_sentence(self.verdicts(["higher"] * 5), "Kent and Medway"))
        assert "5 districts are higher (Area 4, Area 3, Area 2 and 2 others)" in text_

    def test_says_when_no_district_stands_out(self):
        text_ = narrative.plain(narrative.districts_sentence(self.verdicts(["similar"] * 3), "Kent"))
        assert text_.startswith("No district's rate over the 12 months Jan 2025 to Dec 2025 differs clearly")

    def test_withheld_districts_are_not_named(self):
        verdicts = self.verdicts(["worse", "similar"])
        hidden = judgements.replace(verdicts[0], verdict=None, rate=None, withheld=True, disclosure="derived-withheld")
        verdicts[0] = judgements.disclosed(judgements.replace(verdicts[0], withheld=True, for_public=hidden),
                                           reveal=False)
        text_ = narrative.plain(narrative.districts_sentence(verdicts, "Kent"))
        assert "Area 0" not in text_
