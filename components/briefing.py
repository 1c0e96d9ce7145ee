"""Priorities at a glance (kcsp.briefing.PriorityBrief) as page pieces: a verdict in words, status
counts, and the meeting pack's cover."""

from __future__ import annotations

import pandas as pd
from dash import html

from components.brag import status_text
from components.cards import illustrative_badge
from components.palette import BRAG_ORDER
from components.verdicts import verdict_badge
from kcsp import judgements
from kcsp.briefing import change_words
from kcsp.narrative import chance_words, change_short

COVER_CHANGES_SHOWN = 6
COVER_MOVES_SHOWN = 5
TITLE_CHARS = 64


def comparison_words(verdict) -> str:
    """The figures behind a comparison verdict, or why there is none."""
    if verdict.verdict is None:
        return verdict.reason or "withheld (small numbers)"
    if verdict.rate is None or verdict.benchmark is None or verdict.window is None:
        return verdict.reason or "not compared"
    return (f"{verdict.rate:.1f} per 1,000 against {verdict.benchmark:.1f} for the county, "
            f"{verdict.window.words()}")


def verdict_span(verdict, *, detail: bool = False) -> html.Span:
    """A verdict (kcsp.judgements) as shape + word + colour, with the figures behind it in words."""
    if verdict is None:
        return html.Span("Not judged for this measure", className="verdict-none")
    words = change_words(verdict) if verdict.kind == judgements.CHANGE else comparison_words(verdict)
    return html.Span([verdict_badge(verdict), f" {words}" if detail else None], className="verdict-detail")


def counts_text(counts: dict[str, int]) -> html.Span:
    """Action status counts as shape + word + number, on one line where it fits."""
    parts = [html.Span(f"{status_text(s)} {counts[s]}", className=f"brag-count-text brag-{s}")
             for s in BRAG_ORDER if counts.get(s)]
    return html.Span(parts or ["No actions"], className="brag-counts-text")


def _cover_row(brief) -> html.Tr:
    measure = [html.Strong(brief.measure or "No headline measure"), " ", illustrative_badge(brief.illustrative)
               ] if brief.indicator_id else ["No headline measure"]
    return html.Tr([
        html.Th(brief.name, scope="row"),
        html.Td([*measure, html.Br(), f"{brief.area_name}: {brief.headline}"]),
        html.Td(verdict_span(brief.change, detail=True)),
        html.Td(verdict_span(brief.comparison) if brief.comparison is not None else brief.districts),
        html.Td(counts_text(brief.counts)),
    ])


def short(text: str, limit: int = TITLE_CHARS) -> str:
    """Text cut at a word boundary to about `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def cover_changes(changes: pd.DataFrame, names: dict[str, str]) -> html.Ul:
    """The significant changes on the pack's cover, with how many chance alone would give."""
    note = html.Li(chance_words(changes.attrs.get("judged"), changes.attrs.get("by_chance")), className="small")
    if changes.empty:
        return html.Ul([html.Li("No measure changed significantly."), note], className="cover-list")
    items = [html.Li([verdict_badge(r.verdict, small=True),
                      f" {r.name}, {r.area_name} ({names.get(r.priority_id, r.priority_id)}): "
                      f"{change_short(r.verdict)}"])
             for r in changes.head(COVER_CHANGES_SHOWN).itertuples()]
    more = len(changes) - COVER_CHANGES_SHOWN
    if more > 0:
        items.append(html.Li(f"and {more} more, each on its priority's page."))
    return html.Ul([*items, note], className="cover-list")


def cover_moves(moves: pd.DataFrame, names: dict[str, str]) -> html.Ul | html.P:
    if moves.empty:
        return html.P("No action's status moved.", className="mb-1")
    items = []
    for r in moves.head(COVER_MOVES_SHOWN).itertuples():
        before = status_text(r.status_before) if isinstance(r.status_before, str) else "new"
        items.append(html.Li([html.Strong(f"{before} to {status_text(r.status_now)}: "),
                              f"{r.action_id} {short(r.title)} ({names.get(r.priority_id, '')})"]))
    more = len(moves) - COVER_MOVES_SHOWN
    if more > 0:
        items.append(html.Li(f"and {more} more, each on its priority's page."))
    return html.Ul(items, className="cover-list")


def pack_cover(*, title: str, facts: list[str], access: str, briefs, changes: html.Component,
               moves: html.Component, where: str) -> html.Section:
    """The pack's first page: the meeting, the period, every priority in a row, what changed."""
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Priority", "Headline figure", "Change (latest year)", "Compared with the county",
                                "Actions by status")]))
    return html.Section([
        html.P("Meeting pack: cover", className="pack-running-head"),
        html.H2(title),
        *[html.P(f, className="mb-1 small") for f in facts],
        html.P(access, className="pack-access small", id="pack-access"),
        html.Table([html.Caption(f"Every priority at a glance: {where}"), head,
                    html.Tbody([_cover_row(b) for b in briefs])], className="table table-sm pack-cover-table"),
        html.Div([
            html.Div([html.H3("Significant changes", className="h6"), changes], className="cover-half"),
            html.Div([html.H3("Actions whose status moved", className="h6"), moves], className="cover-half"),
        ], className="cover-columns"),
    ], className="pack-page pack-cover", id="pack-cover")
