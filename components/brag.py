"""BRAG status badges and legend: always word + shape + colour, never colour alone."""

from __future__ import annotations

from dash import html

from components.palette import BRAG, BRAG_ORDER


def status_badge(status: str) -> html.Span:
    style = BRAG.get(status, BRAG["not-started"])
    return html.Span(
        [html.Span(style.shape, className="brag-shape", **{"aria-hidden": "true"}), style.label],
        className=f"brag brag-{status}",
        title=style.meaning,
    )


def status_text(status: str) -> str:
    """Shape and word as plain text (for grids and CSV-like views)."""
    style = BRAG.get(status, BRAG["not-started"])
    return f"{style.shape} {style.label}"


def status_counts(counts: dict[str, int]) -> html.Ul:
    items = [
        html.Li([status_badge(s), html.Span(f" {counts.get(s, 0)}", className="brag-count")])
        for s in BRAG_ORDER if counts.get(s, 0)
    ]
    return html.Ul(items or [html.Li("No actions")], className="brag-counts list-inline")


def legend() -> html.Div:
    return html.Div(
        [html.Span("Status key: ", className="fw-semibold")]
        + [html.Span([status_badge(s), " ", BRAG[s].meaning.split(": ")[-1]], className="me-3")
           for s in BRAG_ORDER],
        className="brag-legend small",
    )
