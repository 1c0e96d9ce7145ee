"""Matters arising on a meeting's page and in its pack, built from kcsp.matters.for_meeting's frame.

Every matter says in words what was asked, of whom, where it was raised, where it reports to, its
state and its answer with the date (never colour alone). People's text goes in as plain strings,
so Dash shows it as text, never as markup.
"""

from __future__ import annotations

import pandas as pd
from dash import html

TEXT_STYLE = {"whiteSpace": "pre-line"}


def _day(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    day = pd.Timestamp(value)
    return f"{day.day} {day:%B %Y}"


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def report_to_words(row) -> str:
    """Where a matter reports to: the meeting named, or the next meeting (named when known)."""
    name = _text(row.report_to_name)
    if _text(row.report_to_meeting_id):
        return name or str(row.report_to_meeting_id)
    return f"The next meeting ({name})" if name else "The next meeting"


def state_words(row) -> str:
    """A matter's state in words, as at the meeting: open (and how long carried), answered or withdrawn."""
    if row.state == "answered":
        return f"Answered on {_day(row.answered_on)}"
    if row.state == "withdrawn":
        return f"Withdrawn on {_day(row.answered_on)}"
    if row.kind == "raised here":
        return "Open: raised at this meeting"
    due = ", due at this meeting" if row.due_here else ""
    times = "the first meeting" if int(row.carried) == 1 else f"{int(row.carried)} meetings"
    return f"Open{due}: carried to {times}"


def answer_cell(row) -> list:
    """The answer (or the reason for a withdrawal) with its date; empty while the matter is open."""
    if row.state == "open":
        return ["Awaiting an answer"]
    words = _text(row.answer) if row.state == "answered" else _text(row.reason)
    label = "Answered" if row.state == "answered" else "Withdrawn"
    return [html.Span(words, style=TEXT_STYLE), html.Br(), html.Span(f"{label} on {_day(row.answered_on)}",
                                                                        className="small")]


def _table(frame: pd.DataFrame, caption: str) -> html.Div:
    headers = ["Ref", "What was asked", "Of whom", "Raised at", "To report to", "State", "Answer"]
    rows = [html.Tr([
        html.Td(str(r.matter_id)),
        html.Td(_text(r.text), style=TEXT_STYLE),
        html.Td(_text(r.owner_name)),
        html.Td([_text(r.raised_at_name), html.Br(), html.Span(_day(r.raised_on), className="small")]),
        html.Td(report_to_words(r)),
        html.Td(html.Strong(state_words(r)) if r.due_here and r.state == "open" else state_words(r)),
        html.Td(answer_cell(r)),
    ], **{"data-matter": str(r.matter_id), "data-matter-state": str(r.state)})
        for r in frame.itertuples(index=False)]
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in headers]))
    return html.Div(html.Table([html.Caption(caption), head, html.Tbody(rows)],
                               className="table table-sm align-middle matters-table"),
                    className="table-responsive")


def matters_section(frame: pd.DataFrame, *, heading_id: str, empty_text: str,
                    title: str = "Matters arising") -> html.Section:
    """A meeting page's matters arising: a heading and one table row per matter, or `empty_text`."""
    body = (html.P(empty_text, className="matters-empty") if frame.empty
            else _table(frame, "Matters arising: what the meeting asked, of whom, and the answers given"))
    return html.Section([html.H2(title, id=heading_id, className="h5"), body], className="matters-arising",
                        **{"aria-labelledby": heading_id})


def matters_list_for_pack(frame: pd.DataFrame, *, empty_text: str = "No matters arising.") -> html.Div:
    """The same matters as a numbered list that fits an A4 page: one item per matter, each line labelled."""
    if frame.empty:
        return html.Div(html.P(empty_text, className="matters-empty"), className="pack-matters")
    items = []
    for r in frame.itertuples(index=False):
        lines = [
            html.P([html.Strong(f"{r.matter_id}: "), html.Span(_text(r.text), style=TEXT_STYLE)], className="mb-1"),
            html.P(f"Of whom: {_text(r.owner_name)}. Raised at: {_text(r.raised_at_name)}. "
                   f"To report to: {report_to_words(r)}.", className="small mb-1"),
            html.P(f"State: {state_words(r)}.", className="small mb-1"),
        ]
        if r.state != "open":
            label = "Answer" if r.state == "answered" else "Reason"
            words = _text(r.answer) if r.state == "answered" else _text(r.reason)
            lines.append(html.P([html.Strong(f"{label}: "), html.Span(words, style=TEXT_STYLE)], className="small"))
        items.append(html.Li(lines, **{"data-matter": str(r.matter_id), "data-matter-state": str(r.state)}))
    return html.Div(html.Ol(items, className="matters-list"), className="pack-matters")
