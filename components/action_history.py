"""One action in detail: its facts and the timeline of every update (status, progress, who, when).

Progress text is written by people, so it is only ever placed in the page as text, never as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from dash import html

from components.brag import status_badge
from components.cards import illustrative_badge
from kcsp import access


def _stamp(value: str) -> str:
    when = pd.to_datetime(value, utc=True, format="ISO8601")
    return f"{when:%d %b %Y, %H:%M} UTC"


def history_timeline(updates: pd.DataFrame) -> html.Ol | html.P:
    """Updates newest first, as an ordered list; an action with none says so."""
    if updates.empty:
        return html.P("No update has been recorded for this action yet.", className="text-muted")
    items = []
    for u in updates.sort_values("version", ascending=False).itertuples(index=False):
        items.append(html.Li([
            html.Div([
                status_badge(u.status),
                html.Span(f" Update {u.version}", className="fw-semibold ms-2"),
                html.Time(_stamp(u.updated_at), dateTime=u.updated_at, className="ms-2"),
                html.Span([" by ", html.Span(u.updated_by, className="history-who")], className="ms-1"),
                html.Span(illustrative_badge(True), className="ms-2") if u.illustrative else None,
            ], className="history-head"),
            html.P(u.progress, className="history-progress"),
        ], className="history-item", **{"data-version": str(u.version)}))
    return html.Ol(items, className="history-timeline", reversed=True)


def action_facts(action: pd.Series, *, priority_name: str, theme_names: Mapping[str, str],
                 area_names: Mapping[str, str]) -> html.Dl:
    """Priority, lead, owner, themes, areas, dates and latest status of an action."""
    themes = [theme_names.get(t, t) for t in str(action["themes"] or "").split(";") if t]
    areas = [area_names.get(a, a) for a in str(action["areas"]).split(";") if a]
    due = [f"{action['due']:%d %b %Y}"]
    if action["overdue"]:
        due += [" ", html.Span("Overdue", className="overdue-flag")]
    facts = [
        ("Priority", priority_name),
        ("Lead agency", action["lead_agency"]),
        ("Owner", action["owner_role"]),
        ("Themes", ", ".join(themes) or "None"),
        ("Areas", ", ".join(areas)),
        ("Start", f"{action['start']:%d %b %Y}"),
        ("Due", due),
        ("Status", status_badge(action["status"])),
    ]
    if access.is_restricted(action["classification"]):
        facts.append(("Access", "Restricted: shown to signed-in users only"))
    if action.get("state", "open") != "open":
        facts.append(("State", str(action["state"]).capitalize()))
    children = []
    for term, value in facts:
        children += [html.Dt(term, className="col-sm-3"), html.Dd(value, className="col-sm-9")]
    return html.Dl(children, className="row action-facts mb-2")
