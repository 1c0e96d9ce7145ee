"""Meetings: choosing one, what it is compared with, and what changed between two meetings."""

from __future__ import annotations

import pandas as pd
import pytest

from kcsp import history, meetings
from kcsp.queries import Dataset
from tests.fixture_store import KENT_DISTRICTS, monthly, small_store


def calendar(*rows):
    return pd.DataFrame([{"meeting_id": f"{b}-{d}", "date": pd.Timestamp(d), "body": b, "name": f"{b} {d}"}
                         for d, b in rows])


CAL = calendar(("2025-01-30", "working-group"), ("2025-02-26", "crime-and-disorder-committee"),
               ("2025-03-20", "kcsp"), ("2025-07-17", "kcsp"), ("2025-10-30", "working-group"),
               ("2025-11-20", "kcsp"), ("2026-02-25", "crime-and-disorder-committee"))


class TestChoosing:
    def test_the_default_is_the_next_meeting(self):
        assert meetings.default_meeting(CAL, pd.Timestamp("2025-08-01")).iso == "2025-10-30"

    def test_a_meeting_today_is_the_next_one(self):
        assert meetings.default_meeting(CAL, pd.Timestamp("2025-11-20")).iso == "2025-11-20"

    def test_after_the_last_meeting_the_default_is_the_latest(self):
        assert meetings.default_meeting(CAL, pd.Timestamp("2027-01-01")).iso == "2026-02-25"

    def test_a_date_selects_its_meeting(self):
        assert meetings.find_meeting(CAL, "2025-07-17").body == "kcsp"

    @pytest.mark.parametrize(("value", "message"), [
        ("17/07/2025", "is not a date in the form YYYY-MM-DD"),
        ("2025-02-30", "is not a real date"),
        ("2025-07-18", "No meeting is recorded on 18 July 2025"),
    ])
    def test_a_bad_date_gives_a_clear_message(self, value, message):
        with pytest.raises(meetings.MeetingError, match=message):
            meetings.find_meeting(CAL, value)

    def test_an_empty_calendar_is_an_error(self):
        with pytest.raises(meetings.MeetingError, match="no meetings"):
            meetings.meeting_view(CAL.iloc[0:0], None, pd.Timestamp("2025-01-01"))


class TestPrevious:
    def test_the_same_body_first(self):
        assert meetings.previous_meeting(CAL, meetings.find_meeting(CAL, "2025-11-20")).iso == "2025-07-17"
        assert meetings.previous_meeting(CAL, meetings.find_meeting(CAL, "2026-02-25")).iso == "2025-02-26"

    def test_else_the_kcsp(self):
        cal = calendar(("2025-03-20", "kcsp"), ("2025-04-01", "working-group"), ("2025-05-01", "working-group"))
        first_wg = meetings.find_meeting(cal, "2025-04-01")
        assert meetings.previous_meeting(cal, first_wg).iso == "2025-03-20"

    def test_else_any_earlier_meeting(self):
        assert meetings.previous_meeting(CAL, meetings.find_meeting(CAL, "2025-02-26")).iso == "2025-01-30"

    def test_the_first_meeting_has_none(self):
        assert meetings.previous_meeting(CAL, meetings.find_meeting(CAL, "2025-01-30")) is None


class TestView:
    def test_a_past_meeting_sees_the_months_complete_by_its_date(self):
        view = meetings.meeting_view(CAL, "2025-11-20", pd.Timestamp("2026-01-10"))
        assert view.as_at == pd.Timestamp("2025-11-20") and not view.upcoming
        assert view.data_end == pd.Timestamp("2025-10-01")
        assert view.since == pd.Timestamp("2025-07-17")

    def test_a_future_meeting_sees_today(self):
        view = meetings.meeting_view(CAL, "2026-02-25", pd.Timestamp("2026-01-10"))
        assert view.upcoming and view.as_at == pd.Timestamp("2026-01-10")
        assert view.data_end == pd.Timestamp("2025-12-01")

    def test_with_meeting_keeps_the_other_parameters(self):
        assert meetings.with_meeting("?district=dover&meeting=2025-01-30&present=1", "2025-11-20") == \
            "?meeting=2025-11-20&district=dover&present=1"


TODAY = pd.Timestamp("2025-12-01")


@pytest.fixture
def store(tmp_path):
    """Road casualties up 20% on a year earlier; KSI flat; two actions with histories."""
    rows = (monthly("road-casualties", KENT_DISTRICTS, "2023-11", [50] * 12 + [60] * 12)
            + monthly("road-ksi", KENT_DISTRICTS, "2023-11", [5] * 24))
    actions = pd.DataFrame([
        {"action_id": "A001", "priority_id": "road-safety", "title": "Run a campaign", "lead_agency": "KFRS",
         "owner_role": "Manager", "themes": "", "areas": "all", "start": "2025-01-01", "due": "2025-09-30",
         "classification": "public"},
        {"action_id": "A002", "priority_id": "road-safety", "title": "Review a scheme", "lead_agency": "KCC",
         "owner_role": "Officer", "themes": "", "areas": "all", "start": "2025-01-01", "due": "2026-12-31",
         "classification": "public"},
        {"action_id": "A003", "priority_id": "road-safety", "title": "A restricted one", "lead_agency": "KCC",
         "owner_role": "Officer", "themes": "", "areas": "all", "start": "2025-01-01", "due": "2026-12-31",
         "classification": "restricted"},
    ])
    updates = pd.DataFrame([
        ("U000001", "A001", 1, "green", "Under way", "2025-03-01T10:00:00Z"),
        ("U000002", "A001", 2, "blue", "Finished", "2025-06-01T10:00:00Z"),
        ("U000003", "A002", 1, "green", "Started", "2025-03-01T10:00:00Z"),
        ("U000004", "A002", 2, "amber", "Slipping", "2025-11-20T09:00:00Z"),
        ("U000005", "A003", 1, "red", "Stuck", "2025-10-01T10:00:00Z"),
    ], columns=["update_id", "action_id", "version", "status", "progress", "updated_at"])
    updates["updated_by"] = "someone"
    updates["illustrative"] = True
    return small_store(tmp_path / "store", rows, TODAY, actions=actions, action_updates=updates)[1]


class TestWhatChanged:
    def test_new_data_is_the_months_completed_between_the_meetings(self, store):
        fresh = meetings.new_data(store, pd.Timestamp("2025-07-17"), pd.Timestamp("2025-11-20"))
        row = fresh.set_index("indicator_id").loc["road-casualties"]
        assert (row["first_new"], row["last_new"], row["months"]) == (
            pd.Timestamp("2025-07-01"), pd.Timestamp("2025-10-01"), 4)

    def test_no_new_data_when_nothing_was_added(self, store):
        assert meetings.new_data(store, pd.Timestamp("2025-11-05"), pd.Timestamp("2025-11-20")).empty

    def test_a_large_unlikely_change_is_significant_and_a_flat_one_is_not(self, store):
        changes = meetings.significant_changes(store, pd.Timestamp("2025-10-01")).set_index("indicator_id")
        road = changes.loc["road-casualties", "verdict"]
        assert road.verdict == "worsening" and road.percent == pytest.approx(20.0) and road.p_value < 0.05
        assert "road-ksi" not in changes.index

    def test_a_district_is_listed_beside_the_county(self, store):
        changes = meetings.significant_changes(store, pd.Timestamp("2025-10-01"), district="thanet")
        road = changes[changes["indicator_id"] == "road-casualties"]
        assert sorted(road["area_name"]) == ["Kent", "Thanet"]

    def test_action_moves_count_updates_made_by_the_end_of_the_meeting_day(self, store):
        moved = meetings.action_moves(store, pd.Timestamp("2025-07-17"), pd.Timestamp("2025-11-20"),
                                      include_restricted=False).set_index("action_id")
        assert moved.loc["A002", "move"] == "worsened"
        assert "A003" not in moved.index

    def test_restricted_actions_only_for_those_allowed(self, store):
        moved = meetings.action_moves(store, pd.Timestamp("2025-07-17"), pd.Timestamp("2025-11-20"),
                                      include_restricted=True)
        assert "A003" in set(moved["action_id"])

    def test_changes_by_priority(self, store):
        change = meetings.changes_by_priority(store, pd.Timestamp("2025-07-17"), pd.Timestamp("2025-11-20"))
        assert change["road-safety"].changed and change["road-safety"].moved_actions == 1
        assert set(change["road-safety"].new_measures) == {"Road casualties (all severities)",
                                                            "Killed or seriously injured on the roads"}
        assert not change["vawg"].changed

    def test_the_pack_lists_every_action_its_cover_counts_marking_those_done_before(self, store):
        then = as_at(store, "2025-11-20")
        at_meeting = meetings.pack_actions(then, "road-safety", pd.Timestamp("2025-07-17"),
                                           include_restricted=False).set_index("action_id")
        counted = then.actions_for(include_restricted=False, priority_id="road-safety")
        assert sorted(at_meeting.index) == sorted(counted["action_id"]) == ["A001", "A002"]
        assert at_meeting.loc["A002", "status"] == "amber" and at_meeting.loc["A002", "progress"] == "Slipping"
        assert at_meeting.loc["A002", "illustrative"] and not at_meeting.loc["A002", "finished"]
        assert at_meeting.loc["A001", "finished"] and at_meeting.loc["A001", "status"] == "blue"
        assert at_meeting.loc["A001", "standing"].endswith("before the previous meeting")
        assert list(at_meeting.index) == ["A002", "A001"], "finished actions come after the live ones"
        earlier = meetings.pack_actions(as_at(store, "2025-04-01"), "road-safety", None,
                                        include_restricted=False).set_index("action_id")
        assert earlier.loc["A002", "status"] == "green"
        assert earlier.loc["A001", "status"] == "green" and not earlier.loc["A001", "overdue"]

    def test_a_priority_without_actions_has_an_empty_pack(self, store):
        pack = meetings.pack_actions(store, "vawg", None, include_restricted=True)
        assert pack.empty and "action_id" in pack.columns


def as_at(dataset: Dataset, day: str) -> Dataset:
    return Dataset(history.as_at(dataset.tables, pd.Timestamp(day)), today=pd.Timestamp(day))


class TestMemo:
    def test_results_are_kept_per_dataset_and_bounded(self):
        from kcsp import memo

        calls = []

        class Owner:
            pass

        @memo.per_dataset(maxsize=4)
        def square(owner, x):
            calls.append(x)
            return x * x

        first, second = Owner(), Owner()
        assert square(first, 3) == 9 and square(first, 3) == 9
        assert square(second, 3) == 9
        assert calls == [3, 3]
        for x in range(10):
            square(first, x)
        made = len(calls)
        assert square(first, 9) == 81 and len(calls) == made
        assert square(first, 0) == 0 and len(calls) == made + 1
        square(first, 7)
        square(first, 20)
        assert square(first, 7) == 49 and len(calls) == made + 2  # used lately, so kept
        assert square(first, 6) == 36 and len(calls) == made + 3  # least recently used, so dropped
