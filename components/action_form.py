"""The form that creates, proposes and edits an action on /actions, and the list of changes made to
an action's plan (who changed what, when, and why). Values typed by people are only placed as text."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

FIELD_LABELS = {"priority_id": "Priority", "title": "Action", "lead_agency": "Lead agency", "owner_role": "Owner",
                "themes": "Themes", "areas": "Areas", "start": "Start", "due": "Due",
                "classification": "Access", "state": "State", "reason": "Reason", "fields": "Changes"}
STATE_LABELS = {"proposed": "Proposed (awaiting an administrator)", "open": "Open (in the plan)",
                "closed": "Closed", "withdrawn": "Withdrawn", "retired": "Retired (no longer in the plan)"}
ALL_AREAS = "all"


def _field(label: str, control, hint: str | None = None) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control.id, className="form-label mb-0"), control,
                     html.Div(hint, className="form-text") if hint else None], className="plan-field mb-2")


def action_form(ids: dict[str, str], *, priorities: Sequence[tuple[str, str]], themes: Sequence[tuple[str, str]],
                districts: Sequence[tuple[str, str]], all_label: str = "All areas") -> html.Div:
    """The create/edit form: `ids` names each control (keys: heading, priority, title, agency, owner,
    themes, areas, start, due, classification, state, reason, save, cancel, form); options are
    (value, label) pairs."""
    area_options = [{"label": f"{all_label} (county-wide)", "value": ALL_AREAS},
                    *({"label": name, "value": slug} for slug, name in districts)]
    return html.Div([
        html.H3("Action", id=ids["heading"], className="h6 mt-3"),
        _field("Priority", dbc.Select(id=ids["priority"], options=[{"label": n, "value": v} for v, n in priorities])),
        _field("Action", dcc.Input(id=ids["title"], type="text", maxLength=300, className="form-control"),
               "What will be done, in one sentence (up to 300 characters)."),
        html.Div([
            _field("Lead agency", dcc.Input(id=ids["agency"], type="text", maxLength=200, className="form-control")),
            _field("Owner (a role)", dcc.Input(id=ids["owner"], type="text", maxLength=200, className="form-control")),
        ], className="d-flex flex-wrap gap-3"),
        html.Fieldset([html.Legend("Cross-cutting themes", className="form-label fs-6 mb-0"),
                       dbc.Checklist(id=ids["themes"], options=[{"label": n, "value": v} for v, n in themes],
                                     value=[], inline=True)], className="mb-2"),
        html.Fieldset([html.Legend("Areas", className="form-label fs-6 mb-0"),
                       dbc.Checklist(id=ids["areas"], options=area_options, value=[ALL_AREAS], inline=True)],
                      className="mb-2"),
        html.Div([
            _field("Start", dcc.Input(id=ids["start"], type="date", className="form-control")),
            _field("Due", dcc.Input(id=ids["due"], type="date", className="form-control")),
            _field("Access", dbc.Select(id=ids["classification"], value="public", options=[
                {"label": "Public", "value": "public"},
                {"label": "Restricted (signed-in users only)", "value": "restricted"}])),
        ], className="d-flex flex-wrap gap-3"),
        html.Div([
            _field("State", dbc.Select(id=ids["state"], options=[
                {"label": STATE_LABELS[s], "value": s} for s in ("open", "closed", "withdrawn")])),
            _field("Reason for the change", dcc.Textarea(id=ids["reason"], maxLength=2000, rows=2,
                                                         className="form-control"),
                   "Required to withdraw an action; kept in its history."),
        ], id=ids["state_box"], hidden=True),
        html.Div([
            html.Button("Save", id=ids["save"], type="button", className="btn btn-primary"),
            html.Button("Cancel", id=ids["cancel"], type="button", className="btn btn-outline-secondary"),
        ], className="d-flex gap-2 mt-1"),
    ], id=ids["form"], hidden=True, className="plan-form")


def _stamp(value: str) -> str:
    when = pd.to_datetime(value, utc=True, format="ISO8601")
    return f"{when:%d %b %Y, %H:%M} UTC"


def plan_changes_list(changes: pd.DataFrame) -> html.Ol | html.P:
    """Every change to an action's plan, newest first: one item per revision, one line per field."""
    if changes.empty:
        return html.P("The plan entry has not been changed since it was loaded.", className="text-muted")
    items = []
    for revision, group in changes.groupby("revision", sort=False):
        first = group.iloc[0]
        created = group["before"].isna().all() and len(group) > 3
        lines = [html.Li(f"{FIELD_LABELS.get(r.field, r.field)}: "
                         f"{'' if pd.isna(r.before) else r.before} \u2192 {'' if pd.isna(r.after) else r.after}")
                 for r in group.itertuples(index=False)] if not created else []
        reason = None if pd.isna(first["reason"]) else html.P(["Reason: ", first["reason"]], className="mb-0")
        items.append(html.Li([
            html.Div([
                html.Span("Created" if created else f"Change {revision}", className="fw-semibold"),
                html.Time(_stamp(first["changed_at"]), dateTime=first["changed_at"], className="ms-2"),
                html.Span([" by ", html.Span(first["changed_by"], className="history-who")], className="ms-1"),
            ], className="history-head"),
            html.Ul(lines, className="plan-change-fields mb-0") if lines else None,
            reason,
        ], className="history-item plan-change", **{"data-revision": str(revision)}))
    return html.Ol(items, className="history-timeline plan-changes", reversed=True)


def calendar_form(ids: dict[str, str], *, bodies: Sequence[tuple[str, str]]) -> html.Details:
    """Administrators' controls for the meeting calendar: add a meeting; move or cancel one (ids keys:
    box, body, date, add, meeting, new_date, move, cancel, message). The meeting options are filled in
    by the page."""
    return html.Details([
        html.Summary("Change the meeting calendar", className="fw-semibold"),
        html.Div([
            _field("Body", dbc.Select(id=ids["body"], value=bodies[0][0] if bodies else None,
                                      options=[{"label": n, "value": v} for v, n in bodies])),
            _field("Date", dcc.Input(id=ids["date"], type="date", className="form-control")),
            html.Button("Add meeting", id=ids["add"], type="button", className="btn btn-outline-primary btn-sm"),
        ], className="d-flex flex-wrap gap-3 align-items-end mt-2"),
        html.Div([
            _field("Meeting", dbc.Select(id=ids["meeting"], options=[])),
            _field("New date", dcc.Input(id=ids["new_date"], type="date", className="form-control")),
            html.Button("Move meeting", id=ids["move"], type="button", className="btn btn-outline-primary btn-sm"),
            html.Button("Cancel meeting", id=ids["cancel"], type="button",
                        className="btn btn-outline-danger btn-sm"),
        ], className="d-flex flex-wrap gap-3 align-items-end mt-2"),
        html.Div(id=ids["message"], role="status", **{"aria-live": "polite"}),
    ], id=ids["box"], hidden=True, className="calendar-form mt-2")
