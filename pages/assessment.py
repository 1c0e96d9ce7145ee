"""Strategic assessment: which issues each local CSP identified (priority, cross-cutting theme or
part of a broader theme), how many CSPs named each, and MoRiLE threat / risk / harm scores."""

from __future__ import annotations

import dash
from dash import dcc, html

from components.assessment import classification_key, matrix_table, morile_table
from components.cards import illustrative_badge
from kcsp import assessment, runtime

dash.register_page(__name__, path="/assessment", title=runtime.page_title("Strategic assessment"),
                   name="Strategic assessment")


def layout(year: str | None = None, **params):
    ds = runtime.dataset()
    table = ds.tables["strategic_assessment"]
    held = assessment.years(table)
    if not held:
        return html.Div([html.H1("Strategic assessment", className="h3"),
                         html.P("No strategic assessment is held in the store.")])
    chosen = year if year in held else held[0]
    note = None if year in (None, chosen) else html.P(
        f"There is no assessment for {year!r}; showing {chosen}.", className="meeting-error", role="alert")
    rows = table[table["year"] == chosen]
    illustrative = bool(rows["illustrative"].any())
    csps = sorted(ds.areas.loc[ds.areas["in_csa"].astype(bool), "csp_name"].dropna().unique())
    grid = assessment.matrix(table, chosen, csps)
    counts = assessment.issue_counts(table, chosen)
    scores = assessment.morile_scores(table, chosen)
    years = [dcc.Link(y, href=f"/assessment?year={y}", className="me-2") for y in held]
    return html.Div([
        html.H1(f"Strategic assessment {chosen}", className="h3"),
        html.P([f"Each of {ds.register.county_name}'s local community safety partnerships (CSPs) assesses its "
                "area every year and "
                "names its key issues, as a main priority, a cross-cutting theme or part of a broader theme. ",
                "The counts in the last row are the number of CSPs that identified each issue, as the "
                "partnership's published assessment gives them."], className="lead-text"),
        note,
        html.P(["Years held: ", *years], className="small") if len(held) > 1 else None,
        html.P([illustrative_badge(illustrative),
                " Which CSP named which issue, and how, is generated to match the published counts: the "
                "published table gives the counts only." if illustrative else ""]),
        classification_key(),
        matrix_table(grid, counts, caption=f"Issues identified by each local CSP, {chosen}"),
        html.H2("MoRiLE scores", className="h4 mt-3"),
        html.P(["MoRiLE (Management of Risk in Law Enforcement) ranks issues by threat, risk and harm. Scores "
                "are shown where a CSP used the matrix. ",
                illustrative_badge(bool(scores["illustrative"].any()) if not scores.empty else illustrative)]),
        morile_table(scores, caption=f"MoRiLE threat, risk and harm scores, {chosen}"),
    ])
