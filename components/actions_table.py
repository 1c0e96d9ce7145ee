"""A plain table of actions with BRAG shown as word + shape + colour."""

from __future__ import annotations

import pandas as pd
from dash import html

from components.brag import status_badge
from components.cards import illustrative_badge
from kcsp import access


def actions_table(actions: pd.DataFrame, *, caption: str, priority_names: dict[str, str] | None = None) -> html.Div:
    """With `priority_names`, a Priority column too (for lists that span priorities)."""
    if actions.empty:
        return html.P("No actions match this selection.", className="text-muted")
    rows = []
    restricted = html.Span(" (restricted)", className="small text-muted")
    for a in actions.itertuples():
        due = f"{a.due:%d %b %Y}"
        rows.append(html.Tr([
            html.Td(a.action_id),
            html.Td([a.title, restricted if access.is_restricted(a.classification) else None]),
            *([html.Td(priority_names.get(a.priority_id, a.priority_id))] if priority_names else []),
            html.Td(a.lead_agency),
            html.Td([due, html.Span(" Overdue", className="overdue-flag ms-1") if a.overdue else None]),
            html.Td(status_badge(a.status)),
            html.Td([a.progress if isinstance(a.progress, str) else "",
                     " ", illustrative_badge(True) if a.illustrative else None], className="progress-text"),
        ]))
    columns = ("Ref", "Action", *(("Priority",) if priority_names else ()), "Lead agency", "Due", "Status",
               "Latest progress")
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in columns]))
    return html.Div(html.Table([html.Caption(caption), head, html.Tbody(rows)],
                               className="table table-sm align-middle actions-table"),
                    className="table-responsive")
