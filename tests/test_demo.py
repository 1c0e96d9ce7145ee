"""The default store: real police.uk aggregates, illustrative series calibrated to the seed papers."""

from __future__ import annotations

import pandas as pd
import pytest

from kcsp.demo import apportion, build_demo_tables, last_full_month

# Figures from the seed papers (Kent CSA Action Plan & Performance Summary, Feb 2018).
SEED_FIGURES = [
    ("da-incidents", "2016-01", "2016-12", 34664),
    ("da-incidents", "2017-01", "2017-12", 39756),
    ("asb-incidents", "2016-01", "2016-12", 46036),
    ("asb-incidents", "2017-01", "2017-12", 40151),
    ("hate-crimes", "2016-01", "2016-12", 1730),
    ("hate-crimes", "2017-01", "2017-12", 3082),
    ("road-casualties", "2015-01", "2015-12", 5799),
    ("road-casualties", "2016-01", "2016-12", 6122),
    ("drug-related-deaths", "2014-01", "2016-12", 213),
    ("alcohol-specific-deaths", "2014-01", "2016-12", 332),
]


@pytest.mark.parametrize(("indicator", "start", "end", "total"), SEED_FIGURES)
def test_county_totals_equal_the_seed_figures(dataset, indicator, start, end, total):
    series = dataset.series(indicator, None, pd.Timestamp(f"{start}-01"), pd.Timestamp(f"{end}-01"))
    assert int(series["value"].sum()) == total


def test_road_casualties_cover_the_12_districts_without_medway(dataset):
    assert dataset.total_code("road-casualties") == "E10000016"
    assert not dataset.has_data("road-casualties", "E06000035")


def test_illustrative_flags_and_sources(dataset):
    ind = dataset.indicators.set_index("indicator_id")
    assert not ind.loc["police-uk-burglary", "illustrative"]
    assert ind.loc["da-incidents", "illustrative"]
    assert ind["source"].str.len().min() > 5


def test_police_counts_are_the_real_aggregates(dataset):
    obs = dataset.tables["observations"]
    police = obs[obs["indicator_id"].str.startswith("police-uk-")]
    assert police["period"].min() == pd.Timestamp("2022-01-01")
    assert police["period"].max() == pd.Timestamp("2023-01-01")
    assert int(police["value"].sum()) == 215518


def test_same_values_every_run():
    today = pd.Timestamp("2026-11-23")
    first, second = build_demo_tables(today), build_demo_tables(today)
    for name in ("observations", "action_updates", "strategic_assessment"):
        pd.testing.assert_frame_equal(first[name].reset_index(drop=True), second[name].reset_index(drop=True))


def test_a_later_build_only_appends_months():
    earlier = build_demo_tables(pd.Timestamp("2026-06-15"))["observations"]
    later = build_demo_tables(pd.Timestamp("2026-11-23"))["observations"]
    key = ["indicator_id", "area_code", "period"]
    merged = earlier.merge(later, on=key, suffixes=("_a", "_b"))
    assert len(merged) == len(earlier)
    assert (merged["value_a"] == merged["value_b"]).all()


def test_runs_to_the_latest_full_month(dataset):
    assert dataset.period_bounds("da-incidents")[1] == last_full_month(dataset.today)


def test_action_plan_has_3_to_6_actions_per_priority_and_some_restricted(dataset):
    per_priority = dataset.actions.groupby("priority_id").size()
    assert set(per_priority.index) == set(dataset.priorities["priority_id"])
    assert per_priority.between(3, 6).all()
    assert (dataset.actions["classification"] == "restricted").sum() >= 3


def test_updates_follow_working_group_meetings_and_keep_history(dataset):
    ups = dataset.updates
    assert ups.groupby("action_id")["version"].apply(lambda v: list(v) == list(range(1, len(v) + 1))).all()
    assert set(ups["status"]) <= {"not-started", "red", "amber", "green", "blue"}
    assert ups["illustrative"].all()


def test_strategic_assessment_reproduces_appendix_a_counts(dataset):
    sa = dataset.tables["strategic_assessment"]
    counts = sa[sa["year"] == "2017-18"].groupby("issue")["csp_name"].nunique()
    assert counts["ASB/Environmental"] == 10
    assert counts["Domestic Abuse"] == 9
    assert counts["Community Confidence"] == 4


@pytest.mark.parametrize(("delta", "cells"), [(7, [5, 5, 5]), (-4, [0, 3, 9]), (0, [1, 2, 3])])
def test_apportion_hits_the_total_and_stays_non_negative(delta, cells):
    import numpy as np

    current = np.array(cells)
    out = apportion(np.array([1.0, 2.0, 3.0]), int(current.sum()) + delta, current)
    assert out.sum() == current.sum() + delta
    assert (out >= 0).all()


def test_an_action_without_illustrative_progress_text_has_no_updates_and_the_others_keep_theirs():
    from kcsp import demo
    from kcsp.reference import read_reference

    actions = read_reference("actions")
    progress = read_reference("action_progress")
    meetings = read_reference("meetings")
    today = pd.Timestamp("2026-11-27")
    full = demo.action_updates(actions, progress, meetings, today)
    partial = demo.action_updates(actions, progress[progress["action_id"] != "A002"], meetings, today)
    assert "A002" in set(full["action_id"]) and "A002" not in set(partial["action_id"])
    others = ["action_id", "version", "status", "progress", "updated_at"]
    assert partial[others].reset_index(drop=True).equals(
        full.loc[full["action_id"] != "A002", others].reset_index(drop=True))
    assert demo.action_updates(actions, progress.iloc[0:0], meetings, today).empty
