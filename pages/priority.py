"""One priority: its lead and context, a trend card per indicator, districts compared, its actions."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import html

from components.actions_table import actions_table
from components.brag import legend
from components.indicator_cards import district_card, trend_card
from kcsp import geo, runtime
from kcsp.narrative import change_sentence
from kcsp.urlstate import from_params
from kcsp.web.auth import request_user

dash.register_page(__name__, path_template="/priority/<priority_id>",
                   title="Priority - Kent Community Safety Dashboard", name="Priority")


def _trend_cards(ds, priority_id, state, code):
    cards = []
    for _, ind in ds.indicators_for(priority_id).iterrows():
        iid = ind["indicator_id"]
        local = code is not None and ind["geography"] == "district" and ds.has_data(iid, code)
        area = code if local else ds.total_code(iid)
        trend = ds.trend(iid, area, state.start_ts, state.end_ts)
        comparison = ds.comparison(iid, area, state.start_ts, state.end_ts)
        summary = change_sentence(comparison, ind["polarity"], ind["unit"])
        if code and not local:
            summary += f" {ds.area_name(code)} has no separate figures for this measure: {ds.area_name(area)} is shown."
        cards.append(trend_card(indicator=ind, trend=trend, area_code=area, area_name=ds.area_name(area),
                                coverage=ds.total_label(iid), breaks=ds.breaks(iid), summary=summary,
                                start=state.start, end=state.end))
    return cards


def _district_section(ds, priority_id, state, code):
    comparable = ds.indicators_for(priority_id)
    comparable = comparable[comparable["geography"] == "district"]
    if comparable.empty:
        return [html.P("This priority's measures are only available for the county as a whole.")]
    ids = list(comparable["indicator_id"])
    chosen = state.indicator if state.indicator in ids else ids[0]
    choices = dbc.Nav([
        dbc.NavItem(dbc.NavLink(name, href=f"/priority/{priority_id}{state.query(indicator=iid)}",
                                active=iid == chosen))
        for iid, name in zip(comparable["indicator_id"], comparable["name"], strict=True)
    ], pills=True, className="indicator-choice mb-2", id="district-indicator-choice")
    breakdown = ds.district_breakdown(chosen, state.start_ts, state.end_ts)
    if breakdown.empty:
        return [choices, html.P("No data for this measure in the chosen period.")]
    params = {"indicator": chosen}
    if state.start:
        params["from"] = state.start
    if state.end:
        params["to"] = state.end
    card = district_card(indicator=ds.indicator(chosen), breakdown=breakdown, limits=ds.funnel_limits(breakdown),
                         boundaries=geo.boundaries(), total_label=ds.total_label(chosen), selected_code=code,
                         download_href="/api/district-comparison.csv?" + urlencode(params))
    return [html.P("Choose a measure to compare districts:", className="mb-1"), choices, card]


def layout(priority_id: str | None = None, **params):
    ds = runtime.dataset()
    priority = ds.priority(priority_id or "")
    if priority is None:
        return html.Div([html.H1("Priority not found", className="h3"),
                         html.P(f"There is no priority called {priority_id!r}. Choose one from the menu.")])
    state = from_params(params, set(ds.districts()["area_slug"]))
    code = ds.area_code_for_slug(state.district)
    pid = priority["priority_id"]
    actions = ds.actions_for(include_restricted=request_user() is not None, priority_id=pid, district=state.district)
    where = f" in {ds.area_name(code)}" if code else ""
    return html.Div([
        html.H1(priority["name"], className="h3", id="priority-title"),
        html.P([html.Strong("Lead: "), priority["lead"]], className="mb-1"),
        html.P(priority["summary"] or "", className="lead-text"),
        html.H2(f"How the measures are moving{where}", className="h4 mt-3"),
        html.Div(_trend_cards(ds, pid, state, code), className="trend-cards"),
        html.H2("Districts compared", className="h4 mt-3", id="districts-compared"),
        html.Div(_district_section(ds, pid, state, code)),
        html.H2(f"Actions{where}", className="h4 mt-3"),
        legend(),
        actions_table(actions, caption=f"Actions for {priority['name']}{where}, with their latest status"),
    ])
