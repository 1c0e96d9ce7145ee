"""The strategic assessment matrix (CSP x issue) and the MoRiLE scores table."""

from __future__ import annotations

import pandas as pd
from dash import html

from kcsp.vocabulary import CLASSIFICATION

CLASS_LABELS = {code: t.word for code, t in CLASSIFICATION.items()}
CLASS_SHAPES = {code: t.shape for code, t in CLASSIFICATION.items()}


def classification_cell(value: str | None) -> html.Span:
    """A classification as shape + word + colour; 'Not named' where the CSP did not identify the issue."""
    if value is None:
        return html.Span("Not named", className="sa-cell sa-none small")
    return html.Span([html.Span(CLASS_SHAPES[value], **{"aria-hidden": "true"}), CLASS_LABELS[value]],
                     className=f"sa-cell sa-{value}")


def classification_key() -> html.P:
    return html.P([html.Span("Key: ", className="fw-semibold")]
                  + [html.Span([classification_cell(k), " "], className="me-2") for k in CLASS_LABELS],
                  className="small")


def matrix_table(grid: pd.DataFrame, counts: pd.DataFrame, *, caption: str) -> html.Div:
    """Rows are CSPs, columns issues; the last row counts the CSPs that identified each issue."""
    issues = list(grid.columns)
    count_of = dict(zip(counts["issue"], counts["csps"], strict=True))
    head = html.Thead(html.Tr([html.Th("Local CSP", scope="col")] + [html.Th(i, scope="col") for i in issues]))
    rows = [html.Tr([html.Th(csp, scope="row")] + [html.Td(classification_cell(grid.at[csp, i])) for i in issues])
            for csp in grid.index]
    total = html.Tr([html.Th("Number of CSPs identifying the issue", scope="row")]
                    + [html.Td(f"{count_of.get(i, 0)}", **{"data-issue": i}) for i in issues], className="sa-counts")
    return html.Div(html.Table([html.Caption(caption), head, html.Tbody([*rows, total])],
                               className="table table-sm table-bordered sa-matrix"),
                    className="table-responsive", tabIndex=0, role="region", **{"aria-label": caption})


def morile_table(scores: pd.DataFrame, *, caption: str) -> html.Div:
    if scores.empty:
        return html.P("No CSP recorded MoRiLE scores for this year.")
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Local CSP", "Issue", "Threat", "Risk", "Harm", "Total")]))

    def score(v) -> str:
        return "" if pd.isna(v) else f"{int(v)}"

    rows = [html.Tr([html.Td(r.csp_name), html.Td(r.issue), html.Td(score(r.threat)), html.Td(score(r.risk)),
                     html.Td(score(r.harm)), html.Td(score(r.total))]) for r in scores.itertuples(index=False)]
    return html.Div(html.Table([html.Caption(caption), head, html.Tbody(rows)], className="table table-sm"),
                    className="table-responsive table-scroll", style={"maxHeight": "32rem"}, tabIndex=0,
                    role="region", **{"aria-label": caption})
