"""One district (or Medway) across every priority: headline measures against Kent, and its actions."""

from __future__ import annotations

import dash
from dash import html

from components.actions_table import actions_table
from components.brag import legend
from components.cards import illustrative_badge
from kcsp import runtime
from kcsp.narrative import change_phrase
from kcsp.urlstate import from_params
from kcsp.web.auth import request_user

dash.register_page(__name__, path_template="/district/<area_slug>",
                   title="District - Kent Community Safety Dashboard", name="District")


def _row(ds, ind, code, state):
    iid = ind["indicator_id"]
    comparison = ds.comparison(iid, code, state.start_ts, state.end_ts)
    breakdown = ds.district_breakdown(iid, state.start_ts, state.end_ts)
    mine = breakdown[breakdown["area_code"] == code] if not breakdown.empty else breakdown
    if mine.empty:
        judgement = "Not compared"
        rate = ""
    else:
        rec = mine.iloc[0]
        judgement = rec["judgement"]
        rate = "suppressed" if rec["suppressed"] else f"{rec['rate']:.2f}"
    return html.Tr([
        html.Td([ind["name"], " ", illustrative_badge(bool(ind["illustrative"]))]),
        html.Td(rate),
        html.Td(judgement, className=f"judgement judgement-{judgement.lower().replace(' ', '-')}"),
        html.Td(change_phrase(comparison)),
    ])


def layout(area_slug: str | None = None, **params):
    ds = runtime.dataset()
    code = ds.area_code_for_slug(area_slug)
    if code is None or code not in set(ds.districts()["area_code"]):
        return html.Div([html.H1("District not found", className="h3"),
                         html.P(f"There is no district called {area_slug!r}. Choose one from the menu.")])
    state = from_params(params, set(ds.districts()["area_slug"]))
    area = ds.area(code)
    sections = []
    for _, pri in ds.priorities.iterrows():
        inds = ds.indicators_for(pri["priority_id"])
        has = inds["indicator_id"].map(lambda i: ds.has_data(i, code)).astype(bool)
        inds = inds[(inds["geography"] == "district") & has]
        columns = ("Measure", "Rate per 1,000", "Compared with the total", "Change on a year earlier")
        head = html.Thead(html.Tr([html.Th(h, scope="col") for h in columns]))
        body = html.Tbody([_row(ds, ind, code, state) for _, ind in inds.iterrows()])
        sections.append(html.Section([
            html.H2(pri["name"], className="h5 mt-3"),
            html.Table([head, body], className="table table-sm") if len(inds) else
            html.P("No district-level measures for this priority.", className="text-muted"),
        ]))
    actions = ds.actions_for(include_restricted=request_user() is not None, district=area_slug)
    note = ("Medway is a unitary authority outside the Kent Community Safety Agreement; its figures are part "
            "of Kent and Medway totals." if not area["in_csa"] else f"Local partnership: {area['csp_name']}.")
    return html.Div([
        html.H1(f"{area['area_name']}: all priorities", className="h3"),
        html.P(note, className="lead-text"),
        *sections,
        html.H2("Actions that cover this district", className="h4 mt-3"),
        legend(),
        actions_table(actions, caption=f"Actions covering {area['area_name']}, including county-wide actions"),
    ])
