"""One priority: its lead and context, a trend card per indicator, districts compared, its actions.

Choosing a district on this page does not rebuild it: `show_district` updates only what depends on
the district (each trend card's title, chart, summary, table and CSV link; the district picked out
in the comparison charts; the measure links; the actions), so existing charts are redrawn in place.
Any other change of the query string (period, measure, committee mode) renders the page again.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components.actions_table import actions_table
from components.brag import legend
from components.cards import markdown_table, part_id
from components.indicator_cards import district_card, highlighted_figures, summary_block, trend_card, trend_view
from components.slides import priority_slide, slide_figure
from kcsp import briefing, geo, judgements, opendata, runtime
from kcsp.judgements import CHANGE, COMPARISON
from kcsp.narrative import change_sentence, comparison_sentence, data_dates, districts_sentence
from kcsp.urlstate import ViewState, from_params, from_search
from kcsp.web.answers import reads_only
from kcsp.web.auth import request_user


def title(priority_id: str | None = None, **_params) -> str:
    """The browser tab names the priority shown."""
    priority = runtime.dataset().priority(priority_id or "")
    return f"{priority['name'] if priority is not None else 'Priority not found'} - Kent Community Safety Dashboard"


dash.register_page(__name__, path_template="/priority/<priority_id>", title=title, name="Priority", charts=True)

PREFIX = "/priority/"


def _reveal() -> bool:
    """Signed-in viewers see figures withheld from the public (marked)."""
    return request_user() is not None


def _trend_views(ds, priority_id: str, state: ViewState, reveal: bool) -> list[tuple[pd.Series, object]]:
    views = []
    selected = ds.area_code_for_slug(state.district)
    for _, ind in ds.indicators_for(priority_id).iterrows():
        iid = ind["indicator_id"]
        area = judgements.shown_area(ds, iid, state.district)
        trend = ds.trend(iid, area, state.start_ts, state.end_ts, reveal=reveal)
        change = judgements.verdict(ds, iid, area, CHANGE, state.start_ts, state.end_ts, reveal=reveal)
        summary = [change_sentence(change, ind["unit"])]
        if selected and area == selected:
            mine = judgements.verdict(ds, iid, area, COMPARISON, state.start_ts, state.end_ts, reveal=reveal)
            summary.append(comparison_sentence(mine, ds.total_label(iid)))
        elif selected:
            summary.append((f"{ds.area_name(selected)} has no separate figures for this measure: "
                            f"{ds.area_name(area)} is shown.",))
        views.append((ind, trend_view(indicator=ind, trend=trend, frequency=ds.frequency(iid), area_code=area,
                                      area_name=ds.area_name(area), breaks=ds.breaks(iid), summary=summary,
                                      start=state.start, end=state.end, reveal=reveal, change=change)))
    return views


def _comparable(ds, priority_id: str, state: ViewState) -> tuple[pd.DataFrame, str | None]:
    """The measures that can be compared by district, and the one chosen (None when there are none)."""
    comparable = ds.indicators_for(priority_id)
    comparable = comparable[comparable["geography"] == "district"]
    ids = list(comparable["indicator_id"])
    return comparable, (state.indicator if state.indicator in ids else (ids[0] if ids else None))


def _choice_href(priority_id: str, state: ViewState, indicator_id: str) -> str:
    return f"{PREFIX}{priority_id}{state.query(indicator=indicator_id)}"


def _district_section(ds, priority_id, state, code):
    comparable, chosen = _comparable(ds, priority_id, state)
    if chosen is None:
        return [html.P("This priority's measures are only available for the county as a whole.")]
    choices = dbc.Nav([
        dbc.NavItem(dbc.NavLink(name, href=_choice_href(priority_id, state, iid), active=iid == chosen,
                                id={"type": "indicator-choice", "indicator": iid}))
        for iid, name in zip(comparable["indicator_id"], comparable["name"], strict=True)
    ], pills=True, className="indicator-choice mb-2", id="district-indicator-choice")
    verdicts = [v for v in judgements.verdicts(ds, chosen, state.start_ts, state.end_ts, reveal=_reveal())
                if v.kind == COMPARISON]
    breakdown = judgements.comparison_frame(verdicts)
    if breakdown["benchmark"].isna().all():
        return [choices, html.P("No complete figures for this measure in the chosen period.")]
    params = {"indicator": chosen}
    if state.start:
        params["from"] = state.start
    if state.end:
        params["to"] = state.end
    total = ds.total_label(chosen)
    order = _order(state)
    card = district_card(indicator=ds.indicator(chosen), verdicts=verdicts, breakdown=_with_deprivation(breakdown),
                         limits=judgements.funnel(ds, chosen, state.start_ts, state.end_ts),
                         boundaries=geo.boundaries(), total_label=total, selected_code=code,
                         download_href="/api/district-comparison.csv?" + urlencode(params),
                         summary=[s for s in [districts_sentence(verdicts, total), _widened(ds, chosen, state,
                                                                                            breakdown)] if s],
                         dates=data_dates(ds, chosen), order=order)
    orders = html.P([
        "Order the bar chart: ",
        *[html.A(label, href=f"{PREFIX}{priority_id}{state.query(order=None if key == 'rate' else key)}",
                 className="ms-2" + (" fw-bold" if key == order else ""),
                 **({"aria-current": "true"} if key == order else {}))
          for key, label in ORDERS.items()],
    ], className="small mb-1", id="district-order")
    return [html.P("Choose a measure to compare districts:", className="mb-1"), choices, orders, card]


def _widened(ds, chosen: str, state: ViewState, breakdown: pd.DataFrame):
    """Whether the funnel was widened for overdispersion, as a sentence (None when nothing was compared)."""
    words = judgements.spread_words(judgements.funnel_spread(ds, chosen, state.start_ts, state.end_ts),
                                    breakdown["benchmark"].dropna().iloc[0] if breakdown["benchmark"].notna().any()
                                    else None)
    return (words,) if words else None


ORDERS = {"rate": "by rate", "deprivation": "by deprivation (IMD 2019, most deprived at the top)"}


def _order(state: ViewState) -> str:
    return state.order or "rate"


def _with_deprivation(breakdown: pd.DataFrame) -> pd.DataFrame:
    """The comparison with each district's IMD 2019 rank (1 = most deprived in England), for ordering and the table."""
    ranks = opendata.deprivation().set_index("area_code")["imd_rank"]
    return breakdown.assign(imd_rank=breakdown["area_code"].map(ranks).astype("Int64"))


def _where(ds, code: str | None) -> str:
    return f" in {ds.area_name(code)}" if code else ""


def _actions(ds, priority: pd.Series, state: ViewState, code: str | None):
    pid = priority["priority_id"]
    actions = ds.actions_for(include_restricted=request_user() is not None, priority_id=pid, district=state.district)
    return actions_table(actions, caption=f"Actions for {priority['name']}{_where(ds, code)}, with their latest status")


def _drawn_for(ds, priority_id: str, state: ViewState) -> dict:
    """What a drawn page depends on besides the district; a change of any of these renders it again."""
    return {"priority": priority_id, "from": state.start, "to": state.end, "present": state.present,
            "indicator": _comparable(ds, priority_id, state)[1], "order": _order(state)}


SLIDE_MONTHS = 48
"""A slide's chart shows up to this many months, ending at the figures the meeting sees."""


def _slide(ds, pid: str, state: ViewState):
    """The priority as one committee slide (present=1)."""
    deck = briefing.deck(ds, district=state.district, end=state.end_ts,
                         include_restricted=request_user() is not None)
    brief = deck.brief(pid)
    figure, caption, breakdown, total, window = None, "", pd.DataFrame(), "", ""
    if brief.indicator_id:
        iid = brief.indicator_id
        ind = ds.indicator(iid)
        start = state.start_ts or deck.data_end - pd.DateOffset(months=SLIDE_MONTHS - 1)
        reveal = request_user() is not None
        trend = ds.trend(iid, brief.area_code, start, deck.data_end, reveal=reveal)
        breaks = [(b.period, b.label) for b in ds.breaks(iid)]
        figure, basis = (slide_figure(trend, unit=ind["unit"], breaks=breaks, frequency=ds.frequency(iid))
                         if not trend.empty else (None, ""))
        shown = [f"Dashed line: {label}, {when:%b %Y}." for when, label in breaks
                 if not trend.empty and trend["period"].min() < when <= trend["period"].max()]
        caption = " ".join([f"{basis}. Source: {ind['source']}.", *shown])
        breakdown = briefing.district_rates(ds, iid, deck.data_end, reveal=reveal)
        judged = judgements.window_for(ds, iid, None, deck.data_end)
        window = (f"year to {judged.frequency.last_month(judged.end):%b %Y}" if judged is not None else "")
        total = ds.total_label(iid)
    return priority_slide(brief=brief, figure=figure, breakdown=breakdown, total_label=total, window=window,
                          caption=caption)


def layout(priority_id: str | None = None, **params):
    ds = runtime.dataset()
    priority = ds.priority(priority_id or "")
    if priority is None:
        return html.Div([html.H1("Priority not found", className="h3"),
                         html.P(f"There is no priority called {priority_id!r}. Choose one from the menu.")])
    state = from_params(params, set(ds.districts()["area_slug"]))
    if state.present:
        return _slide(ds, priority["priority_id"], state)
    code = ds.area_code_for_slug(state.district)
    pid = priority["priority_id"]
    where = _where(ds, code)
    cards = [trend_card(indicator=ind, view=view, coverage=ds.total_label(ind["indicator_id"]),
                        breaks=ds.breaks(ind["indicator_id"]), dates=data_dates(ds, ind["indicator_id"]),
                        control_shown=i == 0)
             for i, (ind, view) in enumerate(_trend_views(ds, pid, state, _reveal()))]
    return html.Div([
        dcc.Store(id="priority-view", data=_drawn_for(ds, pid, state)),
        html.H1(priority["name"], className="h3", id="priority-title"),
        html.P([html.Strong("Lead: "), priority["lead"]], className="mb-1"),
        html.P(priority["summary"] or "", className="lead-text"),
        html.H2(f"How the measures are moving{where}", className="h4 mt-3", id="priority-trends-heading"),
        html.Div(cards, className="trend-cards"),
        html.H2("Districts compared", className="h4 mt-3", id="districts-compared"),
        html.Div(_district_section(ds, pid, state, code)),
        html.H2(f"Actions{where}", className="h4 mt-3", id="priority-actions-heading"),
        legend(),
        html.Div(_actions(ds, priority, state, code), id="priority-actions"),
    ])


def _trend_part(part: str) -> dict:
    return part_id("trend", ALL, part)


@dash.callback(
    Output("priority-trends-heading", "children"),
    Output("priority-actions-heading", "children"),
    Output("priority-actions", "children"),
    Output(_trend_part("title"), "children"),
    Output(_trend_part("graph-0"), "figure"),
    Output(_trend_part("graph-1"), "figure"),
    Output(_trend_part("summary"), "children"),
    Output(_trend_part("caption"), "children"),
    Output(_trend_part("table"), "children"),
    Output(_trend_part("csv"), "href"),
    Output(part_id("districts", ALL, "graph-0"), "figure"),
    Output(part_id("districts", ALL, "graph-1"), "figure"),
    Output({"type": "indicator-choice", "indicator": ALL}, "href"),
    Input("url", "search"),
    State("url", "pathname"),
    State("priority-view", "data"),
    State(_trend_part("graph-0"), "id"),
    State(part_id("districts", ALL, "graph-0"), "id"),
    State({"type": "indicator-choice", "indicator": ALL}, "id"),
    prevent_initial_call=True,
)
@reads_only
def show_district(search, pathname, drawn, trend_ids, district_ids, choice_ids):
    """The district changed on this priority page: update what depends on it, nothing else.

    Does nothing when the page is being left or re-rendered (another page, or a different period or
    mode in the URL than the page was drawn for): the page's own render then shows the new state."""
    ds = runtime.dataset()
    if not isinstance(drawn, dict):
        raise PreventUpdate
    state = from_search(search, set(ds.districts()["area_slug"]))
    priority = ds.priority(drawn.get("priority") or "")
    if priority is None or pathname != f"{PREFIX}{priority['priority_id']}" or drawn != _drawn_for(
            ds, priority["priority_id"], state):
        raise PreventUpdate
    pid = priority["priority_id"]
    code = ds.area_code_for_slug(state.district)
    reveal = _reveal()
    views = {ind["indicator_id"]: v for ind, v in _trend_views(ds, pid, state, reveal)}
    shown = [views[i["key"]] for i in trend_ids]
    bars, funnels = [], []
    for card in district_ids:
        verdicts = judgements.verdicts(ds, card["key"], state.start_ts, state.end_ts, reveal=reveal)
        bar, funnel = highlighted_figures(_with_deprivation(judgements.comparison_frame(verdicts)),
                                          judgements.funnel(ds, card["key"], state.start_ts, state.end_ts),
                                          total_label=ds.total_label(card["key"]), selected_code=code,
                                          order=_order(state))
        bars.append(bar)
        funnels.append(funnel)
    where = _where(ds, code)
    return (
        f"How the measures are moving{where}",
        f"Actions{where}",
        _actions(ds, priority, state, code),
        [v.title for v in shown],
        [v.figure for v in shown],
        [v.control for v in shown],
        [summary_block(v, "").children for v in shown],
        [v.caption for v in shown],
        [markdown_table(v.table) for v in shown],
        [v.download_href for v in shown],
        bars,
        funnels,
        [_choice_href(pid, state, i["indicator"]) for i in choice_ids],
    )
