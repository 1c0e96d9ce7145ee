"""The read model: totals computed from districts, breakdowns, actions and their status."""

from __future__ import annotations

import pandas as pd

from tests.kent import KENT, KENT_MEDWAY, MEDWAY


def test_kent_and_medway_total_is_the_sum_of_13_areas(dataset):
    iid = "police-uk-burglary"
    month = pd.Timestamp("2022-06-01")
    total = dataset.series(iid, KENT_MEDWAY, month, month)["value"].sum()
    parts = sum(dataset.series(iid, c, month, month)["value"].sum() for c in dataset.districts()["area_code"])
    assert total == parts
    assert not dataset.has_data(iid, KENT), "a Kent-only total beside Kent and Medway's would reveal Medway's"


def test_kent_total_leaves_medway_out(dataset):
    assert MEDWAY not in dataset.members("road-casualties") and len(dataset.members("road-casualties")) == 12


def test_unallocated_records_are_kept_but_not_in_totals(dataset):
    assert dataset.series("police-uk-burglary", "NO-LOCATION")["value"].sum() > 0


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


def test_open_data_is_never_withheld(dataset):
    district = dataset.trend("police-uk-theft-from-the-person", "E07000111")
    assert district["value"].between(1, 4).any()
    assert not district["withheld"].any() and not district["rolling_withheld"].any()


def test_partner_data_by_district_shows_the_public_rounded_months(dataset):
    exact = dataset.trend("road-ksi", "E07000114", reveal=True)
    public = dataset.trend("road-ksi", "E07000114")
    small, shown = exact["value"].between(1, 4), exact["value"] >= 5
    assert small.any() and shown.any()
    assert public.loc[small, "value"].isna().all() and public.loc[small, "withheld"].all()
    assert set(public.loc[small, "disclosure"]) == {"withheld"}
    assert (public.loc[shown, "value"] % 5 == 0).all()
    assert (public.loc[shown, "value"] - exact.loc[shown, "value"]).abs().max() <= 2
    assert public.loc[exact["value"] == 0, "value"].eq(0).all()
    assert public["rounded"].any() and not exact["rounded"].any()
    rolling = public["rolling"].dropna()
    assert not rolling.empty and (rolling % 5 == 0).all() and set(public["rolling_disclosure"]) <= {"derived", ""}
    assert exact["value"].notna().all() and (exact["withheld"] == small).all()
    county, county_exact = dataset.trend("road-ksi"), dataset.trend("road-ksi", reveal=True)
    assert county["value"].notna().all() and (county["value"] % 5 == 0).all()
    assert set(county["disclosure"]) == {"derived"} and not county["withheld"].any()
    assert (county["value"] - county_exact["value"]).abs().max() < 30


def test_trend_rolling_totals_never_cross_the_crash_break(dataset):
    trend = dataset.trend("road-casualties", None, pd.Timestamp("2015-06-01"), pd.Timestamp("2017-06-01"), reveal=True)
    by_month = trend.set_index("period")["rolling"]
    public = dataset.trend("road-casualties", None, pd.Timestamp("2015-06-01"), pd.Timestamp("2017-06-01"))
    assert (public["rolling"].isna() == trend["rolling"].isna()).all()
    assert by_month[pd.Timestamp("2015-12-01")] == 5799
    assert by_month.loc["2016-01-01":"2016-11-01"].isna().all()
    assert by_month[pd.Timestamp("2016-12-01")] == 6122
