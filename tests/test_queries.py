"""The read model: totals computed from districts, breakdowns, actions and their status."""

from __future__ import annotations

import pandas as pd

from kcsp.queries import KENT, KENT_MEDWAY, MEDWAY


def test_kent_and_medway_total_is_the_sum_of_13_areas(dataset):
    iid = "police-uk-burglary"
    month = pd.Timestamp("2022-06-01")
    total = dataset.series(iid, KENT_MEDWAY, month, month)["value"].sum()
    parts = sum(dataset.series(iid, c, month, month)["value"].sum() for c in dataset.districts()["area_code"])
    kent = dataset.series(iid, KENT, month, month)["value"].sum()
    medway = dataset.series(iid, MEDWAY, month, month)["value"].sum()
    assert total == parts == kent + medway


def test_unallocated_records_are_kept_but_not_in_totals(dataset):
    assert dataset.series("police-uk-burglary", "NO-LOCATION")["value"].sum() > 0


def test_district_breakdown_judges_every_district(dataset):
    frame = dataset.district_breakdown("police-uk-anti-social-behaviour", pd.Timestamp("2022-01-01"),
                                       pd.Timestamp("2022-12-01"))
    assert len(frame) == 13
    assert set(frame["judgement"]) <= {"Better", "Similar", "Worse"}
    assert (frame["lower"] <= frame["rate"]).all() and (frame["rate"] <= frame["upper"]).all()
    assert frame["months"].iloc[0] == 12


def test_anonymous_view_has_no_restricted_actions(dataset):
    assert (dataset.action_status(include_restricted=False)["classification"] == "public").all()
    assert (dataset.action_status(include_restricted=True)["classification"] == "restricted").any()


def test_district_scope_keeps_county_wide_actions(dataset):
    scoped = dataset.actions_for(include_restricted=True, district="thanet")
    assert scoped["areas"].map(lambda a: a == "all" or "thanet" in a.split(";")).all()
    assert (scoped["areas"] == "all").any()


def test_headline_indicators_exist(dataset):
    for headline in dataset.priorities["headline_indicator_id"]:
        assert dataset.has_data(headline)


def test_trend_suppresses_small_counts_for_a_district_only(dataset):
    district = dataset.trend("police-uk-theft-from-the-person", "E07000111")
    small = district["value"].between(1, 4)
    assert small.any()
    assert (district["suppressed"] == small).all()
    county = dataset.trend("police-uk-theft-from-the-person", KENT_MEDWAY)
    assert not county["suppressed"].any()


def test_trend_rolling_totals_never_cross_the_crash_break(dataset):
    trend = dataset.trend("road-casualties", None, pd.Timestamp("2015-06-01"), pd.Timestamp("2017-06-01"))
    by_month = trend.set_index("period")["rolling_12"]
    assert by_month[pd.Timestamp("2015-12-01")] == 5799
    assert by_month.loc["2016-01-01":"2016-11-01"].isna().all()
    assert by_month[pd.Timestamp("2016-12-01")] == 6122


def test_road_safety_change_is_not_computed_across_the_break(dataset):
    comparison = dataset.comparison("road-casualties", None, None, pd.Timestamp("2016-12-01"))
    assert comparison.percent is None and "January 2016" in comparison.reason


def test_breakdown_defaults_to_the_latest_12_months(dataset):
    frame = dataset.district_breakdown("da-incidents")
    assert frame["months"].iloc[0] == 12
    assert frame["last"].iloc[0] == dataset.period_bounds("da-incidents")[1]
