"""What moved in the action plan since a meeting: a summary line and a table of the actions that
changed status (and in which direction), are new, or became overdue. Built from the frame of
kcsp.actions.changes_since, so /actions and /meeting can show the same thing."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from dash import html

from components.brag import status_badge
from kcsp.vocabulary import MOVE

MOVE_LABELS = {code: (t.shape, t.word) for code, t in MOVE.items()}
MOVE_ORDER = ("worsened", "improved", "completed", "started", "new", "no change")


def move_label(move: str) -> html.Span:
    shape, word = MOVE_LABELS.get(move, MOVE_LABELS["no change"])
    return html.Span([html.Span(shape, className="move-shape", **{"aria-hidden": "true"}), " ", word],
                     className=f"move move-{move.replace(' ', '-')}")


def change_summary(changes: pd.DataFrame) -> str:
    """'2 worsened, 3 improved, 1 new; 2 became overdue' (or that nothing changed)."""
    if changes.empty:
        return "No action changed status, started, was added or became overdue."
    counts = changes["move"].value_counts()
    moves = [f"{counts[m]} {MOVE_LABELS[m][1].lower()}" for m in MOVE_ORDER if m != "no change" and m in counts]
    overdue = int(changes["became_overdue"].sum())
    parts = ", ".join(moves) or "no status changes"
    return f"{parts}; {overdue} became overdue." if overdue else f"{parts}."


def _when(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "No update yet"
    return f"{pd.Timestamp(value):%d %b %Y}"


def changes_list(changes: pd.DataFrame, *, priority_names: Mapping[str, str] | None = None,
                 caption: str = "Actions that changed") -> html.Div:
    """The changes as an accessible table, worst news first; every piece of text is plain text."""
    if changes.empty:
        return html.Div(html.P(change_summary(changes), className="changes-summary"), className="action-changes")
    names = priority_names or {}
    rank = {m: i for i, m in enumerate(MOVE_ORDER)}
    ordered = changes.assign(_rank=changes["move"].map(rank), _late=~changes["became_overdue"].astype(bool))
    ordered = ordered.sort_values(["_late", "_rank", "action_id"])
    rows = []
    for c in ordered.itertuples(index=False):
        flags = [move_label(c.move)]
        if c.became_overdue:
            flags += [html.Br(), html.Span("Became overdue", className="overdue-flag")]
        before = status_badge(c.status_before) if isinstance(c.status_before, str) else html.Span(
            "Not in the plan", className="text-muted")
        rows.append(html.Tr([
            html.Td([html.Span(c.action_id, className="fw-semibold"), " ", c.title,
                     html.Div(names.get(c.priority_id, c.priority_id), className="small text-muted")]),
            html.Td(before),
            html.Td(status_badge(c.status_now)),
            html.Td(flags),
            html.Td(_when(c.updated_at)),
        ], **{"data-action": c.action_id}))
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Action", "Status then", "Status now", "What changed", "Last update")]))
    return html.Div([
        html.P(change_summary(changes), className="changes-summary"),
        html.Div(html.Table([html.Caption(caption), head, html.Tbody(rows)],
                            className="table table-sm align-middle changes-table"), className="table-responsive"),
    ], className="action-changes")
