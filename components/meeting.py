"""Pieces of the meeting page and the meeting pack, built from DataFrames the page prepares."""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from components.brag import status_badge, status_text
from components.cards import illustrative_badge
from components.charts import trend_figure
from components.verdicts import paragraph, verdict_badge
from kcsp import access
from kcsp.narrative import chance_words, change_figures, method_words
from kcsp.vocabulary import MOVE

PACK_CHART_WIDTH = 680
PACK_CHART_HEIGHT = 290
MOVE_SHAPES = {code: t.shape for code, t in MOVE.items()}


def _table(caption: str, headers: list[str], rows: list[html.Tr], class_name: str = "") -> html.Div:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in headers]))
    return html.Div(html.Table([html.Caption(caption), head, html.Tbody(rows)],
                               className=f"table table-sm align-middle {class_name}".strip()),
                    className="table-responsive")


def meeting_facts(items: list[tuple[str, object]]) -> html.Dl:
    """A short definition list: which meeting, compared with which, figures as at when."""
    children = []
    for term, value in items:
        children += [html.Dt(term), html.Dd(value)]
    return html.Dl(children, className="meeting-facts")


def meeting_error(message: str) -> html.Div:
    return html.Div([html.H2("That meeting cannot be shown", className="h5"), html.P(message, className="mb-0")],
                    className="meeting-error mb-3", role="alert", id="meeting-error")


def calendar_table(meetings: list, *, selected: str | None, href_for, expanded: bool = False) -> html.Details:
    """Every meeting, each a link that selects it; the selected one marked in words."""
    rows = []
    for m in meetings:
        mark = html.Strong(" (selected)") if m.iso == selected else None
        rows.append(html.Tr([html.Td(f"{m.date:%d %b %Y}"), html.Td([dcc.Link(m.name, href=href_for(m.iso)), mark])]))
    table = _table("Meetings in the calendar", ["Date", "Meeting"], rows)
    return html.Details([html.Summary(f"All {len(rows)} meetings in the calendar"), table], className="calendar",
                        open=expanded)


def new_data_table(frame: pd.DataFrame, priority_names: dict[str, str]) -> html.Div:
    if frame.empty:
        return html.P("No measure has new months of data since the previous meeting.")
    rows = [html.Tr([
        html.Td([r.name, " ", illustrative_badge(bool(r.illustrative))]),
        html.Td(priority_names.get(r.priority_id, r.priority_id)),
        html.Td(f"{r.first_new:%b %Y} to {r.last_new:%b %Y}" if r.months > 1 else f"{r.last_new:%b %Y}"),
        html.Td(f"{r.months}"),
    ]) for r in frame.itertuples(index=False)]
    return _table("Measures with new data since the previous meeting",
                  ["Measure", "Priority", "New months", "Number of months"], rows)


def significant_table(frame: pd.DataFrame, priority_names: dict[str, str]) -> html.Div:
    """Significant changes (kcsp.meetings.significant_changes): the verdict, how it was reached, and the
    window's count beside the same months a year before."""
    note = html.P(chance_words(frame.attrs.get("judged"), frame.attrs.get("by_chance")), className="small chance-note")
    if frame.empty:
        return html.Div([html.P("No measure shows a significant change."), note])
    rows = [html.Tr([
        html.Td([r.name, " ", illustrative_badge(bool(r.illustrative))]),
        html.Td(r.area_name),
        html.Td(priority_names.get(r.priority_id, r.priority_id)),
        html.Td([verdict_badge(r.verdict), html.Br(), html.Span(method_words(r.verdict), className="small")]),
        html.Td(change_figures(r.verdict), className="small"),
    ]) for r in frame.itertuples(index=False)]
    return html.Div([_table("Significant changes: control-chart signals and tested changes, with each window's "
                            "count beside the same months a year before",
                            ["Measure", "Area", "Priority", "Verdict", "Figures"], rows), note])


def moves_table(frame: pd.DataFrame, priority_names: dict[str, str]) -> html.Div:
    if frame.empty:
        return html.P("No action's status moved since the previous meeting.")
    rows = []
    for r in frame.itertuples(index=False):
        before = status_badge(r.status_before) if isinstance(r.status_before, str) else html.Span("None (new)")
        move = html.Span([html.Span(MOVE_SHAPES.get(r.move, ""), **{"aria-hidden": "true"}),
                          f" {MOVE[r.move].word if r.move in MOVE else r.move}"], className="move-word")
        overdue = html.Span(" Overdue", className="overdue-flag ms-1") if r.became_overdue else None
        rows.append(html.Tr([html.Td(r.action_id), html.Td(r.title), html.Td(priority_names.get(r.priority_id, "")),
                             html.Td(before), html.Td(status_badge(r.status_now)), html.Td([move, overdue])]))
    return _table("Actions whose status moved since the previous meeting",
                  ["Ref", "Action", "Priority", "Status then", "Status now", "Move"], rows)


def pack_figure(trend: pd.DataFrame, *, unit: str, breaks: list[tuple[pd.Timestamp, str]], frequency) -> dict:
    """The headline trend (Dataset.trend) at a fixed size that fits an A4 page's width, so it prints unclipped.

    The legend is kept only when it says something a reader needs: which part of a series is real."""
    fig = trend_figure(trend, unit=unit, breaks=breaks, height=PACK_CHART_HEIGHT, frequency=frequency)
    mixed = any(trace.get("meta") == "illustrative" for trace in fig["data"])
    fig["layout"].update(width=PACK_CHART_WIDTH, margin={"l": 60, "r": 20, "t": 30, "b": 30}, hovermode=False,
                         showlegend=mixed)
    for note in fig["layout"]["annotations"]:
        if str(note["text"]).startswith("Series break"):
            note.update(yanchor="top", xshift=4)
    return fig


def pack_chart(*, chart_id: str, title: str, note: str, illustrative: bool, figure: dict) -> html.Div:
    return html.Div([
        html.P([title, " ", illustrative_badge(illustrative)], className="pack-chart-title"),
        dcc.Graph(id=chart_id, figure=figure, config={"staticPlot": True, "responsive": False},
                  responsive=False, className="pack-graph",
                  style={"width": f"{PACK_CHART_WIDTH}px", "height": f"{PACK_CHART_HEIGHT}px"}),
        html.P(note, className="pack-chart-note mb-1"),
    ], className="pack-chart")


def pack_actions_table(actions: pd.DataFrame, *, caption: str) -> html.Div:
    """Every action the cover counts (kcsp.meetings.pack_actions), with BRAG status (word + shape +
    colour), how it stands when no longer live, and its latest progress."""
    if actions.empty:
        return html.P("This priority had no action in the plan at the time of the meeting.", className="pack-actions")
    rows = [html.Tr([
        html.Td(a.action_id),
        html.Td([a.title, html.Span(" (restricted)", className="text-muted") if access.is_restricted(a.classification)
                 else None]),
        html.Td([f"{a.due:%b %Y}", *([html.Br(), html.Span("Overdue", className="overdue-flag")]
                                      if a.overdue else [])]),
        html.Td([status_badge(a.status), *([html.Br(), html.Span(a.standing, className="small pack-standing")]
                                            if a.standing else [])]),
        html.Td([a.progress if isinstance(a.progress, str) else "", " ",
                 illustrative_badge(True) if a.illustrative else None]),
    ], className="pack-finished" if a.finished else None) for a in actions.itertuples(index=False)]
    if "illustrative" in actions and actions["illustrative"].any():
        caption = f"{caption} (progress updates illustrative)"
    return _table(caption, ["Ref", "Action", "Due", "Status", "Latest progress"], rows, "pack-actions")


def pack_moves(moves: pd.DataFrame, *, since: str) -> html.Div:
    """Every status move of a priority's actions in the pack's period, one line each."""
    if moves.empty:
        return html.P(f"No action's status moved {since}.", className="small mb-1 pack-moves")
    items = []
    for r in moves.itertuples(index=False):
        before = status_text(r.status_before) if isinstance(r.status_before, str) else "new"
        word = MOVE[r.move].word if r.move in MOVE else r.move
        overdue = " Became overdue." if r.became_overdue else ""
        items.append(html.Li([html.Span(MOVE_SHAPES.get(r.move, ""), **{"aria-hidden": "true"}),
                              f" {r.action_id} {r.title.rstrip('. ')}: {before} to {status_text(r.status_now)} "
                              f"({word.lower()}).{overdue}"]))
    return html.Div([html.P(f"Status moves {since}:", className="small fw-semibold mb-0"),
                     html.Ul(items, className="small mb-1")], className="pack-moves")


def pack_changes(changes: pd.DataFrame, priority_names: dict[str, str], *, since: str) -> html.Div | None:
    """A priority's significant changes in the pack's period (none: nothing is printed; the cover says
    how many measures were judged)."""
    if changes.empty:
        return None
    items = [html.Li([verdict_badge(r.verdict, small=True), f" {r.name}, {r.area_name}: ",
                      change_figures(r.verdict)]) for r in changes.itertuples(index=False)]
    return html.Div([html.P(f"Significant changes {since}:", className="small fw-semibold mb-0"),
                     html.Ul(items, className="small mb-1")], className="pack-changes")


def pack_page(*, priority_id: str, name: str, lead: str, running_head: str, narrative: tuple,
              since: str | None, chart: html.Div | None, actions: html.Div, moves: html.Div | None = None,
              changes: html.Div | None = None, context: html.Div | None = None,
              matters: html.Div | None = None, national: str | None = None) -> html.Section:
    """One priority's part of the meeting pack (it starts a page)."""
    return html.Section([
        html.P(running_head, className="pack-running-head"),
        html.H2(name),
        html.P([html.Strong("Lead: "), lead], className="mb-1 small"),
        html.Div([paragraph(narrative)], className="pack-narrative"),
        context,
        html.P(since, className="small mb-1") if since else None,
        chart,
        html.P(national, className="small mb-1 pack-national") if national else None,
        changes,
        moves,
        actions,
        matters,
    ], className="pack-page", id=f"pack-{priority_id}", **{"data-priority": name})


def published_list(versions: pd.DataFrame, *, href_for) -> html.Section:
    """The meeting's pack as presented: each published version (kcsp.published) with who, when, its
    SHA-256 and, for a correction, why; each a download of the file as published."""
    heading = html.H2("As presented: published packs", className="h5", id="published-packs")
    if versions.empty:
        return html.Section([heading, html.P("No pack has been published for this meeting yet: the pack below is "
                                             "made from the record as it stood at the meeting.",
                                             className="small")], className="published-packs")
    rows = [html.Tr([
        html.Td(f"Version {int(r.version)}"),
        html.Td(f"{pd.Timestamp(r.published_at):%d %b %Y %H:%M} UTC by {r.published_by}"),
        html.Td(r.reason if isinstance(r.reason, str) else "As first published"),
        html.Td(html.Code(r.sha256, className="small text-break")),
        html.Td(html.A(f"Download version {int(r.version)} (PDF, {int(r.pages)} pages)",
                       href=href_for(int(r.version)))),
    ], **{"data-pack-version": str(int(r.version))}) for r in versions.itertuples(index=False)]
    return html.Section([heading, _table("Published versions of the meeting pack, newest first: the latest is what "
                                         "the pack download serves",
                                         ["Version", "Published", "Reason", "SHA-256", "File"], rows)],
                        className="published-packs")
