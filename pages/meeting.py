"""Meetings: the partnership's calendar and what has changed since the last meeting."""

from __future__ import annotations

import dash
from dash import html

from components.brag import status_badge
from kcsp import runtime
from kcsp.web.auth import request_user

dash.register_page(__name__, path="/meeting", title="Meetings - Kent Community Safety Dashboard", name="Meetings")


def layout(meeting: str | None = None, **params):
    ds = runtime.dataset()
    meetings = ds.meetings
    last = ds.last_meeting()
    upcoming = meetings[meetings["date"] > ds.today]
    status = ds.action_status(include_restricted=request_user() is not None)
    changed = status[status["updated_at"].notna() & (status["updated_at"] >= f"{last['date']:%Y-%m-%d}")] \
        if last is not None else status.iloc[0:0]
    rows = [html.Tr([html.Td(f"{m.date:%d %b %Y}"), html.Td(m.name)]) for m in meetings.itertuples()]
    return html.Div([
        html.H1("Meetings", className="h3"),
        html.P(f"Last partnership meeting: {last['name']}." if last is not None else "No meeting has been held yet.",
               className="lead-text"),
        html.P(f"Next meeting: {upcoming.iloc[0]['name']}." if not upcoming.empty
               else "No future meeting is scheduled."),
        html.H2("Actions updated since the last meeting", className="h4 mt-3"),
        html.Ul([html.Li([f"{a.action_id} {a.title} ", status_badge(a.status)]) for a in changed.itertuples()])
        if not changed.empty else html.P("No action has been updated since the last meeting."),
        html.H2("Calendar", className="h4 mt-3"),
        html.Table([html.Thead(html.Tr([html.Th("Date", scope="col"), html.Th("Meeting", scope="col")])),
                    html.Tbody(rows)], className="table table-sm"),
    ])
