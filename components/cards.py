"""Chart cards (chart, table and about in tabs, with a CSV link) and other page blocks."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.charts import CONFIG

GRAPH_CONFIG = {**CONFIG, "topojsonURL": "/assets/topojson/"}


def illustrative_badge(illustrative: bool) -> html.Span | None:
    if not illustrative:
        return html.Span("Real data", className="badge-real", title="Published open data")
    return html.Span("Illustrative", className="badge-illustrative",
                     title="Generated data standing in for a source that is not openly published")


def _cell(value) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-style Markdown table: one component however many rows, rendered as a real <table>."""
    lines = ["| " + " | ".join(_cell(c) for c in frame.columns) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.astype(str).itertuples(index=False)]
    return "\n".join(lines)


def part_id(kind: str, key: str, part: str) -> dict:
    """The id of one part of a chart card ("title", "summary", "graph-0", "caption", "table", "csv"),
    so that a callback can update that part of every card of a kind (pattern-matching ALL on key)."""
    return {"card": kind, "key": key, "part": part}


def data_table(frame: pd.DataFrame, *, caption: str, label: str | None = None, ids: tuple[dict, dict] | None = None,
               max_height: int = 320) -> html.Div:
    """An accessible table of exactly what a chart shows (one Markdown component, not a component a
    cell: a page holds a dozen of these and Dash renders each component on the client). `ids` names
    the caption and the table for callbacks that replace them; `label` names the scrolling region."""
    caption_id, table_id = ids or ({}, {})
    return html.Div([
        html.P(caption, className="table-caption small fw-semibold mb-1", **({"id": caption_id} if ids else {})),
        dcc.Markdown(markdown_table(frame), className="table-markdown", **({"id": table_id} if ids else {})),
    ], className="table-scroll", style={"maxHeight": f"{max_height}px"}, tabIndex=0, role="region",
        **{"aria-label": label or caption})


def csv_href(indicator_id: str, area_code: str | None = None, start: str | None = None,
             end: str | None = None) -> str:
    params = {"indicator": indicator_id}
    if area_code:
        params["area"] = area_code
    if start:
        params["from"] = start
    if end:
        params["to"] = end
    return "/api/observations.csv?" + urlencode(params)


def _toggle(label: str, body, *, key: str) -> html.Details:
    return html.Details([html.Summary(label, className="view-toggle"), html.Div(body, className="pt-2")],
                        className=f"card-view card-view-{key}")


def chart_card(*, kind: str, key: str, title: str, subtitle: str, figures: list[tuple[str, object]],
               table: html.Div, about: list, illustrative: bool, download_href: str,
               summary=None, shown: int = 1) -> dbc.Card:
    """A card whose title says what the chart shows: the first `shown` charts, then toggles (native
    details elements, usable by keyboard) for further charts, the table of the data and its About, and
    a CSV link. The card's id is "<kind>-<key>"; its parts have pattern ids (`part_id`)."""
    header = html.Div([
        html.H3(title, className="h5 mb-1", id=part_id(kind, key, "title")),
        html.Div([illustrative_badge(illustrative), html.Span(subtitle, className="ms-2 text-muted small")]),
    ])
    graphs = [dcc.Graph(id=part_id(kind, key, f"graph-{i}"), figure=figure, config=GRAPH_CONFIG, className="chart")
              for i, (_, figure) in enumerate(figures)]
    extra = [_toggle(label, graph, key=f"chart-{i}")
             for i, ((label, _), graph) in enumerate(zip(figures, graphs, strict=True)) if i >= shown]
    opened = [html.Div([html.H4(label, className="h6 mt-2 mb-0"), graph])
              for i, ((label, _), graph) in enumerate(zip(figures, graphs, strict=True)) if 0 < i < shown]
    download = html.A("Download CSV of this data", href=download_href, className="csv-link small",
                      download="", id=part_id(kind, key, "csv"), **{"data-testid": "csv-link"})
    return dbc.Card(dbc.CardBody([
        header, summary, graphs[0], *opened, *extra,
        _toggle("Table of the data", table, key="table"),
        _toggle("About this data", about, key="about"),
        download,
    ]), className="chart-card mb-3", id=f"{kind}-{key}")


def about_indicator(indicator: pd.Series, *, coverage: str, last_updated: str,
                    breaks: list[tuple[pd.Timestamp, str, str]]) -> list:
    """The 'About' tab: definition, source, coverage, caveats, series breaks, licence."""
    items = [
        html.Dt("Definition"), html.Dd(indicator.get("notes") or "Not given"),
        html.Dt("Source"), html.Dd(indicator["source"]),
        html.Dt("Areas covered by totals"), html.Dd(coverage),
        html.Dt("Figures"), html.Dd(last_updated),
        html.Dt("Caveats"), html.Dd(indicator.get("caveats") or "None recorded"),
    ]
    if breaks:
        items += [html.Dt("Series breaks"),
                  html.Dd(html.Ul([html.Li(f"{when:%B %Y}: {text}") for when, _, text in breaks]))]
    items += [html.Dt("Licence"), html.Dd(indicator.get("licence") or "Not given")]
    return [html.Dl(items)]
