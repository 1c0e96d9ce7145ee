"""The whole action plan: a filterable grid, each action's history and update form, the form that
creates, proposes and edits actions (through kcsp.plan, as the JSON API does), and what changed
since a meeting.

The layout holds no action data: the grid, the history and the changes are filled by callbacks,
which look up the signed-in user on every call, so restricted actions only ever reach signed-in
users. A filter's value that is not what its control sends (a number for a text, a text for a list)
is no filter.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from components.action_changes import changes_list
from components.action_form import (
    ALL_AREAS,
    FIELD_LABELS,
    STATE_LABELS,
    action_form,
    calendar_form,
    plan_changes_list,
)
from components.action_history import action_facts, history_timeline
from components.actions_grid import actions_grid, grid_rows
from components.brag import legend, status_badge
from components.palette import BRAG
from kcsp import access, plan, runtime
from kcsp.actions import ActionFilter
from kcsp.schema import STATUSES
from kcsp.updates import MAX_PROGRESS, Conflict, Invalid, UpdateError, append_update
from kcsp.urlstate import from_params
from kcsp.vocabulary import STATUS_ORDER
from web.answers import reads_only
from web.auth import request_user

dash.register_page(__name__, path="/actions", title=runtime.page_title("Action plan"), name="Action plan")

GRID = "actions-grid"
DISTRICT = "actions-district"
REFRESH = "actions-refresh"
F_PRIORITY, F_STATUS, F_AGENCY, F_THEME = "actions-priority", "actions-status", "actions-agency", "actions-theme"
F_DUE_FROM, F_DUE_TO, F_OVERDUE = "actions-due-from", "actions-due-to", "actions-overdue"
FILTERS = (F_PRIORITY, F_STATUS, F_AGENCY, F_THEME, F_DUE_FROM, F_DUE_TO, F_OVERDUE)
"""The grid's filters, in the order the callbacks that read them take them."""
ALL_PRIORITIES = {"label": "All priorities", "value": ""}
ALL_AGENCIES = {"label": "All agencies", "value": ""}
ALL_THEMES = {"label": "All themes", "value": ""}
COUNT, CSV = "actions-count", "actions-csv"
DETAIL_TITLE, FACTS, HISTORY, ACCESS = "action-title", "action-facts", "action-history", "action-access"
FORM, FORM_STATUS, FORM_PROGRESS = "update-form", "update-status", "update-progress"
FORM_TARGET, FORM_SUBMIT, FORM_MESSAGE = "update-target", "update-submit", "update-message"
FORM_COUNT = "update-count"
MEETING, CHANGES = "changes-meeting", "changes-list"
PLAN = {key: f"plan-{key.replace('_', '-')}" for key in (
    "heading", "priority", "title", "agency", "owner", "themes", "areas", "start", "due", "classification",
    "state", "reason", "state_box", "save", "cancel", "form")}
PLAN_NEW, PLAN_EDIT, PLAN_MODE, PLAN_MESSAGE = "plan-new", "plan-edit", "plan-mode", "plan-message"
PLAN_HISTORY, PLAN_FOCUS = "plan-history", "plan-focus"
CALENDAR = {key: f"calendar-{key.replace('_', '-')}" for key in (
    "box", "body", "date", "add", "meeting", "new_date", "move", "cancel", "message")}
PICK_ACTION = "Select an action in the table (click it, or press Space on it) to see its history."


def _names(ds) -> tuple[dict, dict, dict]:
    priorities = dict(zip(ds.priorities["priority_id"], ds.priorities["name"], strict=True))
    themes = dict(zip(ds.themes["theme_id"], ds.themes["name"], strict=True))
    areas = dict(zip(ds.areas["area_slug"], ds.areas["area_name"], strict=True)) | {"all": ds.register.all_areas_label}
    return priorities, themes, areas


def _text(value: object) -> str | None:
    """A control's value as the text it should be (a number, a list or an empty text is none)."""
    return value if isinstance(value, str) and value else None


def _texts(value: object) -> list[str]:
    """A checklist's value as the list of texts it should be (anything else is an empty list)."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _date(value: object) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(value) if _text(value) else None
    except (ValueError, OverflowError):
        return None


def _select(label: str, control) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control.id, className="form-label mb-0"), control],
                    className="actions-filter")


def _chosen(ds, params: dict, agencies: list[str]) -> dict:
    """The filters given in the query string (as /api/actions.csv takes them); unknown values are dropped."""
    def first(key):
        value = params.get(key)
        value = value[0] if isinstance(value, list) and value else value
        return value if isinstance(value, str) else ""

    statuses = params.get("status") or []
    statuses = [statuses] if isinstance(statuses, str) else statuses
    return {
        "priority": first("priority") if first("priority") in set(ds.priorities["priority_id"]) else "",
        "status": [s for s in STATUS_ORDER if s in statuses],
        "lead_agency": first("lead_agency") if first("lead_agency") in agencies else "",
        "theme": first("theme") if first("theme") in set(ds.themes["theme_id"]) else "",
        "due_from": first("due_from") if _date(first("due_from")) is not None else None,
        "due_to": first("due_to") if _date(first("due_to")) is not None else None,
        "overdue": ["1"] if first("overdue") == "1" else [],
    }


def _filters(ds, chosen: dict, agencies: list[str]) -> html.Section:
    priorities = [{"label": p.name, "value": p.priority_id} for p in ds.priorities.itertuples()]
    statuses = [{"label": f"{BRAG[s].shape} {BRAG[s].label}", "value": s} for s in STATUS_ORDER]
    themes = [{"label": t.name, "value": t.theme_id} for t in ds.themes.itertuples()]
    return html.Section([
        _select("Priority", dbc.Select(id=F_PRIORITY, options=[ALL_PRIORITIES, *priorities],
                                       value=chosen["priority"])),
        _select("Lead agency", dbc.Select(id=F_AGENCY, options=[ALL_AGENCIES, *({"label": a, "value": a}
                                                                                 for a in agencies)],
                                          value=chosen["lead_agency"])),
        _select("Cross-cutting theme", dbc.Select(id=F_THEME, options=[ALL_THEMES, *themes], value=chosen["theme"])),
        _select("Due from", dcc.Input(id=F_DUE_FROM, type="date", className="form-control", debounce=True,
                                      value=chosen["due_from"])),
        _select("Due by", dcc.Input(id=F_DUE_TO, type="date", className="form-control", debounce=True,
                                    value=chosen["due_to"])),
        html.Div(dbc.Checklist(id=F_OVERDUE, options=[{"label": "Only overdue actions", "value": "1"}],
                               value=chosen["overdue"]), className="actions-filter align-self-end"),
        html.Fieldset([
            html.Legend("Status", className="form-label fs-6 mb-0"),
            dbc.Checklist(id=F_STATUS, options=statuses, value=chosen["status"], inline=True),
        ], className="actions-filter"),
    ], className="actions-filters d-flex flex-wrap gap-3 mb-2", **{"aria-label": "Filter the actions"})


def _update_form() -> html.Div:
    options = [{"label": html.Span(status_badge(s), className="me-3"), "value": s}
               for s in STATUS_ORDER]
    return html.Div([
        html.H3("Add an update", className="h6 mt-3"),
        html.Fieldset([
            html.Legend("Status", className="form-label fs-6 mb-1"),
            dbc.RadioItems(id=FORM_STATUS, options=options, inline=True),
        ], className="mb-2"),
        html.Label("Progress since the last update", htmlFor=FORM_PROGRESS, className="form-label mb-1"),
        dcc.Textarea(id=FORM_PROGRESS, className="form-control", rows=4,
                     placeholder="What has been done, what is next, any risk to delivery"),
        html.Div(f"Up to {MAX_PROGRESS:,} characters. Updates are added to the history; earlier ones are kept.",
                 className="form-text", id=FORM_COUNT, role="status", **{"data-limit": str(MAX_PROGRESS)}),
        dcc.Store(id=FORM_TARGET),
        html.Button("Save update", id=FORM_SUBMIT, type="button", className="btn btn-primary mt-2"),
    ], id=FORM, hidden=True, className="update-form")


def layout(**params):
    ds = runtime.dataset()
    state = from_params(params, set(ds.districts()["area_slug"]))
    last = ds.last_meeting()
    meetings = [{"label": m.name, "value": m.meeting_id} for m in ds.past_meetings().itertuples()]
    where = f" in {ds.area_name(ds.area_code_for_slug(state.district))} and county-wide" if state.district else ""
    visible = ds.action_status(include_restricted=access.sees_restricted(request_user()))
    agencies = sorted(visible["lead_agency"].unique())
    return html.Div([
        dcc.Store(id=DISTRICT, data=state.district),
        dcc.Store(id=REFRESH, data=0),
        html.H1("Community Safety Agreement action plan", className="h3"),
        html.P(f"Every action{where}, with its latest BRAG status. Sort by any column; select an action to see its "
               "history. Progress updates are illustrative in the demonstration store, apart from those "
               "added here.", className="lead-text"),
        _filters(ds, _chosen(ds, params, agencies), agencies),
        legend(),
        html.Div([
            html.P(id=COUNT, className="mb-0", role="status"),
            html.A("Download these actions as CSV", id=CSV, href="/api/actions.csv", download="actions.csv",
                   className="csv-link mt-0"),
            html.Button("New action", id=PLAN_NEW, type="button", hidden=True,
                        className="btn btn-outline-primary btn-sm"),
        ], className="d-flex flex-wrap gap-3 align-items-baseline"),
        html.Div(actions_grid(GRID, []), className="actions-grid-wrap"),
        html.Section([
            html.H2(PICK_ACTION, id=DETAIL_TITLE, className="h5"),
            html.Div(id=FACTS),
            html.P(id=ACCESS, className="small"),
            html.Button("Edit this action", id=PLAN_EDIT, type="button", hidden=True,
                        className="btn btn-outline-primary btn-sm"),
            dcc.Store(id=PLAN_MODE),
            dcc.Store(id=PLAN_FOCUS),
            action_form(PLAN, priorities=list(zip(ds.current_priorities["priority_id"],
                                                  ds.current_priorities["name"], strict=True)),
                        themes=list(zip(ds.themes["theme_id"], ds.themes["name"], strict=True)),
                        districts=list(zip(ds.districts()["area_slug"], ds.districts()["area_name"], strict=True)),
                        all_label=ds.register.all_areas_label),
            html.Div(id=PLAN_MESSAGE, role="status", **{"aria-live": "polite"}),
            _update_form(),
            html.Div(id=FORM_MESSAGE, role="status", **{"aria-live": "polite"}),
            html.H3("History of updates", className="h6 mt-3"),
            html.Div(id=HISTORY),
            html.H3("Changes to the plan entry", className="h6 mt-3"),
            html.Div(id=PLAN_HISTORY),
        ], className="action-detail mt-3", id="action-detail", **{"aria-label": "Selected action"}),
        html.Section([
            html.H2("Since the last meeting", className="h4 mt-4"),
            html.P("Actions whose status moved since the meeting you choose, new actions, and actions that "
                   "became overdue.", className="mb-1"),
            html.Div(_select("Meeting", dbc.Select(id=MEETING, options=meetings,
                                                   value=None if last is None else last["meeting_id"])),
                     className="meeting-choice"),
            html.Div(id=CHANGES, className="mt-2"),
            calendar_form(CALENDAR, bodies=list(plan.body_names(ds.tables["bodies"]).items())),
        ], className="since-meeting", **{"aria-label": "Since the last meeting"}),
    ])


@callback(
    Output(GRID, "rowData"),
    Output(COUNT, "children"),
    Output(CSV, "href"),
    Output(F_AGENCY, "options"),
    Input(DISTRICT, "data"),
    *(Input(f, "value") for f in FILTERS),
    Input(REFRESH, "data"),
)
@reads_only
def show_actions(district, priority, statuses, agency, theme, due_from, due_to, overdue, _refresh):
    """The grid rows, a count and the CSV link for the filters, as this user may see them."""
    ds = runtime.dataset()
    visible = ds.action_status(include_restricted=access.sees_restricted(request_user()))
    chosen = ActionFilter(priority=_text(priority), statuses=tuple(s for s in _texts(statuses) if s in STATUSES),
                          lead_agency=_text(agency), theme=_text(theme), district=_text(district),
                          due_from=_date(due_from), due_to=_date(due_to), overdue_only="1" in _texts(overdue))
    shown = chosen.apply(visible)
    priority_names, theme_names, area_names = _names(ds)
    rows = grid_rows(shown, priority_names=priority_names, theme_names=theme_names, area_names=area_names)
    overdue_count = int(shown["overdue"].sum())
    count = (f"Showing {len(shown)} of {len(visible)} actions; {overdue_count} overdue." if len(shown)
             else "No actions match these filters.")
    agencies = [ALL_AGENCIES, *({"label": a, "value": a} for a in sorted(visible["lead_agency"].unique()))]
    return rows, count, "/api/actions.csv" + chosen.query(), agencies


def _selected_id(selected) -> str | None:
    if isinstance(selected, list) and selected and isinstance(selected[0], dict):
        value = selected[0].get("action_id")
        return value if isinstance(value, str) else None
    return None


@callback(
    Output(DETAIL_TITLE, "children"),
    Output(FACTS, "children"),
    Output(ACCESS, "children"),
    Output(HISTORY, "children"),
    Output(FORM, "hidden"),
    Output(FORM_TARGET, "data"),
    Output(FORM_STATUS, "value"),
    Output(FORM_PROGRESS, "value"),
    Output(FORM_MESSAGE, "children"),
    Input(GRID, "selectedRows"),
    Input(REFRESH, "data"),
    State(FORM_TARGET, "data"),
)
@reads_only
def show_action(selected, _refresh, shown):
    """The selected action's facts, full history and (for its lead or an admin) the update form."""
    action_id = _selected_id(selected)
    user = request_user()
    ds = runtime.dataset()
    action = ds.action(action_id, include_restricted=access.sees_restricted(user)) if action_id else None
    if action is None:
        message = PICK_ACTION if action_id is None else "That action is not available."
        return message, None, None, None, True, None, None, "", None
    priority_names, theme_names, area_names = _names(ds)
    facts = action_facts(action, priority_name=priority_names.get(action["priority_id"], action["priority_id"]),
                         theme_names=theme_names, area_names=area_names)
    can_update = access.can(user, access.UPDATE_ACTION, action=action)
    if can_update:
        as_who = "an administrator" if access.scope(user, access.UPDATE_ACTION) == access.ALL else "its lead"
        may = f"You can update this action as {as_who}."
    elif user is None:
        may = ["Priority leads can ", html.A("sign in", href="/login?next=/actions"), " to update their actions."]
    else:
        may = "Only this priority's lead or an administrator can update this action."
    target = {"action_id": action["action_id"], "version": int(action["version"])}
    fresh = ctx.triggered_id != REFRESH and (not isinstance(shown, dict) or shown.get("action_id") != action_id)
    return (
        f"{action['action_id']}: {action['title']}", facts, may, history_timeline(ds.history(action["action_id"])),
        not can_update, target,
        action["status"] if fresh else no_update,
        "" if fresh else no_update,
        None if fresh else no_update,
    )


@callback(
    Output(FORM_MESSAGE, "children", allow_duplicate=True),
    Output(REFRESH, "data"),
    Output(FORM_PROGRESS, "value", allow_duplicate=True),
    Input(FORM_SUBMIT, "n_clicks"),
    State(FORM_STATUS, "value"),
    State(FORM_PROGRESS, "value"),
    State(FORM_TARGET, "data"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def save_update(_clicks, status, progress, target, refresh):
    """Append the update through the one service function; a stale version is refused and explained."""
    if not isinstance(target, dict):
        return "Select an action first.", no_update, no_update
    user = request_user()
    try:
        appended = append_update(runtime.store(), user, target.get("action_id"), status, progress,
                                 target.get("version"))
    except Conflict as err:
        latest = err.latest or {}
        who = latest.get("updated_by", "someone else")
        seen = BRAG.get(latest.get("status", ""), BRAG["not-started"]).label
        return html.Div([
            html.Strong("Someone else updated this action first. "),
            f"{who} set it to {seen} (update {err.current_version}); their update is now at the top of the "
            "history below. Your text has been kept: check it against theirs and save again if it still applies.",
        ], className="alert alert-warning", id="update-conflict"), (refresh or 0) + 1, no_update
    except Invalid as err:
        labels = {"status": "Status", "progress": "Progress", "action_id": "Action", "expected_version": "Version"}
        return html.Div([html.Strong("The update was not saved. "),
                         html.Ul([html.Li(f"{labels.get(f, f)}: {why}") for f, why in err.problems.items()])],
                        className="alert alert-danger"), no_update, no_update
    except UpdateError as err:
        return html.Div(["The update was not saved: ", err.message, "."], className="alert alert-danger"), \
            no_update, no_update
    return html.Div(f"Saved as update {appended.version} ({appended.update_id}).", className="alert alert-success",
                    id="update-saved"), (refresh or 0) + 1, ""


@callback(
    Output(CHANGES, "children"),
    Input(MEETING, "value"),
    Input(DISTRICT, "data"),
    Input(REFRESH, "data"),
)
@reads_only
def show_changes(meeting_id, district, _refresh):
    """What moved between the chosen meeting and now, for the actions this user may see."""
    ds = runtime.dataset()
    meeting = ds.meetings[ds.meetings["meeting_id"] == _text(meeting_id)]
    if meeting.empty:
        return html.P("Choose a meeting to see what has changed since.")
    include = access.sees_restricted(request_user())
    changes = ds.changes_since(meeting.iloc[0]["date"], include_restricted=include)
    in_scope = ActionFilter(district=_text(district)).apply(ds.action_status(include_restricted=include))
    changes = changes[changes["action_id"].isin(in_scope["action_id"])]
    priority_names, _, _ = _names(ds)
    return changes_list(changes, priority_names=priority_names,
                        caption=f"Actions that changed since {meeting.iloc[0]['name']}")


def _new_label(user) -> str:
    """'Propose an action' for those who may only propose (leads), else 'New action'."""
    proposes = access.can(user, access.EDIT_PLAN) and not access.can(user, access.RUN_PLAN)
    return "Propose an action" if proposes else "New action"


def _may_edit(user, action) -> bool:
    """Admins edit any action; a lead edits their own priority's proposals (kcsp.plan decides again on save)."""
    if action is None:
        return False
    return access.can(user, access.RUN_PLAN) or (access.can(user, access.EDIT_PLAN, action=action)
                                                 and action["state"] == "proposed")


@callback(
    Output(PLAN_NEW, "hidden"),
    Output(PLAN_NEW, "children"),
    Output(PLAN_EDIT, "hidden"),
    Output(PLAN_HISTORY, "children"),
    Input(GRID, "selectedRows"),
    Input(REFRESH, "data"),
)
def plan_controls(selected, _refresh):
    """Who may add or edit actions sees the buttons; the selected action's plan changes are listed."""
    user = request_user()
    can_add = access.can(user, access.EDIT_PLAN)
    label = _new_label(user)
    action_id = _selected_id(selected)
    ds = runtime.dataset()
    action = ds.action(action_id, include_restricted=access.sees_restricted(user)) if action_id else None
    history = plan_changes_list(ds.plan_history(action_id)) if action is not None else None
    return not can_add, label, not _may_edit(user, action), history


FORM_FIELDS = ("priority", "title", "agency", "owner", "themes", "areas", "start", "due", "classification",
               "state", "reason")
SERVICE_FIELDS = {"priority": "priority_id", "title": "title", "agency": "lead_agency", "owner": "owner_role",
                  "themes": "themes", "areas": "areas", "start": "start", "due": "due",
                  "classification": "classification", "state": "state"}


@callback(
    Output(PLAN["form"], "hidden"),
    Output(PLAN_MODE, "data"),
    Output(PLAN["heading"], "children"),
    Output(PLAN["state_box"], "hidden"),
    *(Output(PLAN[f], "value") for f in FORM_FIELDS),
    Output(PLAN_MESSAGE, "children", allow_duplicate=True),
    Input(PLAN_NEW, "n_clicks"),
    Input(PLAN_EDIT, "n_clicks"),
    Input(PLAN["cancel"], "n_clicks"),
    State(GRID, "selectedRows"),
    State(F_PRIORITY, "value"),
    prevent_initial_call=True,
)
def open_plan_form(_new, _edit, _cancel, selected, priority):
    """Open the form empty (new action) or filled with the selected action (edit); Cancel closes it."""
    user = request_user()
    keep = [no_update] * len(FORM_FIELDS)
    if ctx.triggered_id == PLAN["cancel"] or user is None:
        return True, None, no_update, True, *keep, None
    if ctx.triggered_id == PLAN_NEW:
        own = [p for p in user.priorities if p] if access.scope(user, access.EDIT_PLAN) == access.OWN else []
        chosen = _text(priority) or (own[0] if own else None)
        heading = _new_label(user)
        return (False, {"mode": "create"}, heading, True, chosen, "", "", "", [], [ALL_AREAS], None, None,
                access.PUBLIC, None, "", None)
    ds = runtime.dataset()
    action_id = _selected_id(selected)
    action = ds.action(action_id, include_restricted=True) if action_id else None
    if not _may_edit(user, action):
        return True, None, no_update, True, *keep, "Select an action you may edit first."
    text = plan.action_text(action)
    return (False, {"mode": "edit", "action_id": action_id, "revision": int(action["revision"])},
            f"Edit {action_id}", not access.can(user, access.RUN_PLAN), text["priority_id"], text["title"],
            text["lead_agency"], text["owner_role"], [t for t in text["themes"].split(";") if t],
            text["areas"].split(";"), text["start"], text["due"], text["classification"],
            text["state"] if text["state"] in ("open", "closed", "withdrawn") else None, "", None)


def _problems(err: Invalid) -> html.Div:
    return html.Div([html.Strong("Not saved. "),
                     html.Ul([html.Li(f"{FIELD_LABELS.get(f, f)}: {why}") for f, why in err.problems.items()])],
                    className="alert alert-danger", id="plan-invalid")


@callback(
    Output(PLAN_MESSAGE, "children"),
    Output(REFRESH, "data", allow_duplicate=True),
    Output(PLAN["form"], "hidden", allow_duplicate=True),
    Output(PLAN_MODE, "data", allow_duplicate=True),
    Input(PLAN["save"], "n_clicks"),
    State(PLAN_MODE, "data"),
    *(State(PLAN[f], "value") for f in FORM_FIELDS),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def save_plan(_clicks, mode, *values):
    """Create, propose or edit through kcsp.plan; only the fields that changed are sent for an edit."""
    *fields, refresh = values
    given = dict(zip(FORM_FIELDS, fields, strict=True))
    if not isinstance(mode, dict) or mode.get("mode") not in ("create", "edit"):
        return "Choose New action, or select an action and Edit it, first.", no_update, no_update, no_update
    user = request_user()
    sent = {SERVICE_FIELDS[k]: v for k, v in given.items() if k in SERVICE_FIELDS and v is not None}
    sent["areas"] = sent.get("areas") or []
    try:
        if mode["mode"] == "create":
            sent.pop("state", None)
            saved = plan.create_action(runtime.store(), user, sent)
            text = (f"Created {saved.action_id}." if saved.state == "open"
                    else f"Proposed as {saved.action_id}: an administrator will review it.")
        else:
            action = runtime.dataset().action(mode.get("action_id"), include_restricted=True)
            current = {} if action is None else plan.action_text(action)
            if isinstance(sent.get("areas"), list):
                sent["areas"] = ";".join(sent["areas"])
            if isinstance(sent.get("themes"), list):
                sent["themes"] = ";".join(sent["themes"])
            changed = {k: v for k, v in sent.items() if current.get(k) != v}
            saved = plan.edit_action(runtime.store(), user, mode.get("action_id"), changed, mode.get("revision"),
                                     given.get("reason") or None)
            text = f"Saved {saved.action_id} as change {saved.revision} ({STATE_LABELS[saved.state]})."
    except Conflict as err:
        return html.Div([html.Strong("Someone else changed this action first. "),
                         f"It is now at change {err.current_version}; the form keeps your values: select the "
                         "action again to see theirs, then edit it."], className="alert alert-warning",
                        id="plan-conflict"), (refresh or 0) + 1, no_update, no_update
    except Invalid as err:
        return _problems(err), no_update, no_update, no_update
    except UpdateError as err:
        return html.Div(["Not saved: ", err.message, "."], className="alert alert-danger"), no_update, no_update, \
            no_update
    return html.Div(text, className="alert alert-success", id="plan-saved"), (refresh or 0) + 1, True, None


clientside_callback(ClientsideFunction(namespace="plan", function_name="focusForm"),
                    Output(PLAN_FOCUS, "data"), Input(PLAN_MODE, "data"), prevent_initial_call=True)


def _meeting_options(ds) -> tuple[list[dict], list[dict]]:
    """Options for the 'since' select (meetings held, latest first) and for the calendar (every meeting)."""
    held = [{"label": m.name, "value": m.meeting_id} for m in ds.past_meetings().itertuples()]
    every = [{"label": m.name, "value": m.meeting_id} for m in ds.meetings.iloc[::-1].itertuples()]
    return held, every


@callback(
    Output(CALENDAR["box"], "hidden"),
    Output(CALENDAR["meeting"], "options"),
    Output(MEETING, "options"),
    Input(REFRESH, "data"),
)
def calendar_controls(_refresh):
    """The calendar controls for administrators, and both meeting lists as the calendar now stands."""
    user = request_user()
    held, every = _meeting_options(runtime.dataset())
    return not access.can(user, access.MANAGE_MEETINGS), every, held


@callback(
    Output(CALENDAR["message"], "children"),
    Output(REFRESH, "data", allow_duplicate=True),
    Input(CALENDAR["add"], "n_clicks"),
    Input(CALENDAR["move"], "n_clicks"),
    Input(CALENDAR["cancel"], "n_clicks"),
    State(CALENDAR["body"], "value"),
    State(CALENDAR["date"], "value"),
    State(CALENDAR["meeting"], "value"),
    State(CALENDAR["new_date"], "value"),
    State(REFRESH, "data"),
    prevent_initial_call=True,
)
def change_calendar(_add, _move, _cancel, body, date, meeting_id, new_date, refresh):
    """Add, move or cancel a meeting through kcsp.plan; "since the last meeting" follows at once."""
    user = request_user()
    try:
        if ctx.triggered_id == CALENDAR["add"]:
            saved = plan.add_meeting(runtime.store(), user, date, body)
            name = plan.body_names(runtime.dataset().tables["bodies"]).get(body, body)
            text = f"Added {plan.meeting_name(name, pd.Timestamp(saved.date))} to the calendar."
        elif ctx.triggered_id == CALENDAR["move"]:
            saved = plan.change_meeting(runtime.store(), user, meeting_id, date=new_date)
            text = f"Moved {saved.meeting_id} to {saved.date}."
        else:
            saved = plan.change_meeting(runtime.store(), user, meeting_id, cancelled=True)
            text = f"Cancelled {saved.meeting_id}; it is kept on record."
    except Invalid as err:
        return _problems(err), no_update
    except UpdateError as err:
        return html.Div(["Not saved: ", err.message, "."], className="alert alert-danger"), no_update
    return html.Div(text, className="alert alert-success", id="calendar-saved"), (refresh or 0) + 1


# The progress box takes any length and counts as you type: over the limit it says by how much, and the
# server refuses it (kcsp.updates.check_fields) rather than the browser cutting it unseen.
clientside_callback(
    ClientsideFunction(namespace="plan", function_name="countCharacters"),
    Output(FORM_COUNT, "children"),
    Input(FORM_PROGRESS, "value"),
    State(FORM_COUNT, "data-limit"),
    prevent_initial_call=True,
)


# Every filter is kept in the address (the names /api/actions.csv takes), so a filtered plan is a link;
# the page reads them back on load. replaceState: the page is not rendered again for it.
clientside_callback(
    """function(priority, statuses, agency, theme, dueFrom, dueTo, overdue) {
        var params = new URLSearchParams(window.location.search);
        ["priority", "status", "lead_agency", "theme", "due_from", "due_to", "overdue"].forEach(
            function (key) { params.delete(key); });
        var set = function (key, value) { if (value) { params.append(key, value); } };
        set("priority", priority);
        (statuses || []).forEach(function (s) { set("status", s); });
        set("lead_agency", agency);
        set("theme", theme);
        set("due_from", dueFrom);
        set("due_to", dueTo);
        set("overdue", (overdue || []).indexOf("1") >= 0 ? "1" : "");
        var query = params.toString();
        var next = window.location.pathname + (query ? "?" + query : "");
        if (window.location.pathname === "/actions" && next !== window.location.pathname + window.location.search) {
            window.history.replaceState(window.history.state, "", next);
        }
        return window.dash_clientside.no_update;
    }""",
    Output(COUNT, "title"),
    *(Input(f, "value") for f in FILTERS),
    prevent_initial_call=True,
)

# The chosen action's detail (and its update form) is brought into view below the grid.
clientside_callback(
    """function(selected) {
        if (selected && selected.length) {
            var detail = document.getElementById("action-detail");
            if (detail) { window.setTimeout(function () { detail.scrollIntoView({block: "start"}); }, 50); }
        }
        return window.dash_clientside.no_update;
    }""",
    Output("action-detail", "title"),
    Input(GRID, "selectedRows"),
    prevent_initial_call=True,
)
