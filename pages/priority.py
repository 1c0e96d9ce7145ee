"""One priority: its lead and context, a trend card per indicator, districts compared, its actions.

Choosing a district on this page does not rebuild it: `show_district` updates only what depends on
the district (each trend card's title, chart, summary, table and CSV link; the district picked out
in the comparison charts; the measure links; the actions), so existing charts are redrawn in place.
Any other change of the query string (period, measure, committee mode, meeting) renders the page again.

The context is the partners' words for the meeting the meeting page shows by default (or the one
``?meeting=YYYY-MM-DD`` names), as kcsp.pack_texts keeps them; the priority's lead or an admin edits it
here (`save_context`, never kept as an answer: it writes). The slide shows its first words.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.actions_table import actions_table
from components.brag import legend
from components.cards import markdown_table, part_id
from components.comparator_card import comparator_card
from components.context_text import context_block, context_editor
from components.indicator_cards import district_card, highlighted_figures, summary_block, trend_card, trend_view
from components.slides import priority_slide, slide_figure
from kcsp import access, briefing, comparators, judgements, meetings, pack_texts, runtime
from kcsp.judgements import CHANGE, COMPARISON
from kcsp.narrative import change_sentence, comparison_sentence, data_dates, districts_sentence
from kcsp.updates import Conflict, Invalid, UpdateError
from kcsp.urlstate import ViewState, from_params, from_search
from web.answers import reads_only
from web.auth import request_user


def title(priority_id: str | None = None, **_params) -> str:
    """The browser tab names the priority shown."""
    priority = runtime.dataset().priority(priority_id or "")
    return f"{priority['name'] if priority is not None else 'Priority not found'} - {runtime.product_name()}"


dash.register_page(__name__, path_template="/priority/<priority_id>", title=title, name="Priority", charts=True)

PREFIX = "/priority/"


def _reveal() -> bool:
    """Signed-in viewers see figures withheld from the public (marked): kcsp.access decides."""
    return access.reveals_withheld(request_user())


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
    card = district_card(indicator=ds.indicator(chosen), verdicts=verdicts, breakdown=_with_deprivation(breakdown, ds),
                         limits=judgements.funnel(ds, chosen, state.start_ts, state.end_ts, reveal=_reveal()),
                         boundaries=ds.boundaries, total_label=total, selected_code=code,
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
    words = judgements.spread_words(judgements.funnel_spread(ds, chosen, state.start_ts, state.end_ts,
                                                             reveal=_reveal()),
                                    breakdown["benchmark"].dropna().iloc[0] if breakdown["benchmark"].notna().any()
                                    else None)
    return (words,) if words else None


ORDERS = {"rate": "by rate", "deprivation": "by deprivation (IMD 2019, most deprived at the top)"}


def _order(state: ViewState) -> str:
    return state.order or "rate"


def _with_deprivation(breakdown: pd.DataFrame, ds=None) -> pd.DataFrame:
    """The comparison with each district's IMD 2019 rank (1 = most deprived in England), for ordering and the table."""
    ds = ds or runtime.dataset()
    ranks = ds.tables["deprivation"].set_index("area_code")["imd_rank"]
    return breakdown.assign(imd_rank=breakdown["area_code"].map(ranks).astype("Int64"))


def _where(ds, code: str | None) -> str:
    return f" in {ds.area_name(code)}" if code else ""


def _actions(ds, priority: pd.Series, state: ViewState, code: str | None):
    pid = priority["priority_id"]
    actions = ds.actions_for(include_restricted=access.sees_restricted(request_user()), priority_id=pid,
                             district=state.district)
    return actions_table(actions, caption=f"Actions for {priority['name']}{_where(ds, code)}, with their latest status")


def _drawn_for(ds, priority_id: str, state: ViewState, meeting: str | None = None) -> dict:
    """What a drawn page depends on besides the district; a change of any of these renders it again."""
    return {"priority": priority_id, "from": state.start, "to": state.end, "present": state.present,
            "indicator": _comparable(ds, priority_id, state)[1], "order": _order(state), "meeting": meeting}


CONTEXT = "priority-context"
EDITOR = {part: f"context-{part}" for part in ("summary", "body", "references", "target", "save", "message")}
FIELD_LABELS = {"body": "Context", "references": "References", "expected_version": "Version",
                "meeting_id": "Meeting", "part": "Priority"}


def _meeting_param(params: dict) -> str | None:
    """The ?meeting=YYYY-MM-DD asked for, if any (the first, when it is given twice)."""
    value = params.get("meeting")
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def _context_block(ds, priority_id: str, meeting: meetings.Meeting, *, compact: bool = False):
    """The priority's context for the meeting, as written by the end of today (a priority's context is
    never carried from another meeting)."""
    row = pack_texts.context(ds.tables["pack_texts"], meeting.meeting_id, priority_id,
                             pack_texts.cutoff_for(ds.today))
    late = row is not None and pack_texts.cutoff_for(meeting.date) <= pack_texts.stamp(row["written_at"])
    heading = f"Context for {meeting.date.day} {meeting.date:%B %Y}" if compact else f"Context for {meeting.name}"
    return context_block(row, heading=heading, compact=compact,
                         meta_text="Written after the meeting was held." if late else None)


def _editor(ds, priority_id: str, meeting: meetings.Meeting):
    """The form that writes the context, for an admin or the priority's lead (None for anyone else)."""
    user = request_user()
    if not access.can(user, access.WRITE_PACK_TEXTS, priority=priority_id):
        return None
    texts = ds.tables["pack_texts"]
    mine = pack_texts.latest(texts, meeting.meeting_id, priority_id)
    note, start = None, mine
    if mine is None:
        earlier = pack_texts.previous_context(texts, ds.all_meetings, meeting.meeting_id, priority_id)
        if earlier is not None:
            start = earlier.row
            name = ds.all_meetings.set_index("meeting_id")["name"].get(earlier.meeting_id, earlier.meeting_id)
            note = (f"The form starts from the context written for {name}: change it for this meeting before "
                    "saving.")

    def text(name: str) -> str:
        value = None if start is None else start[name]
        return value if isinstance(value, str) else ""

    target = {"meeting_id": meeting.meeting_id, "priority_id": priority_id,
              "version": 0 if mine is None else int(mine["version"])}
    return context_editor(ids=EDITOR, body=text("body"), references=text("references"), target=target, note=note,
                          max_body=pack_texts.MAX_BODY, max_references=pack_texts.MAX_REFERENCES)


def _context_section(ds, priority_id: str, meeting_value: str | None) -> list:
    try:
        view = meetings.meeting_view(ds.meetings, meeting_value, ds.today)
    except meetings.MeetingError as err:
        return [html.Div([html.H2("Context", className="h4 mt-3"), html.P(str(err))], id=CONTEXT)]
    return [html.Div(_context_block(ds, priority_id, view.meeting), id=CONTEXT),
            _editor(ds, priority_id, view.meeting)]


SLIDE_HEADER = {"display": "grid", "gridTemplateColumns": "auto minmax(18rem, 1fr)", "columnGap": "1.25rem",
                "alignItems": "start"}
SLIDE_MONTHS = 48
"""A slide's chart shows up to this many months, ending at the figures the meeting sees."""


def _slide(ds, pid: str, state: ViewState, meeting_value: str | None = None):
    """The priority as one committee slide (present=1), with the start of its context for the meeting."""
    deck = briefing.deck(ds, district=state.district, end=state.end_ts,
                         include_restricted=access.sees_restricted(request_user()))
    brief = deck.brief(pid)
    figure, caption, breakdown, total, window = None, "", pd.DataFrame(), "", ""
    if brief.indicator_id:
        iid = brief.indicator_id
        ind = ds.indicator(iid)
        start = state.start_ts or deck.data_end - pd.DateOffset(months=SLIDE_MONTHS - 1)
        reveal = _reveal()
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
    slide = priority_slide(brief=brief, figure=figure, breakdown=breakdown, total_label=total, window=window,
                           caption=caption)
    try:
        view = meetings.meeting_view(ds.meetings, meeting_value, ds.today)
    except meetings.MeetingError:
        return slide
    # The context's first words go beside the name and lead, where the slide has room, so the slide keeps
    # its height.
    header = slide.children[0]
    header.children = [html.Div(header.children), _context_block(ds, pid, view.meeting, compact=True)]
    header.style = SLIDE_HEADER
    return slide


def layout(priority_id: str | None = None, **params):
    ds = runtime.dataset()
    priority = ds.priority(priority_id or "")
    if priority is None:
        return html.Div([html.H1("Priority not found", className="h3"),
                         html.P(f"There is no priority called {priority_id!r}. Choose one from the menu.")])
    state = from_params(params, set(ds.districts()["area_slug"]))
    meeting_value = _meeting_param(params)
    if state.present:
        return _slide(ds, priority["priority_id"], state, meeting_value)
    code = ds.area_code_for_slug(state.district)
    pid = priority["priority_id"]
    where = _where(ds, code)
    cards = [trend_card(indicator=ind, view=view, coverage=ds.total_label(ind["indicator_id"]),
                        breaks=ds.breaks(ind["indicator_id"]), dates=data_dates(ds, ind["indicator_id"]),
                        control_shown=i == 0)
             for i, (ind, view) in enumerate(_trend_views(ds, pid, state, _reveal()))]
    cards += _national_cards(ds, pid, state)
    return html.Div([
        dcc.Store(id="priority-view", data=_drawn_for(ds, pid, state, meeting_value)),
        html.H1(priority["name"], className="h3", id="priority-title"),
        html.P([html.Strong("Lead: "), priority["lead"]], className="mb-1"),
        html.P(priority["summary"] or "", className="lead-text"),
        *_context_section(ds, pid, meeting_value),
        html.H2(f"How the measures are moving{where}", className="h4 mt-3", id="priority-trends-heading"),
        html.Div(cards, className="trend-cards"),
        html.H2("Districts compared", className="h4 mt-3", id="districts-compared"),
        html.Div(_district_section(ds, pid, state, code)),
        html.H2(f"Actions{where}", className="h4 mt-3", id="priority-actions-heading"),
        legend(),
        html.Div(_actions(ds, priority, state, code), id="priority-actions"),
    ])


def _national_cards(ds, pid: str, state: ViewState) -> list:
    """Each measure of the priority that has a national comparator (kcsp.comparators), for its total."""
    cards = []
    for iid in ds.indicators.loc[ds.indicators["priority_id"] == pid, "indicator_id"]:
        if ds.has_data(iid) and comparators.has_comparator(ds, iid):
            frame = comparators.comparison(ds, iid, None, state.start_ts, state.end_ts, reveal=_reveal())
            card = comparator_card(indicator=ds.indicator(iid), frame=frame, dates=data_dates(ds, iid))
            if card is not None:
                cards.append(card)
    return cards


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
    meeting_value = _meeting_param(parse_qs((search or "").lstrip("?")))
    if priority is None or pathname != f"{PREFIX}{priority['priority_id']}" or drawn != _drawn_for(
            ds, priority["priority_id"], state, meeting_value):
        raise PreventUpdate
    pid = priority["priority_id"]
    code = ds.area_code_for_slug(state.district)
    reveal = _reveal()
    views = {ind["indicator_id"]: v for ind, v in _trend_views(ds, pid, state, reveal)}
    shown = [views[i["key"]] for i in trend_ids]
    bars, funnels = [], []
    for card in district_ids:
        verdicts = judgements.verdicts(ds, card["key"], state.start_ts, state.end_ts, reveal=reveal)
        bar, funnel = highlighted_figures(_with_deprivation(judgements.comparison_frame(verdicts), ds),
                                          judgements.funnel(ds, card["key"], state.start_ts, state.end_ts,
                                                            reveal=reveal),
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


def _problems(err: Invalid) -> html.Div:
    return html.Div([html.Strong("The context was not saved. "),
                     html.Ul([html.Li(f"{FIELD_LABELS.get(f, f)}: {why}") for f, why in err.problems.items()])],
                    className="alert alert-danger", id="context-invalid")


@dash.callback(
    Output(CONTEXT, "children"),
    Output(EDITOR["target"], "data"),
    Output(EDITOR["message"], "children"),
    Input(EDITOR["save"], "n_clicks"),
    State(EDITOR["body"], "value"),
    State(EDITOR["references"], "value"),
    State(EDITOR["target"], "data"),
    prevent_initial_call=True,
)
def save_context(_clicks, body, references, target):
    """Write the context through kcsp.pack_texts (as the API does). The form keeps what was typed
    whatever happens; on a stale version the other writer's text is shown and the form builds on it."""
    if not isinstance(target, dict):
        return no_update, no_update, html.Div("Open the priority's page again to edit its context.",
                                               className="alert alert-danger")
    meeting_id, priority_id = target.get("meeting_id"), target.get("priority_id")
    try:
        saved = pack_texts.write_text(runtime.store(), request_user(), meeting_id, priority_id, body,
                                      references, target.get("version"))
    except Conflict as err:
        latest = err.latest or {}
        shown = _shown_context(priority_id, meeting_id)
        return shown, {**target, "version": err.current_version}, html.Div([
            html.Strong("Someone else saved this context first. "),
            f"{latest.get('written_by', 'Someone')} saved version {err.current_version}, now shown above. Your "
            "text is still in the form: save again to replace theirs with it.",
        ], className="alert alert-warning", id="context-conflict")
    except Invalid as err:
        return no_update, no_update, _problems(err)
    except UpdateError as err:
        return no_update, no_update, html.Div(["The context was not saved: ", err.message, "."],
                                              className="alert alert-danger")
    return _shown_context(priority_id, meeting_id), {**target, "version": saved.version}, html.Div(
        f"Saved as version {saved.version} ({saved.text_id}).", className="alert alert-success", id="context-saved")


def _shown_context(priority_id: str, meeting_id: str):
    ds = runtime.dataset()
    found = [m for m in meetings.calendar(ds.all_meetings) if m.meeting_id == meeting_id]
    return _context_block(ds, priority_id, found[0]) if found else no_update
