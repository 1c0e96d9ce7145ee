"""One district (or Medway) across every priority: measures against the county, actions, local issues."""

from __future__ import annotations

import dash
from dash import html

from components.actions_table import actions_table
from components.brag import legend
from components.cards import illustrative_badge
from kcsp import opendata, runtime, stats
from kcsp.narrative import change_phrase
from kcsp.urlstate import from_params
from kcsp.web.auth import request_user
from kcsp.web.layouts import cached_layout

dash.register_page(__name__, path_template="/district/<area_slug>",
                   title="District - Kent Community Safety Dashboard", name="District")

COLUMNS = ("Measure", "Rate per 1,000", "County rate", "Compared with the county", "Direction of travel")


def _row(ds, ind, code, state):
    iid = ind["indicator_id"]
    breakdown = ds.district_breakdown(iid, state.start_ts, state.end_ts)
    mine = breakdown[breakdown["area_code"] == code]
    comparison = ds.comparison(iid, code, state.start_ts, state.end_ts)
    travel = stats.direction(comparison.percent, ind["polarity"])
    if mine.empty:
        rate, county, judgement = "", "", "Not compared"
    else:
        rec = mine.iloc[0]
        rate = "suppressed" if rec["suppressed"] else f"{rec['rate']:.2f}"
        county = f"{rec['benchmark']:.2f} ({ds.total_label(iid)})"
        judgement = rec["judgement"]
    return html.Tr([
        html.Td([ind["name"], " ", illustrative_badge(bool(ind["illustrative"]))]),
        html.Td(rate), html.Td(county),
        html.Td(judgement, className=f"judgement judgement-{judgement.lower().replace(' ', '-')}"),
        html.Td([html.Span(travel.capitalize() + ": ", className=f"verdict-{travel.replace(' ', '-')}"),
                 change_phrase(comparison)]),
    ])


def _priority_section(ds, priority, code, state):
    inds = ds.indicators_for(priority["priority_id"])
    local = inds["indicator_id"].map(lambda i: ds.has_data(i, code)).astype(bool)
    inds = inds[(inds["geography"] == "district") & local]
    if inds.empty:
        body = html.P("This priority's measures are only available for the county as a whole.", className="text-muted")
    else:
        head = html.Thead(html.Tr([html.Th(h, scope="col") for h in COLUMNS]))
        body = html.Div(html.Table([head, html.Tbody([_row(ds, ind, code, state) for _, ind in inds.iterrows()])],
                                   className="table table-sm district-measures"), className="table-responsive")
    return html.Section([html.H2(priority["name"], className="h5 mt-3"), body])


def _assessment(ds, csp_name):
    sa = ds.tables["strategic_assessment"]
    mine = sa[sa["csp_name"] == csp_name]
    if mine.empty:
        return html.P("No strategic assessment is held for this partnership.", className="text-muted")
    year = mine["year"].max()
    mine = mine[mine["year"] == year]
    items = [html.Li(f"{r.issue}: {r.classification.replace('-', ' ')}") for r in mine.itertuples()]
    return html.Div([
        html.P([f"Issues {csp_name} identified in its {year} strategic assessment ",
                illustrative_badge(bool(mine["illustrative"].any())), ":"]),
        html.Ul(items),
    ])


def _deprivation(code: str):
    sentence = opendata.deprivation_sentence(code)
    if sentence is None:
        return None
    return html.Section([
        html.H2("Deprivation (context)", className="h5 mt-2"),
        html.P([sentence, " ", html.Span("Source: MHCLG, English Indices of Deprivation 2019, Open Government "
                                         "Licence v3.0. Context for the figures below, not a measure of this "
                                         "partnership's work.", className="small text-muted")],
               id="district-deprivation"),
    ])


@cached_layout
def layout(area_slug: str | None = None, **params):
    ds = runtime.dataset()
    code = ds.area_code_for_slug(area_slug)
    if code is None or code not in set(ds.districts()["area_code"]):
        return html.Div([html.H1("District not found", className="h3"),
                         html.P(f"There is no district called {area_slug!r}. Choose one from the menu.")])
    state = from_params(params, set(ds.districts()["area_slug"]))
    area = ds.area(code)
    actions = ds.actions_for(include_restricted=request_user() is not None, district=area_slug)
    note = ("Medway is a unitary authority outside the Kent Community Safety Agreement; its figures are part "
            "of Kent and Medway totals." if not area["in_csa"] else f"Local partnership: {area['csp_name']}.")
    return html.Div([
        html.H1(f"{area['area_name']}: all priorities", className="h3"),
        html.P(note, className="lead-text"),
        _deprivation(code),
        html.P("Rates compare the district with the county over the period chosen (95% intervals, Byar's "
               "method); the direction of travel compares the district's latest 12 months with the 12 before.",
               className="small"),
        *[_priority_section(ds, p, code, state) for _, p in ds.priorities.iterrows()],
        html.H2("Local strategic assessment", className="h4 mt-3"),
        _assessment(ds, area["csp_name"]),
        html.H2("Actions that cover this district", className="h4 mt-3"),
        legend(),
        actions_table(actions, caption=f"Actions covering {area['area_name']}, including county-wide actions"),
    ])
