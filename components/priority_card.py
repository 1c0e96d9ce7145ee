"""The overview's card for one priority: headline measure, change in words, actions, what changed."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.brag import status_counts
from components.cards import illustrative_badge
from components.charts import sparkline
from components.verdicts import paragraph, sentence, verdict_badge
from kcsp.judgements import Verdict
from kcsp.vocabulary import MARKER


def changed_marker(*, changed: bool, text: str, href: str | None) -> html.P:
    """'Changed since the last meeting' as a shape and words, with a link to what changed."""
    if not changed:
        return html.P([html.Span(MARKER["unchanged"].shape, className="changed-shape", **{"aria-hidden": "true"}),
                       text], className="changed-marker changed-no small mb-2")
    link = dcc.Link("What changed", href=href, className="ms-1") if href else None
    return html.P([html.Span(MARKER["changed"].shape, className="changed-shape", **{"aria-hidden": "true"}),
                   html.Strong("Changed since the last meeting: "), text, " ", link],
                  className="changed-marker changed-yes small mb-2")


def priority_card(*, priority: pd.Series, indicator: pd.Series | None, area_label: str,
                  series: pd.DataFrame | None, latest_text: str, change: Verdict | None, comparison: Verdict | None,
                  counts: dict[str, int], href: str, marker: html.P | None = None,
                  narrative: tuple | None = None, change_sentence: tuple | None = None,
                  dates: str = "") -> dbc.Card:
    """Headline indicator with sparkline, latest value, its change (and, for a chosen district, its
    comparison with the county) as verdict badges, BRAG counts and what changed since the last meeting."""
    if indicator is None:
        body = [html.P("No indicator data for this priority yet.", className="text-muted")]
    else:
        badges = [verdict_badge(change)] + ([" ", verdict_badge(comparison)] if comparison is not None else [])
        body = [
            html.Div([html.Span(indicator["name"], className="fw-semibold"), " ",
                      illustrative_badge(bool(indicator["illustrative"]))]),
            html.Div(area_label, className="small text-muted"),
            dcc.Graph(figure=sparkline(series), config={"staticPlot": True}, className="sparkline",
                      style={"height": "60px"}),
            html.P(latest_text, className="headline-value mb-1"),
            html.P(badges, className="verdict-line mb-1"),
            html.P(sentence(change_sentence), className="change-line small mb-1") if change_sentence else None,
            html.P(dates, className="data-dates small text-muted mb-2"),
        ]
    summary = None
    if narrative:
        summary = html.Details([html.Summary("Summary in words"), paragraph(narrative, className="narrative")],
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
