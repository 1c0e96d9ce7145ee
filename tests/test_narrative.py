"""Priority narratives: sentences built from the store's figures, and changed when a figure changes."""

from __future__ import annotations

import pandas as pd
import pytest

from kcsp import narrative
from kcsp.queries import Dataset
from kcsp.urlstate import ViewState
from tests.fixture_store import KENT_DISTRICTS, monthly, small_store

TODAY = pd.Timestamp("2025-11-15")


@pytest.fixture
def road_store(tmp_path):
    """Road casualties: 10 a month in each district for a year, then 11 a month for the next."""
    rows = monthly("road-casualties", KENT_DISTRICTS, "2023-11", [10] * 12 + [11] * 12)
    return small_store(tmp_path / "store", rows, TODAY)


class TestPriorityNarrative:
    def test_sentences_give_the_figure_a_year_earlier_and_the_change(self, road_store):
        _, ds = road_store
        sentences = narrative.priority_narrative(ds, "road-safety", ViewState())
        assert sentences[0] == ("Road casualties (all severities) in Kent stood at 1,584 casualties in the 12 months "
                                "to October 2025.")
        assert sentences[1] == ("In the 12 months to October 2024 it was 1,440, so the latest figure is up 10.0%: "
                                "a deterioration.")
        assert 2 <= len(sentences) <= 4

    def test_changing_one_stored_figure_changes_the_sentence(self, tmp_path):
        rows = monthly("road-casualties", KENT_DISTRICTS, "2023-11", [10] * 12 + [11] * 12)
        _, before = small_store(tmp_path / "a", rows, TODAY)
        changed = [(i, a, p, 111 if (a == KENT_DISTRICTS[0] and p == pd.Timestamp("2025-10-01")) else v)
                   for i, a, p, v in rows]
        _, after = small_store(tmp_path / "b", changed, TODAY)
        old = narrative.priority_narrative(before, "road-safety", ViewState())
        new = narrative.priority_narrative(after, "road-safety", ViewState())
        assert "1,584 casualties" in old[0]
        assert "1,684 casualties" in new[0]
        assert "up 16.9%" in new[1]
        assert old[:2] != new[:2]

    def test_caveats_name_illustrative_data(self, road_store):
        _, ds = road_store
        last = narrative.priority_narrative(ds, "road-safety", ViewState())[-1]
        assert last.startswith("Caveats:") and "illustrative" in last

    def test_a_series_break_in_the_period_is_a_caveat_and_stops_the_comparison(self, tmp_path):
        rows = monthly("road-casualties", KENT_DISTRICTS, "2015-01", [10] * 24)
        _, ds = small_store(tmp_path / "store", rows, TODAY)
        sentences = narrative.priority_narrative(ds, "road-safety", ViewState())
        assert sentences[1].startswith("No comparison with a year earlier is given: the series changed at January 2016")
        assert "the series changed in January 2016 (CRASH recording)" in sentences[-1]

    def test_a_district_view_describes_that_district(self, road_store):
        _, ds = road_store
        sentences = narrative.priority_narrative(ds, "road-safety", ViewState(district="thanet"))
        assert sentences[0].startswith("Road casualties (all severities) in Thanet stood at 132 casualties")
        assert sentences[2].startswith("Thanet's rate, ")

    def test_a_county_only_measure_says_so_for_a_district(self, tmp_path):
        rows = monthly("drug-related-deaths", ["E10000016"], "2023-11", [8] * 12 + [6] * 12)
        _, ds = small_store(tmp_path / "store", rows, TODAY)
        sentences = narrative.priority_narrative(ds, "substance-misuse", ViewState(district="dover"))
        assert sentences[0] == "Drug-related deaths in Kent stood at 72 deaths in the 12 months to October 2025."
        assert "down 25.0%: an improvement" in sentences[1]
        assert "Dover has no separate figures for this measure" in sentences[-1]

    def test_a_priority_without_data_still_gets_two_sentences(self, road_store):
        _, ds = road_store
        assert len(narrative.priority_narrative(ds, "domestic-abuse", ViewState())) == 2

    def test_end_caps_the_period_and_a_short_series_compares_single_months(self, road_store):
        _, ds = road_store
        sentences = narrative.priority_narrative(ds, "road-safety", ViewState(), end=pd.Timestamp("2025-09-01"))
        assert sentences[0].endswith("stood at 132 casualties in September 2025.")
        assert sentences[1] == "In September 2024 it was 120, so the latest figure is up 10.0%: a deterioration."


class TestAgainstTheDemoStore:
    """Every figure in the demonstration store's sentences is what the stored observations add up to."""

    def test_the_domestic_abuse_figures_are_the_sums_of_stored_rows(self, dataset):
        obs = dataset.tables["observations"]
        da = obs[(obs["indicator_id"] == "da-incidents")]
        end = da["period"].max()
        current = da[da["period"] > end - pd.DateOffset(months=12)]["value"].sum()
        previous = da[(da["period"] <= end - pd.DateOffset(months=12))
                      & (da["period"] > end - pd.DateOffset(months=24))]["value"].sum()
        sentences = narrative.priority_narrative(dataset, "domestic-abuse", ViewState())
        assert f"{current:,.0f} incidents in the 12 months to {end:%B %Y}" in sentences[0]
        assert f"it was {previous:,.0f}" in sentences[1]
        assert f"{abs((current - previous) / previous * 100):.1f}%" in sentences[1]

    def test_editing_a_stored_value_changes_the_sentence(self, dataset):
        obs = dataset.tables["observations"].copy()
        target = (obs["indicator_id"] == "da-incidents") & (obs["period"] == obs["period"].max()) \
            & (obs["area_code"] == "E07000110")
        obs.loc[target, "value"] = obs.loc[target, "value"] + 1000
        edited = Dataset({**dataset.tables, "observations": obs}, today=dataset.today)
        before = narrative.priority_narrative(dataset, "domestic-abuse", ViewState())[0]
        after = narrative.priority_narrative(edited, "domestic-abuse", ViewState())[0]
        count = lambda text: int(text.split(" stood at ")[1].split(" ")[0].replace(",", ""))  # noqa: E731
        assert count(after) == count(before) + 1000

    @pytest.mark.parametrize("priority_id", ["neighbourhood-crime-asb", "domestic-abuse", "substance-misuse",
                                             "safeguarding", "serious-violence-organised-crime", "extremism-hate",
                                             "road-safety", "vawg"])
    def test_every_priority_gets_two_to_four_sentences(self, dataset, priority_id):
        sentences = narrative.priority_narrative(dataset, priority_id, ViewState())
        assert 2 <= len(sentences) <= 4
        assert all(s.endswith(".") for s in sentences)

    def test_illustrative_and_real_data_are_labelled_as_they_are(self, dataset):
        asb = " ".join(narrative.priority_narrative(dataset, "neighbourhood-crime-asb", ViewState()))
        da = " ".join(narrative.priority_narrative(dataset, "domestic-abuse", ViewState()))
        assert "illustrative" not in asb
        assert "illustrative" in da


class TestDistrictsSentence:
    def frame(self, judgements):
        return pd.DataFrame({
            "area_code": [f"E0{i}" for i in range(len(judgements))],
            "area_name": [f"Area {i}" for i in range(len(judgements))],
            "rate": [float(10 + i) for i in range(len(judgements))],
            "judgement": judgements, "suppressed": [False] * len(judgements), "benchmark": [12.0] * len(judgements),
        })

    def test_names_the_districts_that_stand_out(self):
        text = narrative.districts_sentence(self.frame(["Better", "Similar", "Worse", "Worse"]), "Kent")
        assert text == ("Compared with the Kent rate over the same period, 12.0 per 1,000 residents, 2 districts are "
                        "worse (Area 3 and Area 2) and one district is better (Area 0).")

    def test_long_lists_are_cut_to_three_names(self):
        text = narrative.districts_sentence(self.frame(["Higher"] * 5), "Kent and Medway")
        assert "5 districts are higher (Area 4, Area 3, Area 2 and 2 others)" in text

    def test_says_when_no_district_stands_out(self):
        text = narrative.districts_sentence(self.frame(["Similar"] * 3), "Kent")
        assert text.startswith("No district's rate differs clearly from the Kent rate")

    def test_suppressed_districts_are_not_named(self):
        frame = self.frame(["Worse", "Similar"])
        frame.loc[0, "suppressed"] = True
        assert "Area 0" not in narrative.districts_sentence(frame, "Kent")
