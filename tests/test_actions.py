"""The action plan's history and filters on tiny frames: status at a date, what changed since a
meeting, and the filters shared by the /actions grid and its CSV export."""

from __future__ import annotations

from urllib.parse import parse_qs

import pandas as pd
import pytest

from kcsp.actions import ActionFilter, changes_since, describe_move, in_district, status_as_at

MEETING = pd.Timestamp("2026-03-19")
TODAY = pd.Timestamp("2026-11-23")


def actions(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"action_id": a, "priority_id": "p", "title": f"Action {a}", "due": pd.Timestamp(due)}
                         for a, due in rows])


def updates(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"action_id": a, "version": v, "status": s, "updated_at": when}
                         for a, v, s, when in rows])


class TestStatusAsAt:
    def test_latest_update_on_or_before_the_date(self):
        ups = updates(("A1", 1, "green", "2026-01-10T10:00:00Z"), ("A1", 2, "red", "2026-04-01T10:00:00Z"))
        assert status_as_at(ups, MEETING).at["A1", "status"] == "green"
        assert status_as_at(ups, None).at["A1", "status"] == "red"

    def test_fractional_seconds_and_offsets_are_read(self):
        ups = updates(("A1", 1, "amber", "2026-03-18T23:30:00.125+00:00"))
        assert status_as_at(ups, MEETING).at["A1", "status"] == "amber"


@pytest.mark.parametrize(("before", "after", "move"), [
    (None, "green", "new"), ("green", "green", "no change"), ("amber", "blue", "completed"),
    ("not-started", "red", "started"), ("red", "green", "improved"), ("green", "amber", "worsened"),
])
def test_describe_move(before, after, move):
    assert describe_move(before, after) == move


class TestChangesSince:
    def test_moves_new_actions_and_unchanged_ones(self):
        acts = actions(("A1", "2027-03-31"), ("A2", "2027-03-31"), ("A3", "2027-03-31"), ("A4", "2027-03-31"))
        ups = updates(
            ("A1", 1, "green", "2026-01-10T10:00:00Z"), ("A1", 2, "red", "2026-10-01T10:00:00Z"),
            ("A2", 1, "amber", "2026-01-10T10:00:00Z"), ("A2", 2, "amber", "2026-10-01T10:00:00Z"),
            ("A3", 1, "green", "2026-06-01T10:00:00Z"),
            ("A4", 1, "amber", "2026-01-10T10:00:00Z"), ("A4", 2, "blue", "2026-11-23T08:00:00Z"),
        )
        got = changes_since(acts, ups, MEETING, today=TODAY).set_index("action_id")
        assert got.loc["A1", ["status_before", "status_now", "move"]].tolist() == ["green", "red", "worsened"]
        assert "A2" not in got.index
        assert got.loc["A3", "move"] == "new" and pd.isna(got.loc["A3", "status_before"])
        assert got.loc["A4", "move"] == "completed"

    def test_until_limits_the_updates_counted(self):
        acts = actions(("A1", "2027-03-31"))
        ups = updates(("A1", 1, "green", "2026-01-10T10:00:00Z"), ("A1", 2, "red", "2026-10-01T10:00:00Z"))
        assert changes_since(acts, ups, MEETING, pd.Timestamp("2026-09-01")).empty

    def test_an_action_whose_due_date_passed_since_the_meeting_became_overdue(self):
        acts = actions(("A1", "2026-06-30"), ("A2", "2026-06-30"), ("A3", "2025-12-31"))
        ups = updates(("A1", 1, "green", "2026-01-10T10:00:00Z"),
                      ("A2", 1, "green", "2026-01-10T10:00:00Z"), ("A2", 2, "blue", "2026-06-20T10:00:00Z"),
                      ("A3", 1, "amber", "2026-01-10T10:00:00Z"))
        got = changes_since(acts, ups, MEETING, today=TODAY).set_index("action_id")
        assert got.loc["A1", "became_overdue"] and got.loc["A1", "move"] == "no change" and got.loc["A1", "overdue"]
        assert not got.loc["A2", "became_overdue"] and got.loc["A2", "move"] == "completed"
        assert "A3" not in got.index

    def test_an_action_never_updated_still_becomes_overdue(self):
        got = changes_since(actions(("A1", "2026-06-30")), updates(("A9", 1, "green", "2026-01-10T10:00:00Z")),
                            MEETING, today=TODAY)
        assert got.to_dict("records")[0] | {"due": None} == {
            "action_id": "A1", "priority_id": "p", "title": "Action A1", "status_before": None,
            "status_now": "not-started", "move": "no change", "became_overdue": True, "updated_at": None,
            "due": None, "overdue": True}

    def test_only_the_actions_given_are_reported(self):
        ups = updates(("A1", 1, "green", "2026-06-01T10:00:00Z"))
        assert changes_since(actions(("A2", "2027-03-31")), ups, MEETING, today=TODAY).empty


def status_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "action_id": ["A1", "A2", "A3", "A4"],
        "priority_id": ["road-safety", "road-safety", "vawg", "vawg"],
        "status": ["red", "green", "amber", "blue"],
        "lead_agency": ["Kent Police", "KCC", "Kent Police", "KCC"],
        "themes": ["early-intervention;quality-of-life", "quality-of-life", None, "early-intervention"],
        "areas": ["all", "thanet;dover", "maidstone", "dover"],
        "due": pd.to_datetime(["2025-03-31", "2026-12-31", "2027-03-31", "2025-06-30"]),
        "overdue": [True, False, False, False],
    })


class TestActionFilter:
    @pytest.mark.parametrize(("chosen", "expected"), [
        (ActionFilter(), ["A1", "A2", "A3", "A4"]),
        (ActionFilter(priority="vawg"), ["A3", "A4"]),
        (ActionFilter(statuses=("red", "amber")), ["A1", "A3"]),
        (ActionFilter(lead_agency="KCC"), ["A2", "A4"]),
        (ActionFilter(theme="early-intervention"), ["A1", "A4"]),
        (ActionFilter(district="dover"), ["A1", "A2", "A4"]),
        (ActionFilter(district="maidstone"), ["A1", "A3"]),
        (ActionFilter(due_from=pd.Timestamp("2025-06-30"), due_to=pd.Timestamp("2026-12-31")), ["A2", "A4"]),
        (ActionFilter(overdue_only=True), ["A1"]),
        (ActionFilter(priority="road-safety", district="thanet", statuses=("green",)), ["A2"]),
    ])
    def test_apply(self, chosen, expected):
        assert chosen.apply(status_frame())["action_id"].tolist() == expected

    def test_query_round_trips(self):
        chosen = ActionFilter(priority="vawg", statuses=("red", "amber"), lead_agency="Kent Police & KCC",
                              theme="early-intervention", district="dover", due_from=pd.Timestamp("2025-01-01"),
                              due_to=pd.Timestamp("2026-12-31"), overdue_only=True)
        assert ActionFilter.from_args(parse_qs(chosen.query().lstrip("?"))) == chosen
        assert ActionFilter().query() == ""

    @pytest.mark.parametrize(("args", "message"), [({"status": ["purple"]}, "status"),
                                                   ({"due_to": ["2026-13-01"]}, "due_to")])
    def test_bad_arguments_are_named(self, args, message):
        with pytest.raises(ValueError, match=message):
            ActionFilter.from_args(args)

    def test_in_district_without_a_district_keeps_everything(self):
        assert in_district(status_frame()["areas"], None).all()
