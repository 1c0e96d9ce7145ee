"""Overview: one card per priority of the Community Safety Agreement, and what changed since the
partnership last met."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components.brag import legend
from components.priority_card import changed_marker, priority_card
from components.rounds import due_panel
from components.slides import summary_slide
from kcsp import access, briefing, judgements, meetings, rounds, runtime
from kcsp.judgements import CHANGE, COMPARISON
from kcsp.narrative import CHANGE_SHORT, change_sentence, data_dates, fmt_count, join_words, priority_narrative
from kcsp.urlstate import from_params
from kcsp.vocabulary import MARKER
from web.auth import request_user

dash.register_page(__name__, path="/", title=runtime.page_title("Overview"), name="Overview",
                   charts=True)


def _marker(change: meetings.PriorityChange | None, last, state):
    """The 'changed since the last meeting' line of one card."""
    if last is None or change is None:
        return None
    when = f"{last['date']:%d %b %Y}"
    if not change.changed:
        return changed_marker(changed=False, text=f"No change since the last meeting ({when}).", href=None)
    parts = []
    if change.new_measures:
        count = len(change.new_measures)
        parts.append(f"new data for {count} measure{'s' if count > 1 else ''}")
    if change.moved_actions:
        parts.append(f"{change.moved_actions} action{'s' if change.moved_actions > 1 else ''} moved")
    search = meetings.with_meeting(state.query(), f"{last['date']:%Y-%m-%d}")
    return changed_marker(changed=True, text=f"{join_words(parts)} since {when}, to today.",
                          href=f"/meeting{search}#since-last-meeting")


def _card(ds, priority, state, counts, change, last, reveal: bool):
    headline = priority["headline_indicator_id"]
    indicator = ds.indicator(headline) if headline and ds.has_data(headline) else None
    href = f"/priority/{priority['priority_id']}{state.query()}"
    marker = _marker(change, last, state)
    if indicator is None:
        return priority_card(priority=priority, indicator=None, area_label="", series=None, latest_text="",
                             change=None, comparison=None, counts=counts, href=href, marker=marker)
    code = judgements.shown_area(ds, headline, state.district)
    series = ds.trend(headline, code, state.start_ts, state.end_ts, reveal=reveal)
    freq = ds.frequency(headline)
    shown = series.dropna(subset=["value"])
    rolling = series.dropna(subset=["rolling"])
    if not shown.empty:
        latest = shown.iloc[-1]
        latest_text = (f"{freq.label(latest['period'])}: {fmt_count(latest['value'])} {indicator['unit']}"
                       + (" (rounded to the nearest 5)" if latest["rounded"] else ""))
    elif not rolling.empty:
        latest = rolling.iloc[-1]
        latest_text = (f"{freq.count_words(freq.per_year)} to {freq.label(latest['period'])}: "
                       f"{fmt_count(latest['rolling'])} {indicator['unit']}"
                       + (" (rounded to the nearest 5)" if latest["rolling_rounded"] else ""))
    else:
        latest_text = "No figures to show in the chosen period"
    verdict = judgements.verdict(ds, headline, code, CHANGE, state.start_ts, state.end_ts, reveal=reveal)
    selected = ds.area_code_for_slug(state.district)
    comparison = (judgements.verdict(ds, headline, code, COMPARISON, state.start_ts, state.end_ts, reveal=reveal)
                  if selected and code == selected else None)
    return priority_card(
        priority=priority, indicator=indicator, area_label=ds.area_name(code),
        series=series if not shown.empty else series.assign(value=series["rolling"]),
        latest_text=latest_text, change=verdict, comparison=comparison, counts=counts, href=href, marker=marker,
        narrative=priority_narrative(ds, priority["priority_id"], state, reveal=reveal),
        change_sentence=change_sentence(verdict, indicator["unit"]), dates=data_dates(ds, headline),
    )


def _summary_slide(ds, state):
    try:
        view, ds = runtime.meeting(None)
    except meetings.MeetingError:
        view = None
    deck = briefing.deck(ds, district=state.district, end=state.end_ts,
                         include_restricted=access.sees_restricted(request_user()), view=view)
    where = ds.area_name(ds.area_code_for_slug(state.district)) if state.district else ds.register.county_name
    meeting = f"{deck.meeting_name}. " if deck.meeting_name else ""
    return summary_slide(
        title=f"Community Safety Agreement priorities: {where}",
        subtitle=f"{meeting}Figures to {deck.data_end:%B %Y}; {CHANGE_SHORT}.",
        briefs=deck.briefs, href_for=lambda pid: f"/priority/{pid}{state.query()}")


def layout(**params):
    ds = runtime.dataset()
    state = from_params(params, set(ds.districts()["area_slug"]))
    if state.present:
        return _summary_slide(ds, state)
    user = request_user()
    status = ds.actions_for(include_restricted=access.sees_restricted(user), district=state.district)
    counts = status.groupby(["priority_id", "status"]).size()
    last = ds.last_meeting()
    changes = meetings.changes_by_priority(ds, last["date"], ds.today) if last is not None else {}
    cards = [
        dbc.Col(_card(ds, p, state, counts.get(p["priority_id"], {}).to_dict()
                      if p["priority_id"] in counts.index.get_level_values(0) else {},
                      changes.get(p["priority_id"]), last, access.reveals_withheld(user)),
                xs=12, md=6, xl=3, className="mb-3")
        for _, p in ds.priorities.iterrows()
    ]
    where = ds.area_name(ds.area_code_for_slug(state.district)) if state.district else ds.register.county_name
    since = (f" The last partnership meeting was {last['name']}; cards marked {MARKER['changed'].shape} changed since "
             "then."
             if last is not None else "")
    return html.Div([
        html.H1(f"Community Safety Agreement priorities: {where}", className="h3"),
        due_panel(rounds.due_for(ds.tables, user, ds.today), user, ds.priorities),
        html.P("Each card shows the priority's headline measure, its latest value, whether it shows "
               "a significant change (its control chart, or a test against the year before), and the status of its "
               "actions. Choose a priority's name for the "
               "detail." + since, className="lead-text"),
        legend(),
        dbc.Row(cards, className="mt-3"),
    ])
