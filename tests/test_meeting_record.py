"""The meeting record (issue 21): a past meeting's page, pack and CSVs are the partnership as it stood
at the meeting, whatever is written later; the pack's cover and pages agree; matters arising are
carried to later meetings until answered. Layouts are built as plain functions on a private copy
of the demo store (the browser-rendered PDF is tested in tests/test_published_packs.py)."""

from __future__ import annotations

import json

import pandas as pd
import plotly
import pytest

from kcsp import briefing, history, matters, meetings, plan, runtime, updates
from kcsp.importers.indicator import import_file
from kcsp.importers.plan import import_plan
from kcsp.queries import Dataset
from kcsp.users import User
from tests import partner_files as pf
from tests.support import text, walk

MEETING = "2026-11-19"
ADMIN = User("admin", "admin", ())


@pytest.fixture
def meeting_page(app_module):
    import pages.meeting as page

    return page


def pack_json(app_module, page, meeting: str = MEETING, **params) -> str:
    with app_module.server.test_request_context("/meeting"):
        return json.dumps(page.layout(meeting=meeting, pack="1", **params), cls=plotly.utils.PlotlyJSONEncoder)


def page_json(app_module, page, meeting: str = MEETING) -> str:
    """The meeting's own record on its page: everything but what changed since it, to today."""
    with app_module.server.test_request_context("/meeting"):
        layout = page.layout(meeting=meeting)
    kept = [c for c in walk(layout) if "since-last-meeting" in (getattr(c, "className", "") or "")]
    for section in kept:
        section.children = []
    return json.dumps(layout, cls=plotly.utils.PlotlyJSONEncoder)


@pytest.fixture
def app_module(writable_store):
    import app

    return app


def _domestic_abuse_action(ds: Dataset) -> pd.Series:
    status = ds.action_status(include_restricted=True)
    return status[(status["priority_id"] == "domestic-abuse") & (status["status"] != "blue")].iloc[0]


def test_a_later_update_edit_import_and_plan_import_leave_the_past_pack_as_it_was(
        app_module, meeting_page, writable_store, tmp_path):
    before = pack_json(app_module, meeting_page)
    page_before = page_json(app_module, meeting_page)

    action = _domestic_abuse_action(runtime.dataset())
    updates.append_update(writable_store, ADMIN, action["action_id"], "blue", "Completed after the meeting.",
                          int(action["version"]))
    assert runtime.dataset().action(action["action_id"], include_restricted=True)["status"] == "blue"
    assert pack_json(app_module, meeting_page) == before, "an update made after the meeting changed its pack"

    revision = int(runtime.dataset().action(action["action_id"], include_restricted=True)["revision"])
    plan.edit_action(writable_store, ADMIN, action["action_id"], {"title": "A title written in December"}, revision)
    assert pack_json(app_module, meeting_page) == before, "a plan edit made after the meeting changed its pack"

    shown = runtime.dataset().series("da-incidents", "E07000105")
    import_file(writable_store, "da-incidents", pf.da_long_csv(tmp_path / "da.csv"), source="Kent Police",
                who="analyst1")
    assert not runtime.dataset().series("da-incidents", "E07000105").equals(shown), "the import changed nothing"
    assert pack_json(app_module, meeting_page) == before, "an import made after the meeting changed its pack"

    acts = writable_store.read("actions")
    frame = acts.assign(start=acts["start"].dt.strftime("%Y-%m-%d"), due=acts["due"].dt.strftime("%Y-%m-%d"))
    frame = frame[["action_id", "priority_id", "title", "lead_agency", "owner_role", "themes", "areas", "start",
                   "due", "classification"]].fillna("")
    frame.loc[frame["action_id"] == "A001", "due"] = "2027-06-30"
    frame = frame[frame["action_id"] != "A003"]
    path = tmp_path / "plan.csv"
    frame.to_csv(path, index=False)
    import_plan(writable_store, path)
    assert runtime.dataset().action("A003", include_restricted=True)["state"] == "retired"
    assert pack_json(app_module, meeting_page) == before, "a plan import made after the meeting changed its pack"
    assert page_json(app_module, meeting_page) == page_before, "the meeting page changed"


def test_the_store_as_at_a_day_restores_replaced_figures_and_rolls_back_the_plan(writable_store, tmp_path):
    day = pd.Timestamp(MEETING)
    then = history.as_at(writable_store.read_all(), day)
    import_file(writable_store, "da-incidents", pf.da_long_csv(tmp_path / "da.csv"), who="analyst1")
    plan.edit_action(writable_store, ADMIN, "A001", {"title": "Renamed later"},
                     int(writable_store.read("actions").set_index("action_id").at["A001", "revision"]))
    again = history.as_at(writable_store.read_all(), day)
    keys = ["indicator_id", "area_code", "period"]
    for name in ("observations", "actions", "action_updates", "indicators", "priorities"):
        ordered = [c for c in keys if c in then[name]] or list(then[name].columns[:1])
        left = then[name].sort_values(ordered).reset_index(drop=True).drop(columns="recorded_at", errors="ignore")
        right = again[name].sort_values(ordered).reset_index(drop=True).drop(columns="recorded_at", errors="ignore")
        pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=name)
    assert then["observations"]["period"].max() < pd.Timestamp("2026-11-01"), "an unfinished month counted"


def test_every_action_the_cover_counts_is_on_its_priority_page(app_module, meeting_page):
    view, ds = runtime.meeting(MEETING)
    briefs = briefing.priority_briefs(ds, district=None, data_end=view.data_end, since=view.since, as_at=view.as_at,
                                      previous_name=view.previous.name, include_restricted=False)
    with app_module.server.test_request_context("/meeting"):
        layout = meeting_page.layout(meeting=MEETING, pack="1")
    sections = {getattr(c, "id", None): c for c in walk(layout)}
    for brief in briefs:
        listed = meetings.pack_actions(ds, brief.priority_id, view.since, include_restricted=False)
        assert sum(brief.counts.values()) == len(listed), brief.priority_id
        page = sections[f"pack-{brief.priority_id}"]
        refs = {text(c) for c in walk(page) if type(c).__name__ == "Td" and text(c).startswith("A")}
        assert set(listed["action_id"]) <= refs, f"{brief.priority_id}: counted actions missing from its page"
    cover = text(sections["pack-cover"])
    assert "see the meeting page" not in cover


def test_a_matter_arising_is_carried_to_the_next_two_meetings_until_answered(app_module, meeting_page,
                                                                                writable_store):
    raised = matters.raise_matter(writable_store, ADMIN, {
        "meeting_id": "kcsp-2026-03-19", "text": "Report how many repeat victims were referred to MARAC.",
        "owner": "domestic-abuse", "report_to_meeting_id": ""}, now=pd.Timestamp("2026-03-20T09:00:00Z"))
    shown = {}
    for meeting in ("2026-07-16", "2026-10-29", "2026-11-19"):
        shown[meeting] = page_json(app_module, meeting_page, meeting)
    assert raised.matter_id in shown["2026-07-16"] and raised.matter_id in shown["2026-10-29"]
    matters.answer_matter(writable_store, ADMIN, raised.matter_id, "42 repeat victims were referred in the year.",
                          raised.version, now=pd.Timestamp("2026-11-01T09:00:00Z"))
    assert "42 repeat victims" in page_json(app_module, meeting_page, "2026-11-19"), "the answer is not shown"
    assert "42 repeat victims" not in page_json(app_module, meeting_page, "2026-10-29"), "a later answer leaked"
    assert page_json(app_module, meeting_page, "2026-07-16") == shown["2026-07-16"]
    in_pack = pack_json(app_module, meeting_page, "2026-10-29")
    assert raised.matter_id in in_pack, "the matter is not in the pack of a meeting it was carried to"


def test_the_actions_csv_of_a_meeting_is_the_plan_as_it_stood(app_module, writable_store):
    client = app_module.server.test_client()
    before = client.get(f"/api/actions.csv?meeting={MEETING}")
    assert before.status_code == 200
    action = _domestic_abuse_action(runtime.dataset())
    updates.append_update(writable_store, ADMIN, action["action_id"], "red", "Later.", int(action["version"]))
    assert client.get(f"/api/actions.csv?meeting={MEETING}").data == before.data
    assert client.get("/api/actions.csv").data != before.data
    assert client.get("/api/actions.csv?meeting=2026-13-01").status_code == 422
    assert client.get("/api/actions.csv?meeting=2026-11-18").status_code == 404



def test_an_action_with_no_update_by_its_rounds_deadline_says_so_in_the_pack(app_module, meeting_page,
                                                                              writable_store):
    from kcsp import rounds

    before = pack_json(app_module, meeting_page)
    assert "No update by the round's deadline" not in before
    rounds.open_round(writable_store, "admin", "kcsp-2026-11-19", "2026-11-12",
                      now=pd.Timestamp("2026-11-01T09:00:00Z"))
    missing = rounds.no_update_actions(runtime.meeting(MEETING)[1], "kcsp-2026-11-19")
    assert missing
    after = pack_json(app_module, meeting_page)
    assert after.count("No update by the round's deadline") >= 1
    assert "Last update, before this round: " in after
