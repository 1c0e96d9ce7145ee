"""Overview: one card per priority of the Community Safety Agreement."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components.brag import legend
from components.priority_card import priority_card
from kcsp import runtime, stats
from kcsp.narrative import change_phrase, fmt_count, fmt_month
from kcsp.urlstate import from_params

dash.register_page(__name__, path="/", title="Overview - Kent Community Safety Dashboard", name="Overview")


def _card(ds, priority, state, counts):
    headline = priority["headline_indicator_id"]
    indicator = ds.indicator(headline) if headline and ds.has_data(headline) else None
    query = state.query()
    if indicator is None:
        return priority_card(priority=priority, indicator=None, area_label="", series=None, latest_text="",
                             change_text="", verdict="unknown", counts=counts,
                             href=f"/priority/{priority['priority_id']}{query}")
    code = ds.area_code_for_slug(state.district)
    if code is None or indicator["geography"] != "district" or not ds.has_data(headline, code):
        code = ds.total_code(headline)
    series = ds.series(headline, code, state.start_ts, state.end_ts)
    comparison = ds.comparison(headline, code, state.start_ts, state.end_ts)
    latest = series.iloc[-1] if not series.empty else None
    latest_text = ("No data in the chosen period" if latest is None else
                   f"{fmt_month(latest['period'])}: {fmt_count(latest['value'])} {indicator['unit']}")
    change = change_phrase(comparison)
    change_text = change[0].upper() + change[1:] if comparison.percent is not None else change
    return priority_card(
        priority=priority, indicator=indicator, area_label=ds.area_name(code), series=series,
        latest_text=latest_text, change_text=change_text,
        verdict=stats.direction(comparison.percent, indicator["polarity"]), counts=counts,
        href=f"/priority/{priority['priority_id']}{query}",
    )


def layout(**params):
    ds = runtime.dataset()
    state = from_params(params, set(ds.districts()["area_slug"]))
    status = ds.action_status(include_restricted=False)
    counts = status.groupby(["priority_id", "status"]).size()
    cards = [
        dbc.Col(_card(ds, p, state, counts.get(p["priority_id"], {}).to_dict()
                      if p["priority_id"] in counts.index.get_level_values(0) else {}),
                xs=12, md=6, xl=3, className="mb-3")
        for _, p in ds.priorities.iterrows()
    ]
    where = ds.area_name(ds.area_code_for_slug(state.district)) if state.district else "Kent"
    return html.Div([
        html.H1(f"Community Safety Agreement priorities: {where}", className="h3"),
        html.P("Each card shows the priority's headline measure, its latest value and the change on a "
               "year earlier, and the status of its actions. Choose a card for the detail.", className="lead-text"),
        legend(),
        dbc.Row(cards, className="mt-3"),
    ])
