"""The /actions page's callbacks called as plain functions, inside a Flask request (for who is signed
in) and a hand-made Dash callback context: the grid, an action's history, the update form and the
changes since a meeting. Restricted actions must never be in an anonymous response."""

from __future__ import annotations

import importlib
from contextvars import copy_context

import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict, to_json

from tests.support import basic

SCRIPT = '<script>alert(1)</script> <b>bold</b> & <img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def page():
    import app  # noqa: F401

    return importlib.import_module("pages.actions")


def run(callback, triggered: str, *args, user: str | None = None):
    """Call a callback as Dash would: `triggered` is the input that fired, `user` who is signed in."""
    import app

    headers = basic(user) if user else {}

    def call():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": triggered, "value": None}]))
        with app.server.test_request_context("/_dash-update-component", method="POST", headers=headers):
            return callback(*args)

    return copy_context().run(call)


def grid(page, *, user=None, district=None, priority=None, statuses=None, agency=None, theme=None,
         due_from=None, due_to=None, overdue=None):
    return run(page.show_actions, "actions-priority.value", district, priority, statuses, agency, theme,
               due_from, due_to, overdue or [], 0, user=user)


def restricted_titles(dataset) -> list[str]:
    acts = dataset.actions
    return list(acts.loc[acts["classification"] == "restricted", "title"])


def detail(page, action_id, *, user=None, triggered="actions-grid.selectedRows", shown=None):
    return run(page.show_action, triggered, [{"action_id": action_id}], 0, shown, user=user)


def version_of(store, action_id):
    ups = store.read("action_updates")
    return int(ups.loc[ups["action_id"] == action_id, "version"].max())


def walk(component):
    """Every component in a tree (or list of trees)."""
    if isinstance(component, list | tuple):
        for item in component:
            yield from walk(item)
    elif hasattr(component, "to_plotly_json"):
        yield component
        yield from walk(getattr(component, "children", None))


class TestGrid:
    def test_anonymous_rows_hold_no_restricted_action(self, page, dataset):
        rows, count, href, agencies = grid(page)
        ids = {r["action_id"] for r in rows}
        public = set(dataset.actions.loc[dataset.actions["classification"] == "public", "action_id"])
        assert ids == public
        text = to_json([rows, count, href, agencies])
        assert not [t for t in restricted_titles(dataset) if t in text]

    def test_signed_in_rows_include_restricted_ones_marked(self, page, dataset):
        rows, count, *_ = grid(page, user="viewer")
        assert len(rows) == len(dataset.actions)
        a007 = next(r for r in rows if r["action_id"] == "A007")
        assert a007["title"].endswith("(restricted)")
        assert count.startswith(f"Showing {len(dataset.actions)} of {len(dataset.actions)} actions")

    def test_filters_narrow_the_rows_and_the_csv_link(self, page):
        rows, _, href, _ = grid(page, priority="domestic-abuse", statuses=["amber", "red"])
        assert rows and {r["priority"] for r in rows} == {"Domestic Abuse"}
        assert {r["status"] for r in rows} <= {"amber", "red"}
        assert href == "/api/actions.csv?priority=domestic-abuse&status=amber&status=red"

    def test_the_district_from_the_url_keeps_county_wide_actions(self, page, dataset):
        rows, *_ = grid(page, district="maidstone", user="admin")
        areas = dataset.actions.set_index("action_id")["areas"]
        assert all(areas[r["action_id"]] == "all" or "maidstone" in areas[r["action_id"]] for r in rows)
        assert {"A003", "A024", "A001"} <= {r["action_id"] for r in rows}
        assert "A035" not in {r["action_id"] for r in rows}

    def test_overdue_due_dates_and_agency(self, page):
        rows, *_ = grid(page, overdue=["1"], due_to="2025-06-30", agency="Kent Police")
        assert all(r["overdue"] and r["due"] <= "2025-06-30" and r["lead_agency"] == "Kent Police" for r in rows)
        assert all("overdue" in r["due_label"] for r in rows)

    def test_brag_is_shape_and_word_and_a_class(self, page):
        rows, *_ = grid(page, statuses=["red"])
        assert rows and all(r["status_label"] == "\u25a0 Red" for r in rows)
        status_column = next(c for c in page.actions_grid("g", rows).columnDefs if c["headerName"] == "Status")
        assert status_column["cellClassRules"]["brag-red"] == "params.data.status === 'red'"

    def test_no_match_says_so(self, page):
        rows, count, *_ = grid(page, priority="road-safety", theme="not-a-theme")
        assert rows == [] and count == "No actions match these filters."


class TestDetail:
    def test_history_lists_every_update_newest_first(self, page, dataset):
        out = detail(page, "A008")
        title, history, target = out[0], out[3], out[5]
        versions = [int(item.to_plotly_json()["props"]["data-version"]) for item in history.children]
        assert versions == sorted(dataset.history("A008")["version"], reverse=True)
        assert title.startswith("A008: ")
        assert target == {"action_id": "A008", "version": versions[0]}

    def test_anonymous_visitors_cannot_open_a_restricted_action(self, page, dataset):
        out = detail(page, "A007")
        assert out[0] == "That action is not available."
        assert out[4] is True and out[5] is None
        assert not [t for t in restricted_titles(dataset) if t in to_json(out)]

    @pytest.mark.parametrize(("user", "action_id", "can"), [
        ("da-lead", "A008", True), ("da-lead", "A007", True), ("admin", "A031", True),
        ("da-lead", "A031", False), ("viewer", "A008", False), (None, "A008", False),
    ])
    def test_the_form_only_for_the_priority_lead_or_an_admin(self, page, user, action_id, can):
        out = detail(page, action_id, user=user)
        assert out[4] is (not can)

    def test_a_refresh_keeps_what_the_user_typed(self, page):
        out = detail(page, "A008", user="da-lead", triggered="actions-refresh.data",
                     shown={"action_id": "A008", "version": 1})
        assert out[6:] == (no_update, no_update, no_update)


class TestSaveUpdate:
    def test_saves_then_history_grid_and_changes_show_it_as_text(self, page, writable_store):
        seen = version_of(writable_store, "A008")
        message, refresh, progress = run(page.save_update, "update-submit.n_clicks", 1, "red", SCRIPT,
                                         {"action_id": "A008", "version": seen}, 0, user="da-lead")
        assert "Saved as update" in to_json(message) and refresh == 1 and progress == ""
        assert version_of(writable_store, "A008") == seen + 1

        out = detail(page, "A008", user="da-lead", triggered="actions-refresh.data",
                     shown={"action_id": "A008", "version": seen})
        newest = out[3].children[0]
        paragraphs = [c for c in walk(newest) if c.to_plotly_json().get("type") == "P"]
        assert paragraphs[0].children == SCRIPT
        assert "da-lead" in to_json(newest)
        assert out[5]["version"] == seen + 1
        kinds = {c.to_plotly_json().get("type") for c in walk(out)}
        assert "Markdown" not in kinds
        assert "dangerously_allow_html" not in to_json(out) and "dangerouslySetInnerHTML" not in to_json(out)

        rows, *_ = grid(page, user="da-lead")
        assert next(r for r in rows if r["action_id"] == "A008")["status_label"] == "\u25a0 Red"
        changes = run(page.show_changes, "changes-meeting.value", "kcsp-2026-11-19", None, 1)
        assert '"data-action":"A008"' in to_json(changes)

    def test_a_stale_version_says_someone_else_updated_first_and_keeps_the_text(self, page, writable_store):
        seen = version_of(writable_store, "A009")
        run(page.save_update, "update-submit.n_clicks", 1, "green", "First.", {"action_id": "A009", "version": seen},
            0, user="admin")
        message, refresh, progress = run(page.save_update, "update-submit.n_clicks", 1, "red", "Second.",
                                         {"action_id": "A009", "version": seen}, 3, user="da-lead")
        assert "Someone else updated this action first" in to_json(message)
        assert "admin" in to_json(message)
        assert refresh == 4 and progress is no_update
        assert version_of(writable_store, "A009") == seen + 1

    @pytest.mark.parametrize(("user", "status", "text", "expected"), [
        (None, "red", "x", "sign in"),
        ("viewer", "red", "x", "may not update"),
        ("da-lead", "red", "   ", "Progress: must not be empty"),
        ("da-lead", None, "x", "Status: must be one of"),
        ("da-lead", "red", "x" * 2100, "is 2,100 characters long: at most 2,000 can be saved"),
    ])
    def test_refusals_are_explained_and_nothing_is_stored(self, page, writable_store, user, status, text, expected):
        before = len(writable_store.read("action_updates"))
        message, refresh, _ = run(page.save_update, "update-submit.n_clicks", 1, status, text,
                                  {"action_id": "A008", "version": version_of(writable_store, "A008")}, 0, user=user)
        assert expected in to_json(message) and refresh is no_update
        assert len(writable_store.read("action_updates")) == before


class TestChanges:
    def test_restricted_changes_only_for_signed_in_users(self, page, writable_store, dataset):
        from kcsp.updates import append_update
        from kcsp.users import User

        append_update(writable_store, User("admin", "admin", ()), "A007", "red", "Restricted news.",
                      version_of(writable_store, "A007"))
        anonymous = to_json(run(page.show_changes, "changes-meeting.value", "kcsp-2026-11-19", None, 0))
        assert '"data-action":"A007"' not in anonymous
        assert not [t for t in restricted_titles(dataset) if t in anonymous]
        signed_in = to_json(run(page.show_changes, "changes-meeting.value", "kcsp-2026-11-19", None, 0, user="viewer"))
        assert '"data-action":"A007"' in signed_in

    def test_the_district_filter_applies(self, page, writable_store):
        from kcsp.updates import append_update
        from kcsp.users import User

        append_update(writable_store, User("admin", "admin", ()), "A035", "red", "Thanet and Canterbury only.",
                      version_of(writable_store, "A035"))
        assert '"data-action":"A035"' in to_json(run(page.show_changes, "x", "kcsp-2026-11-19", "thanet", 0))
        assert '"data-action":"A035"' not in to_json(run(page.show_changes, "x", "kcsp-2026-11-19", "dover", 0))

    def test_an_unknown_meeting_asks_for_one(self, page):
        assert "Choose a meeting" in to_json(run(page.show_changes, "x", "no-such-meeting", None, 0))


def test_the_layout_holds_no_action_data(page, dataset):
    """Dash sends every page's default layout to every visitor, so it must not carry actions."""
    text = to_json(page.layout())
    assert not [t for t in dataset.actions["title"] if t in text]
    assert "kcsp-2026-11-19" in text


def plan_save(page, mode, user, *, priority="domestic-abuse", title="Run a pilot.", due="2027-03-31", refresh=0,
              areas=("all",)):
    return run(page.save_plan, "plan-save.n_clicks", 1, mode, priority, title, "KCC", "Lead, KCC", [], list(areas),
               "2026-04-01", due, "public", None, "", refresh, user=user)


class TestPlanForm:
    def test_a_lead_proposes_and_an_admin_creates_and_both_show_in_the_grid(self, page, writable_store):
        message, refresh, hidden, mode = plan_save(page, {"mode": "create"}, "da-lead", title="Lead's idea.")
        assert "Proposed as" in to_json(message) and refresh == 1 and hidden is True and mode is None
        message, *_ = plan_save(page, {"mode": "create"}, "admin", title="Admin's action.")
        assert "Created" in to_json(message)
        titles = {r["title"] for r in grid(page)[0]}
        assert {"Lead's idea. (proposed)", "Admin's action."} <= titles

    @pytest.mark.parametrize(("user", "new_hidden", "label", "edit_hidden"), [
        (None, True, "New action", True), ("viewer", True, "New action", True),
        ("da-lead", False, "Propose an action", True), ("admin", False, "New action", False),
    ])
    def test_the_buttons_follow_the_role(self, page, user, new_hidden, label, edit_hidden):
        out = run(page.plan_controls, "actions-grid.selectedRows", [{"action_id": "A008"}], 0, user=user)
        assert out[:3] == (new_hidden, label, edit_hidden)

    def test_the_edit_form_is_filled_and_a_stale_save_is_explained(self, page, writable_store):
        out = run(page.open_plan_form, "plan-edit.n_clicks", None, 1, None, [{"action_id": "A008"}], "", user="admin")
        hidden, mode, heading = out[:3]
        assert hidden is False and mode == {"mode": "edit", "action_id": "A008", "revision": 0}
        assert heading == "Edit A008"
        message, *_ = plan_save(page, mode, "admin", due="2027-06-30")
        assert "Saved A008 as change 1" in to_json(message)
        message, refresh, hidden, _ = plan_save(page, mode, "admin", due="2027-09-30", refresh=4)
        assert "Someone else changed this action first" in to_json(message) and refresh == 5
        assert hidden is no_update

    def test_a_bad_field_is_named_and_nothing_is_stored(self, page, writable_store):
        before = writable_store.path("actions").read_bytes()
        message, refresh, *_ = plan_save(page, {"mode": "create"}, "admin", title="  ")
        assert "Action: must not be empty" in to_json(message) and refresh is no_update
        assert writable_store.path("actions").read_bytes() == before

    def test_the_whole_county_and_districts_together_are_refused_and_districts_alone_kept(self, page,
                                                                                          writable_store):
        before = writable_store.path("actions").read_bytes()
        message, refresh, *_ = plan_save(page, {"mode": "create"}, "admin", areas=("all", "thanet", "maidstone"))
        assert "either the whole county or particular districts, not both" in to_json(message)
        assert refresh is no_update and writable_store.path("actions").read_bytes() == before
        message, *_ = plan_save(page, {"mode": "create"}, "admin", areas=("thanet", "maidstone"), title="Local.")
        assert "Created" in to_json(message)
        saved = writable_store.read("actions")
        assert saved.loc[saved["title"] == "Local.", "areas"].tolist() == ["thanet;maidstone"]

    def test_an_update_made_on_a_meeting_day_counts_as_since_on_actions_and_on_meeting(self, page, writable_store):
        import pandas as pd

        from kcsp import meetings, runtime
        from kcsp.updates import append_update
        from kcsp.users import User

        day = pd.Timestamp("2026-11-19")
        append_update(writable_store, User("admin", "admin", ()), "A008", "red", "On the day.",
                      version_of(writable_store, "A008"), now=day + pd.Timedelta(hours=15))
        ds = runtime.dataset()
        on_actions = ds.changes_since(day, include_restricted=False)
        on_meeting = meetings.action_moves(ds, day, ds.today, include_restricted=False)
        assert "A008" in set(on_actions["action_id"]) and "A008" in set(on_meeting["action_id"])
        for frame in (on_actions, on_meeting):
            row = frame.set_index("action_id").loc["A008"]
            assert row["status_now"] == "red" and row["move"] != "no change"


class TestCalendar:
    def test_an_admin_adds_moves_and_cancels_and_the_lists_follow(self, page, writable_store):
        import pandas as pd

        day = f"{pd.Timestamp.today() - pd.Timedelta(days=1):%Y-%m-%d}"
        hidden, _, held = run(page.calendar_controls, "actions-refresh.data", 0, user="admin")
        assert hidden is False
        message, refresh = run(page.change_calendar, "calendar-add.n_clicks", 1, None, None, "kcsp", day,
                               None, None, 0, user="admin")
        when = pd.Timestamp(day)
        assert f"Added Kent Community Safety Partnership, {when.day} {when:%B %Y} to the calendar" in to_json(message)
        assert f"kcsp-{day}" not in to_json(message) and refresh == 1
        _, every, held_now = run(page.calendar_controls, "actions-refresh.data", 1, user="admin")
        assert held_now[0]["value"] == f"kcsp-{day}" and held_now[1:] == held
        assert f"kcsp-{day}" in {m["value"] for m in every}
        run(page.change_calendar, "calendar-cancel.n_clicks", None, None, 1, None, None, f"kcsp-{day}", None, 1,
            user="admin")
        assert run(page.calendar_controls, "actions-refresh.data", 2, user="admin")[2] == held

    def test_only_admins_see_and_use_it(self, page, writable_store):
        assert run(page.calendar_controls, "actions-refresh.data", 0, user="da-lead")[0] is True
        message, refresh = run(page.change_calendar, "calendar-add.n_clicks", 1, None, None, "kcsp", "2026-11-25",
                               None, None, 0, user="da-lead")
        assert "may not change the meeting calendar" in to_json(message) and refresh is no_update
