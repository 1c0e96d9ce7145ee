"""Meetings: choose a meeting, see what changed since the previous one, and its meeting pack.

`/meeting?meeting=YYYY-MM-DD` selects a meeting (default: the next one). The page lists measures
with new data, significant changes and actions whose status moved since the previous meeting, then
the pack: one section per priority. Printing the page (or `&pack=1`, the pack alone) gives one
page per priority; `python -m kcsp meeting-pack` renders that to PDF.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.brag import legend
from components.briefing import cover_changes, cover_moves, pack_cover
from components.context_text import context_block
from components.matters import matters_list_for_pack, matters_section
from components.meeting import (
    calendar_table,
    meeting_error,
    meeting_facts,
    moves_table,
    new_data_table,
    pack_actions_table,
    pack_changes,
    pack_chart,
    pack_figure,
    pack_moves,
    pack_page,
    published_list,
    significant_table,
)
from components.slides import since_slide
from kcsp import (
    access,
    briefing,
    comparators,
    history,
    judgements,
    matters,
    meetings,
    pack_texts,
    published,
    rounds,
    runtime,
)
from kcsp.narrative import CHANGE_METHOD, CHANGE_SHORT, data_dates, figures_to, join_words, priority_narrative
from kcsp.urlstate import from_params
from web.auth import request_user

dash.register_page(__name__, path="/meeting", title=runtime.page_title("Meetings"), name="Meetings",
                   charts=True)

CHOICE = "meeting-choice"
LOCATION = "meeting-location"
PRINT = "pack-print"


def _href(iso: str, state, **extra) -> str:
    params = {"meeting": iso, **extra}
    if state.district:
        params["district"] = state.district
    if state.present and not extra.get("pack"):
        params["present"] = "1"
    return "/meeting?" + urlencode(params)


def _chooser(every, selected: str | None) -> html.Div:
    options = [{"label": m.name, "value": m.iso} for m in reversed(every)]
    return html.Div([
        dcc.Location(id=LOCATION, refresh="callback-nav"),
        html.Label("Choose a meeting", htmlFor=CHOICE, className="form-label fw-semibold mb-0"),
        dbc.Select(id=CHOICE, options=options, value=selected, className="meeting-choice"),
    ], className="no-print mb-3", style={"maxWidth": "40rem"})


def _since_text(change: meetings.PriorityChange | None, previous) -> str | None:
    if previous is None or change is None:
        return None
    parts = []
    if change.new_measures:
        parts.append(f"new data for {join_words(list(change.new_measures))}")
    if change.moved_actions:
        parts.append(f"{change.moved_actions} action{'s' if change.moved_actions > 1 else ''} changed status")
    what = join_words(parts) if parts else "no new data and no change of action status"
    return f"Since {previous.name}: {what}."


def _pack_chart(ds, priority, state, view, reveal: bool):
    headline = priority["headline_indicator_id"]
    if not isinstance(headline, str) or not ds.has_data(headline):
        return None
    ind = ds.indicator(headline)
    freq = ds.frequency(headline)
    code = judgements.shown_area(ds, headline, state.district)
    stop = min(t for t in (state.end_ts, view.data_end) if t is not None)
    series = ds.trend(headline, code, state.start_ts, stop, reveal=reveal)
    if series.empty:
        return None
    breaks = ds.breaks(headline)
    span = freq.span(series["period"].min(), series["period"].max())
    notes = [f"Unit: {ind['unit']}. Source: {ind['source']}. {data_dates(ds, headline, view.data_end)}"]
    notes += [f"Series break, {b.period:%B %Y}: {b.description}" for b in breaks
              if series["period"].min() < b.period <= series["period"].max()]
    return pack_chart(chart_id=f"pack-chart-{priority['priority_id']}",
                      title=f"{ind['name']}: {ds.area_name(code)}, by {freq.noun}, {span}", note=" ".join(notes),
                      illustrative=bool(ind["illustrative"]),
                      figure=pack_figure(series, unit=ind["unit"], breaks=[(b.period, b.label) for b in breaks],
                                         frequency=freq))


def _district_name(ds, state) -> str | None:
    return ds.area_name(ds.area_code_for_slug(state.district)) if state.district else None


def _where(ds, state) -> str:
    county = ds.register.county_name
    return f"{_district_name(ds, state)} beside {county}" if state.district else county


def _scoped(ds, district: str | None, view, include_restricted: bool):
    """What changed since the previous meeting (new data, significant changes, status moves), for the
    county (district None) or a district: its own figures and the actions covering it."""
    code = ds.area_code_for_slug(district)
    fresh = meetings.new_data(ds, view.since, view.as_at, area_code=code)
    changes = (meetings.district_changes(ds, view.data_end, district, reveal=include_restricted, since=view.since)
               if district else
               meetings.significant_changes(ds, view.data_end, reveal=include_restricted, since=view.since))
    moved = meetings.action_moves(ds, view.since, view.as_at, include_restricted=include_restricted,
                                  district=district)
    return fresh, changes, moved


def _in_county(ds, state) -> str:
    return f", {ds.register.county_name}" if state.district else ""


def _local_sections(ds, state, view, include_restricted: bool, names: dict[str, str]) -> list:
    """With a district chosen: its new data and significant changes, before the county's."""
    if not state.district:
        return []
    name = _district_name(ds, state)
    fresh, significant, _ = _scoped(ds, state.district, view, include_restricted)
    return [
        html.H2(f"Measures with new data, {name}", className="h4 mt-3", id="district-new-data"),
        html.Div(new_data_table(fresh, names), id="district-new-data-table"),
        html.H2(f"Significant changes, {name}", className="h4 mt-3", id="district-changes"),
        html.Div(significant_table(significant, names), id="district-changes-table"),
    ]


def _download(iso: str, state) -> html.Div:
    """The pack as PDF, built on the server (assets/30-pack-download.js shows progress while it builds)."""
    params = {"meeting": iso, **({"district": state.district} if state.district else {})}
    return html.Div([
        html.A("Download the meeting pack (PDF)", href="/meeting/pack.pdf?" + urlencode(params), id="pack-download",
               className="btn btn-primary", **{"data-filename": f"meeting-pack-{iso}.pdf"}),
        html.Div(id="pack-download-status", className="pack-download-status", role="status",
                 **{"aria-live": "polite"}),
    ], className="pack-download no-print my-2")


def _since_last(live, view, state, include_restricted: bool, names: dict[str, str]) -> html.Section | None:
    """On the partnership's last meeting held: what changed since it, to today (what the home cards
    count and link to), apart from the meeting's own record above."""
    span = meetings.since_last(live.meetings, live.last_meeting(), live.today)
    if span is None or span.previous.meeting_id != view.meeting.meeting_id or span.as_at <= view.meeting.date:
        return None
    fresh, significant, moved = _scoped(live, state.district, span, include_restricted)
    words = meetings.since_last_words(span)
    return html.Section([
        html.H2(f"What changed {words}", className="h4 mt-3", id="since-last-meeting"),
        html.P("The home page's cards count these. The rest of this page is the meeting's own record, as it "
               "stood on the day.", className="small"),
        html.H3("Measures with new data", className="h5"),
        new_data_table(fresh, names),
        html.H3("Significant changes", className="h5"),
        significant_table(significant, names),
        html.H3("Actions whose status moved", className="h5"),
        moves_table(moved, names),
    ], className="since-last-meeting no-print")


def _published(live, view, state, include_restricted: bool) -> html.Section | None:
    """The meeting's published packs (for the county: a district's pack is made, never published)."""
    if state.district:
        return None
    audience = access.PARTNERS if include_restricted else access.PUBLIC
    table = live.tables["published_packs"]
    mine = published.versions(table[table["audience"] == audience], view.meeting.meeting_id)
    iso = view.meeting.iso
    return published_list(mine, href_for=lambda n: f"/meeting/pack.pdf?{urlencode({'meeting': iso, 'version': n})}")


def _cover(ds, state, view, include_restricted: bool) -> html.Section:
    names = dict(zip(ds.priorities["priority_id"], ds.priorities["name"], strict=True))
    briefs = briefing.priority_briefs(ds, district=state.district, data_end=view.data_end, since=view.since,
                                      as_at=view.as_at, previous_name=view.previous.name if view.previous else None,
                                      include_restricted=include_restricted)
    _, changes, moved = _scoped(ds, state.district, view, include_restricted)
    access = ("This pack holds restricted actions, each marked (restricted): not for circulation beyond the "
              "partnership." if include_restricted else
              "Restricted actions are left out of this pack: partners who sign in get the full pack, with them "
              "marked.")
    where = _where(ds, state)
    return pack_cover(
        title=f"{view.meeting.name}: meeting pack" + (f", {where}" if state.district else ""),
        facts=[meetings.period_words(view),
               f"As it stood on {view.as_at:%d %B %Y}: actions, updates and figures recorded by then, for "
               f"months complete by then (to {view.data_end:%B %Y}). {CHANGE_SHORT[0].upper()}{CHANGE_SHORT[1:]}."],
        access=access, briefs=briefs, where=where,
        changes=cover_changes(changes, names), moves=cover_moves(moved, names),
    )


def _national(ds, pid: str, state, view, reveal: bool) -> str | None:
    """The priority's measures beside their national rate (kcsp.comparators), latest period each."""
    rows = ds.indicators[ds.indicators["priority_id"] == pid]
    words = []
    for iid in rows["indicator_id"]:
        if ds.has_data(iid) and comparators.has_comparator(ds, iid):
            area = judgements.shown_area(ds, iid, state.district)
            said = comparators.words(comparators.comparison(ds, iid, area, None, view.data_end, reveal=reveal))
            if said:
                words.append(f"{ds.indicator(iid)['name']}: {said}")
    return ("National comparison. " + " ".join(words)) if words else None


def _introduction(ds, view) -> html.Section:
    """The pack's introduction, as the partnership last wrote it by the meeting (carried from an earlier
    meeting when this one has none of its own)."""
    found = pack_texts.introduction(ds.tables["pack_texts"], ds.tables["meetings"], view.meeting.meeting_id,
                                    history.cutoff_of(view.as_at))
    carried = None
    if found is not None and found.meeting_id != view.meeting.meeting_id:
        names = dict(zip(ds.all_meetings["meeting_id"], ds.all_meetings["name"], strict=True))
        carried = f"Written for {names.get(found.meeting_id, found.meeting_id)} and carried forward."
    return html.Section([
        html.P(f"{view.meeting.name}: meeting pack, introduction", className="pack-running-head"),
        context_block(found.row if found is not None else None, heading="Introduction", meta_text=carried,
                      heading_class="h2", empty_text="The partnership has not written an introduction yet."),
    ], className="pack-page pack-introduction", id="pack-introduction")


def _context(ds, view, pid: str) -> html.Section:
    row = pack_texts.context(ds.tables["pack_texts"], view.meeting.meeting_id, pid, history.cutoff_of(view.as_at))
    return context_block(row, heading=f"Context from the partners, for {view.meeting.name}",
                         heading_class="h6 mt-2 mb-1",
                         empty_text="No context was written for this meeting.")


def _with_round(actions: pd.DataFrame, missing: set[str]) -> pd.DataFrame:
    """Actions of the meeting's update round with no update by its deadline (kcsp.rounds), marked so: their
    progress is the last one given before the round, and says so."""
    if not missing:
        return actions
    late = actions["action_id"].isin(missing)
    return actions.assign(
        standing=actions["standing"].where(~late, "No update by the round's deadline"),
        progress=actions["progress"].where(~late, "Last update, before this round: " + actions["progress"].fillna("")))


def _pack_matters(frame: pd.DataFrame, name: str) -> html.Div | None:
    if frame.empty:
        return None
    return html.Div([html.H3(f"Matters arising for {name}", className="h6 mb-1"), matters_list_for_pack(frame)])


def _running_head(ds, view, pri, i: int, total: int) -> str:
    headline = pri["headline_indicator_id"]
    last = (figures_to(ds, headline, view.data_end)
            if isinstance(headline, str) and ds.has_indicator(headline) else None)
    figures = (f"{ds.indicator(headline)['name']}: figures to {ds.frequency(headline).label(last)}"
               if last is not None else "No headline figures")
    return (f"{view.meeting.name}: meeting pack, priority {i} of {total}. {figures}; actions as at "
            f"{view.as_at:%d %B %Y}.")


def _matters(ds, view) -> pd.DataFrame:
    """The matters arising the meeting lists (kcsp.matters), as recorded by the meeting's cut-off."""
    try:
        return matters.for_meeting(ds.tables["matters_arising"], ds.tables["meetings"], view.meeting.meeting_id,
                                   history.cutoff_of(view.as_at), priorities=ds.priorities)
    except KeyError:  # a meeting the calendar did not hold at its day
        return pd.DataFrame(columns=matters.COLUMNS)


def _pack(ds, state, view, include_restricted: bool) -> html.Div:
    """The meeting pack: a cover, then a page per priority (narrative, headline chart, every action the
    cover counts, and every status move and significant change since the previous meeting)."""
    names = dict(zip(ds.priorities["priority_id"], ds.priorities["name"], strict=True))
    changes = meetings.changes_by_priority(ds, view.since, view.as_at, include_restricted=include_restricted)
    _, significant, moved = _scoped(ds, state.district, view, include_restricted)
    arising = _matters(ds, view)
    missing = rounds.no_update_actions(ds, view.meeting.meeting_id)
    total = len(ds.priorities)
    pages, charts = [_cover(ds, state, view, include_restricted), _introduction(ds, view)], 0
    for i, (_, pri) in enumerate(ds.priorities.iterrows(), start=1):
        pid = pri["priority_id"]
        chart = _pack_chart(ds, pri, state, view, include_restricted)
        charts += chart is not None
        acts = _with_round(meetings.pack_actions(ds, pid, view.since, include_restricted=include_restricted,
                                                 district=state.district), missing)
        mine = significant[significant["priority_id"] == pid]
        mine.attrs.update(significant.attrs)
        pages.append(pack_page(
            priority_id=pid, name=pri["name"], lead=pri["lead"],
            running_head=_running_head(ds, view, pri, i, total),
            narrative=priority_narrative(ds, pid, state, end=view.data_end, reveal=include_restricted),
            since=_since_text(changes.get(pid), view.previous),
            chart=chart,
            actions=pack_actions_table(acts, caption=f"Actions for {pri['name']}: status and latest progress as at "
                                                     f"{view.as_at:%d %B %Y}"),
            moves=pack_moves(moved[moved["priority_id"] == pid], since=meetings.since_words(view)),
            changes=pack_changes(mine, names, since=meetings.since_words(view)),
            matters=_pack_matters(arising[arising["owner"] == pid], pri["name"]),
            national=_national(ds, pid, state, view, include_restricted),
            context=_context(ds, view, pid),
        ))
    return html.Div(pages, className="pack-view", id="pack-view", **{"data-charts": str(charts)})


def _since_slide(ds, state, view, include_restricted: bool) -> html.Div:
    """Committee mode: what changed since the previous meeting, on one screen."""
    names = dict(zip(ds.priorities["priority_id"], ds.priorities["name"], strict=True))
    fresh, significant, moved = _scoped(ds, state.district, view, include_restricted)
    since = (f"Since {view.previous.name}" if view.previous is not None else "Everything so far")
    return since_slide(
        title=f"{since}{', ' + _district_name(ds, state) if state.district else ''}",
        subtitle=f"For {view.meeting.name}. Figures to {view.data_end:%B %Y}; actions as at {view.as_at:%d %B %Y}.",
        changes=significant, moves=moved, new_count=len(fresh), names=names)


def _facts(view) -> html.Dl:
    m = view.meeting
    when = "still to come" if view.upcoming else "held"
    previous = view.previous.name if view.previous is not None else "none: this is the first meeting in the calendar"
    return meeting_facts([
        ("Meeting", f"{m.name} ({when})"),
        ("Compared with", previous),
        ("Figures", f"months complete by {view.as_at:%d %B %Y}: up to {view.data_end:%B %Y}"),
        ("Actions", f"status as at {view.as_at:%d %B %Y}"),
    ])


def _print_button(label: str) -> html.Button:
    return html.Button(label, id=PRINT, className="btn btn-outline-primary btn-sm no-print", type="button")


def layout(meeting: str | None = None, pack: str | None = None, **params):
    live = runtime.dataset()
    state = from_params(params, set(live.districts()["area_slug"]))
    every = meetings.calendar(live.meetings)
    include_restricted = access.audience(request_user()) == access.PARTNERS
    try:
        view, ds = runtime.meeting(meeting)
    except meetings.MeetingError as err:
        return html.Div([
            html.H1("Meetings", className="h3"),
            meeting_error(str(err)),
            _chooser(every, None),
            calendar_table(every, selected=None, href_for=lambda iso: _href(iso, state), expanded=True),
        ])
    iso = view.meeting.iso
    if state.present and pack != "1":
        return _since_slide(ds, state, view, include_restricted)
    if pack == "1":
        return html.Div([
            html.Div([
                html.H1(f"Meeting pack: {view.meeting.name}", className="h3"),
                html.P(["One page per priority. ", dcc.Link("Back to the meeting", href=_href(iso, state)), ". ",
                        "Progress updates in the demonstration store are illustrative."]),
                _print_button("Print the pack"),
                _chooser(every, iso),
            ], className="no-print mb-3"),
            _pack(ds, state, view, include_restricted),
        ])
    names = dict(zip(ds.priorities["priority_id"], ds.priorities["name"], strict=True))
    fresh, significant, _ = _scoped(ds, None, view, include_restricted)
    _, _, moved = _scoped(ds, state.district, view, include_restricted)
    local = _local_sections(ds, state, view, include_restricted, names)
    screen = html.Div([
        html.H1(f"Meetings: {view.meeting.name}", className="h3"),
        html.P("What changed since the previous meeting, and the meeting pack: one page per priority with its "
               "narrative, headline chart and actions.", className="lead-text"),
        _chooser(every, iso),
        _facts(view),
        _download(iso, state),
        _since_last(live, view, state, include_restricted, names),
        _published(live, view, state, include_restricted),
        matters_section(_matters(ds, view), heading_id="matters-arising",
                        empty_text="No matter arising is open or was answered for this meeting."),
        html.P([dcc.Link("Open the meeting pack", href=_href(iso, state, pack="1"), id="pack-link"),
                " (a cover, then one page per priority) or ", _print_button("print this page as the pack"), "."]),
        *local,
        html.H2(f"Measures with new data{_in_county(ds, state)}", className="h4 mt-3"),
        new_data_table(fresh, names),
        html.H2(f"Significant changes{_in_county(ds, state)}", className="h4 mt-3"),
        html.P(f"{CHANGE_METHOD} Only windows ending after the previous meeting are listed; no change is judged "
               "across a series break, with a period missing, or mixing real and illustrative figures.",
               className="small"),
        significant_table(significant, names),
        html.H2("Actions whose status moved" + (f", actions covering {_district_name(ds, state)}"
                                                 if state.district else ""), className="h4 mt-3"),
        legend(),
        moves_table(moved, names),
        html.H2("Calendar", className="h4 mt-3"),
        calendar_table(every, selected=iso, href_for=lambda d: _href(d, state)),
        html.H2("Meeting pack", className="h4 mt-3"),
    ], className="no-print")
    return html.Div([screen, _pack(ds, state, view, include_restricted)])


@callback(Output(LOCATION, "search"), Input(CHOICE, "value"), State(LOCATION, "search"), prevent_initial_call=True)
def choose_meeting(value, search):
    """Choosing a meeting writes ?meeting=YYYY-MM-DD (keeping the district and mode) into the URL. A value
    that is not a text (no meeting choice sends one) changes nothing."""
    if not isinstance(value, str) or not value:
        raise PreventUpdate
    search = search if isinstance(search, str) else None
    new = meetings.with_meeting(search, value)
    return new if new != (search or "") else no_update


clientside_callback(
    "function(n) { if (n) { window.print(); } return window.dash_clientside.no_update; }",
    Output(PRINT, "title"),
    Input(PRINT, "n_clicks"),
    prevent_initial_call=True,
)
