"""One priority: its lead and context, a trend card per indicator, districts compared, its actions."""

from __future__ import annotations

import dash
from dash import html

from components.actions_table import actions_table
from components.brag import legend
from components.indicator_cards import district_card, trend_card
from kcsp import runtime, stats
from kcsp.narrative import change_sentence
from kcsp.urlstate import from_params
from kcsp.web.auth import request_user

dash.register_page(__name__, path_template="/priority/<priority_id>",
                   title="Priority - Kent Community Safety Dashboard", name="Priority")


def layout(priority_id: str | None = None, **params):
    ds = runtime.dataset()
    priority = ds.priority(priority_id or "")
    if priority is None:
        return html.Div([html.H1("Priority not found", className="h3"),
                         html.P(f"There is no priority called {priority_id!r}. Choose one from the menu.")])
    state = from_params(params, set(ds.districts()["area_slug"]))
    code = ds.area_code_for_slug(state.district)
    trend_cards, district_cards = [], []
    for _, ind in ds.indicators_for(priority["priority_id"]).iterrows():
        iid = ind["indicator_id"]
        area = code if code and ind["geography"] == "district" and ds.has_data(iid, code) else ds.total_code(iid)
        series = ds.series(iid, area, state.start_ts, state.end_ts)
        comparison = ds.comparison(iid, area, state.start_ts, state.end_ts)
        note = "" if area == code or not code else f" {ds.area_name(code)} has no separate figures for this measure."
        trend_cards.append(trend_card(
            indicator=ind, series=series, area_code=area, area_name=ds.area_name(area),
            coverage=ds.total_label(iid), breaks=ds.breaks(iid),
            summary=change_sentence(comparison, ind["polarity"], ind["unit"]) + note,
            start=state.start, end=state.end,
        ))
        breakdown = ds.district_breakdown(iid, state.start_ts, state.end_ts)
        if not breakdown.empty:
            district_cards.append(district_card(indicator=ind, breakdown=breakdown, total_label=ds.total_label(iid),
                                                selected_code=code, suppress_below=stats.SUPPRESS_BELOW))
    actions = ds.actions_for(include_restricted=request_user() is not None, priority_id=priority["priority_id"],
                             district=state.district)
    where = f" in {ds.area_name(code)}" if code else ""
    return html.Div([
        html.H1(priority["name"], className="h3"),
        html.P([html.Strong("Lead: "), priority["lead"]], className="mb-1"),
        html.P(priority["summary"] or "", className="lead-text"),
        html.H2(f"How the measures are moving{where}", className="h4 mt-3"),
        html.Div(trend_cards, className="trend-cards"),
        html.H2("Districts compared", className="h4 mt-3"),
        html.Div(district_cards or [html.P("This priority's measures are only available county-wide.")]),
        html.H2(f"Actions{where}", className="h4 mt-3"),
        legend(),
        actions_table(actions, caption=f"Actions for {priority['name']}{where}, with their latest status"),
    ])
