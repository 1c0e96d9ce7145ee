"""The overview's card for one priority: headline measure, change in words, actions, what changed."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.brag import status_counts
from components.cards import illustrative_badge
from components.charts import sparkline

VERDICT_CLASS = {"better": "verdict-better", "worse": "verdict-worse"}
VERDICT_WORDS = {"better": "Better", "worse": "Worse", "no change": "Little change", "up": "Up, not judged",
                 "down": "Down, not judged", "unknown": "No comparison"}


def verdict_badge(verdict: str, rising: bool | None) -> html.Span:
    """The change's verdict as shape + word + colour: the arrow gives the direction, the word the judgement."""
    if verdict in ("no change", "unknown") or rising is None:
        shape = "\u25c6" if verdict == "no change" else "\u2013"
    else:
        shape = "\u25b2" if rising else "\u25bc"
    return html.Span([html.Span(shape, className="verdict-shape", **{"aria-hidden": "true"}),
                      VERDICT_WORDS.get(verdict, "No comparison")],
                     className=f"verdict-badge verdict-badge-{verdict.replace(' ', '-')}")


def changed_marker(*, changed: bool, text: str, href: str | None) -> html.P:
    """'Changed since the last meeting' as a shape and words, with a link to what changed."""
    if not changed:
        return html.P([html.Span("\u25cb", className="changed-shape", **{"aria-hidden": "true"}), text],
                      className="changed-marker changed-no small mb-2")
    link = dcc.Link("What changed", href=href, className="ms-1") if href else None
    return html.P([html.Span("\u25cf", className="changed-shape", **{"aria-hidden": "true"}),
                   html.Strong("Changed since the last meeting: "), text, " ", link],
                  className="changed-marker changed-yes small mb-2")


def priority_card(*, priority: pd.Series, indicator: pd.Series | None, area_label: str,
                  series: pd.DataFrame | None, latest_text: str, change_text: str, verdict: str,
                  counts: dict[str, int], href: str, rising: bool | None = None,
                  marker: html.P | None = None, narrative: list[str] | None = None) -> dbc.Card:
    """Headline indicator with sparkline, latest value, change in words, BRAG counts and what changed."""
    if indicator is None:
        body = [html.P("No indicator data for this priority yet.", className="text-muted")]
    else:
        body = [
            html.Div([html.Span(indicator["name"], className="fw-semibold"), " ",
                      illustrative_badge(bool(indicator["illustrative"]))]),
            html.Div(area_label, className="small text-muted"),
            dcc.Graph(figure=sparkline(series), config={"staticPlot": True}, className="sparkline",
                      style={"height": "60px"}),
            html.P(latest_text, className="headline-value mb-1"),
            html.P([verdict_badge(verdict, rising), " ", change_text],
                   className=f"change-line mb-2 {VERDICT_CLASS.get(verdict, 'verdict-neutral')}-text"),
        ]
    summary = None
    if narrative:
        summary = html.Details([html.Summary("Summary in words"), html.P(" ".join(narrative), className="narrative")],
                               className="card-narrative mb-2")
    return dbc.Card(dbc.CardBody([
        html.H2(dcc.Link(priority["name"], href=href, className="priority-link",
                         id=f"priority-link-{priority['priority_id']}"), className="h5"),
        html.P(f"Lead: {priority['lead']}", className="small text-muted mb-2"),
        *body,
        marker,
        summary,
        html.Div([html.Span("Actions: ", className="small fw-semibold"), status_counts(counts)]),
    ]), className="priority-card h-100", id=f"card-{priority['priority_id']}")
