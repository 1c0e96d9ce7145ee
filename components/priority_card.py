"""The overview's card for one priority."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.brag import status_counts
from components.cards import illustrative_badge
from components.charts import sparkline

VERDICT_CLASS = {"better": "verdict-better", "worse": "verdict-worse"}


def priority_card(*, priority: pd.Series, indicator: pd.Series | None, area_label: str,
                  series: pd.DataFrame, latest_text: str, change_text: str, verdict: str,
                  counts: dict[str, int], href: str) -> dbc.Card:
    """Headline indicator with sparkline, latest value, change in words, and BRAG counts."""
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
            html.P(change_text, className=f"mb-2 {VERDICT_CLASS.get(verdict, 'verdict-neutral')}"),
        ]
    return dbc.Card(dbc.CardBody([
        html.H2(dcc.Link(priority["name"], href=href, className="stretched-link-off"), className="h5"),
        html.P(f"Lead: {priority['lead']}", className="small text-muted mb-2"),
        *body,
        html.Div([html.Span("Actions: ", className="small fw-semibold"), status_counts(counts)]),
    ]), className="priority-card h-100", id=f"card-{priority['priority_id']}")
