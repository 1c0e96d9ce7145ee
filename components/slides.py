"""Committee slides (present=1): the summary of every priority, what changed since the last meeting,
and one slide per priority, each laid out to fit a 1280x720 screen without scrolling.

Built from kcsp.briefing.PriorityBrief (verdicts in words come from there), a Dataset.trend frame
and a district breakdown. Text is at least 20px; the chart is static (no toolbar, no hover) with
few ticks, so its labels do not collide.
"""

from __future__ import annotations

import math

import pandas as pd
from dash import dcc, html

from components.brag import status_text
from components.briefing import counts_text, short, verdict_span
from components.cards import illustrative_badge
from components.palette import DARK_BLUE, ORANGE, TEXT
from components.verdicts import verdict_badge
from kcsp import judgements
from kcsp.narrative import change_short
from kcsp.vocabulary import term

SLIDE_CHART_HEIGHT = 200
CHART_FONT = 20
FLAGGED_SHOWN = 3
SINCE_SHOWN = 5
SLIDE_TITLE_CHARS = 58


MIN_ROLLING_POINTS = 12
"""With fewer rolling 12-month totals than this, the slide draws the monthly figures instead."""


def slide_figure(trend: pd.DataFrame, *, unit: str, breaks: list[tuple[pd.Timestamp, str]],
                 frequency) -> tuple[dict, str]:
    """The headline drawn large: a year's total by period (rolling, for monthly and quarterly figures),
    or for a short series the figures themselves; series breaks as dashed lines; one tick label per
    few periods so labels never collide. `trend` is Dataset.trend's; withheld values are gaps.

    Returns the figure and what it shows, in words.
    """
    per_year = 12 // frequency.months
    rolling = trend.dropna(subset=["rolling"])
    if per_year > 1 and len(rolling) >= MIN_ROLLING_POINTS:
        shown, column = rolling, "rolling"
        basis = f"{unit.capitalize()}, rolling total of {frequency.count_words(per_year)}"
    else:
        shown, column = trend.dropna(subset=["value"]), "value"
        basis = f"{unit.capitalize()} per {frequency.noun}"
    if "rounded" in trend and bool(trend["rounded"].any()):
        basis += ", rounded to the nearest 5"
    data = [{"type": "scatter", "mode": "lines+markers" if len(shown) < MIN_ROLLING_POINTS * 2 else "lines",
             "x": [f"{p:%Y-%m-%d}" for p in shown["period"]], "y": [float(v) for v in shown[column]],
             "line": {"color": DARK_BLUE, "width": 4}, "marker": {"size": 8}, "name": basis, "hoverinfo": "skip"}]
    shapes = [{"type": "line", "x0": f"{when:%Y-%m-%d}", "x1": f"{when:%Y-%m-%d}", "xref": "x", "y0": 0, "y1": 1,
               "yref": "y domain", "line": {"color": ORANGE, "dash": "dash", "width": 3}}
              for when, _ in breaks if not shown.empty and shown["period"].min() < when <= shown["period"].max()]
    step = max(1, math.ceil(len(shown) / 4)) * frequency.months
    axis = {"showline": True, "linecolor": TEXT, "ticks": "outside", "automargin": True,
            "tickfont": {"size": CHART_FONT}, "fixedrange": True}
    return {"data": data, "layout": {
        "height": SLIDE_CHART_HEIGHT, "margin": {"l": 10, "r": 30, "t": 10, "b": 10}, "showlegend": False,
        "font": {"family": "Arial, Helvetica, sans-serif", "size": CHART_FONT, "color": TEXT},
        "plot_bgcolor": "white", "paper_bgcolor": "white", "hovermode": False, "shapes": shapes,
        "xaxis": {**axis, "tickformat": "%b %Y", "dtick": f"M{step}",
                  "tick0": f"{shown['period'].min():%Y-%m-%d}" if not shown.empty else None},
        "yaxis": {**axis, "rangemode": "tozero", "separatethousands": True, "gridcolor": "#d8d8d8", "nticks": 4},
    }}, basis


def _chart(chart_id: str, figure: dict | None, caption: str) -> html.Figure:
    if figure is None:
        return html.Figure(html.P("No figures for this measure yet."), className="slide-chart")
    return html.Figure([
        dcc.Graph(id=chart_id, figure=figure, config={"staticPlot": True, "displayModeBar": False},
                  style={"height": f"{SLIDE_CHART_HEIGHT}px"}, className="slide-graph"),
        html.Figcaption(caption, className="slide-caption"),
    ], className="slide-chart")


def district_bars(frame: pd.DataFrame, *, total_label: str, window: str, selected_code: str | None = None) -> html.Div:
    """Every district's rate per 1,000 as a small bar, with its comparison verdict (kcsp.judgements)
    in shape + word + colour. `frame` is kcsp.judgements.comparison_frame's."""
    if frame.empty:
        return html.P("County figures only: no comparison by district.", className="slide-note")
    shown = frame[frame["verdict"].notna() & frame["rate"].notna()]
    top = float(shown["rate"].max()) if not shown.empty else 1.0
    rows = []
    for r in frame.sort_values("rate", ascending=False, na_position="last").itertuples(index=False):
        withheld = not isinstance(r.verdict, str)
        t = None if withheld else term(judgements.COMPARISON, r.verdict)
        width = 0 if withheld or pd.isna(r.rate) else max(2.0, float(r.rate) / (top or 1.0) * 100)
        rows.append(html.Li([
            html.Span(r.area_name, className="bar-name"),
            html.Span(html.Span(className="bar-fill", style={"width": f"{width:.0f}%",
                                                             "background": t.colour if t else "#6f777b"}),
                      className="bar-track", **{"aria-hidden": "true"}),
            html.Span("" if withheld or pd.isna(r.rate) else f"{r.rate:.1f}", className="bar-value"),
            html.Span([html.Span(t.shape, **{"aria-hidden": "true"}), f" {t.word}"] if t else "Withheld",
                      className=f"bar-word {t.css_class if t else 'verdict-withheld'}"),
        ], className="bar-row" + (" bar-selected" if r.area_code == selected_code else "")))
    return html.Div([
        html.P(f"Rate per 1,000 people, {window}" + (" (rounded)" if "rounded" in frame and frame["rounded"].any()
                                                      else ""), className="slide-label"),
        html.Ol(rows, className="district-bars"),
    ])


def _flagged(brief) -> html.Div:
    items = [html.Li([html.Span(status_text(status), className=f"brag-count-text brag-{status}"), " ",
                      short(title, SLIDE_TITLE_CHARS), " (restricted)" if restricted else ""], title=title)
             for _, title, status, restricted in brief.red_amber[:FLAGGED_SHOWN]]
    more = len(brief.red_amber) - FLAGGED_SHOWN
    if more > 0:
        items.append(html.Li(f"and {more} more on the full page"))
    return html.Div([
        html.H2("Actions", className="slide-h2"),
        counts_text(brief.counts),
        html.Ul(items, className="slide-list") if items else html.P("No action is red or amber.", className="mb-0"),
    ], className="slide-actions")


def priority_slide(*, brief, figure: dict | None, breakdown: pd.DataFrame, total_label: str, window: str,
                   caption: str) -> html.Div:
    """One priority on one screen: name and lead, headline chart, verdicts in words, districts at a
    glance, actions by status with the red and amber ones by title, what changed since the last meeting."""
    comparison = (html.P(["Compared with the county: ", verdict_span(brief.comparison, detail=True)])
                  if brief.comparison is not None else html.P(["Districts: ", brief.districts]))
    return html.Div([
        html.Header([
            html.H1(brief.name, className="slide-title", id="slide-title"),
            html.P([html.Strong("Lead: "), brief.lead], className="slide-lead"),
        ]),
        html.Div([
            html.Section([
                html.H2([f"{brief.measure}, {brief.area_name} ", illustrative_badge(brief.illustrative)],
                        className="slide-h2"),
                _chart(f"slide-chart-{brief.priority_id}", figure, caption),
                html.P([html.Strong(brief.headline), ". Change: ", verdict_span(brief.change, detail=True)],
                       className="slide-verdict"),
                comparison,
            ], className="slide-main"),
            html.Section([
                html.H2(f"Districts against {total_label or 'the county'}", className="slide-h2"),
                district_bars(breakdown, total_label=total_label, window=window, selected_code=brief.area_code),
            ], className="slide-side"),
        ], className="slide-body"),
        html.Div([
            _flagged(brief),
            html.Div([html.H2("Since the last meeting", className="slide-h2"),
                      html.P(brief.since or "This is the first meeting in the calendar.", className="mb-0")],
                     className="slide-since"),
        ], className="slide-foot"),
    ], className="slide slide-priority", id="slide", **{"data-slide": brief.priority_id})


def summary_slide(*, title: str, subtitle: str, briefs, href_for) -> html.Div:
    """Every priority in one table: headline figure, change in words, districts, actions by status."""
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Priority", "Headline figure", "Change", "Actions")]))
    rows = [html.Tr([
        html.Th(dcc.Link(b.name, href=href_for(b.priority_id), id=f"priority-link-{b.priority_id}"), scope="row"),
        html.Td(f"{b.area_name}: {b.headline_short}" if b.indicator_id else b.headline, title=b.measure),
        html.Td(verdict_span(b.change)),
        html.Td(counts_text(b.counts)),
    ]) for b in briefs]
    return html.Div([
        html.Header([html.H1(title, className="slide-title", id="slide-title"),
                     html.P(subtitle, className="slide-lead")]),
        html.Table([head, html.Tbody(rows)], className="table table-sm slide-table"),
    ], className="slide slide-summary", id="slide", **{"data-slide": "summary"})


def since_slide(*, title: str, subtitle: str, changes: pd.DataFrame, moves: pd.DataFrame, new_count: int,
                names: dict[str, str]) -> html.Div:
    """What changed since the previous meeting: significant changes and actions whose status moved."""
    change_items = [html.Li([verdict_badge(r.verdict), " ", html.Strong(r.name),
                             f" ({names.get(r.priority_id, '')}): {change_short(r.verdict)}"])
                    for r in changes.head(SINCE_SHOWN).itertuples()]
    if len(changes) > SINCE_SHOWN:
        change_items.append(html.Li(f"and {len(changes) - SINCE_SHOWN} more on the meeting page"))
    move_items = []
    for r in moves.head(SINCE_SHOWN).itertuples():
        before = status_text(r.status_before) if isinstance(r.status_before, str) else "New"
        move_items.append(html.Li([html.Strong(f"{before} to {status_text(r.status_now)}: "),
                                   short(f"{r.action_id} {r.title}", SLIDE_TITLE_CHARS)], title=r.title))
    if len(moves) > SINCE_SHOWN:
        move_items.append(html.Li(f"and {len(moves) - SINCE_SHOWN} more on the meeting page"))
    return html.Div([
        html.Header([html.H1(title, className="slide-title", id="slide-title"),
                     html.P(subtitle, className="slide-lead")]),
        html.P(f"New months of data for {new_count} measure{'s' if new_count != 1 else ''}.", className="mb-2"),
        html.Div([
            html.Section([html.H2("Significant changes", className="slide-h2"),
                          html.Ul(change_items, className="slide-list") if change_items else
                          html.P("No measure changed significantly.")], className="slide-half"),
            html.Section([html.H2("Actions whose status moved", className="slide-h2"),
                          html.Ul(move_items, className="slide-list") if move_items else
                          html.P("No action's status moved.")], className="slide-half"),
        ], className="slide-columns"),
    ], className="slide slide-since-meeting", id="slide", **{"data-slide": "since"})
