"""A text of the meeting pack (its introduction, or a priority's context) as page elements.

The text is what a partner typed: it becomes ``html.P``, ``html.Ul`` and ``html.Li`` elements whose
children are plain strings (kcsp.pack_format.blocks reads the only formatting there is), so the
browser shows it as text, whatever characters it holds. Never Markdown, never raw HTML.
"""

from __future__ import annotations

from collections.abc import Mapping

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.cards import illustrative_badge
from kcsp.pack_format import blocks, reference_lines

EMPTY = "No context has been written for this meeting."
ILLUSTRATIVE = "Illustrative text written for the demonstration store"
COMPACT_CHARS = 240
"""A compact block (a committee slide) shows the first paragraph up to this many characters."""
COMPACT_LINES = 2
CLAMPED = {"display": "-webkit-box", "WebkitLineClamp": COMPACT_LINES, "WebkitBoxOrient": "vertical",
           "overflow": "hidden"}
"""A compact block is cut to COMPACT_LINES lines on the screen (the whole of it is still read out)."""


def _value(row: Mapping, name: str) -> str | None:
    value = row.get(name) if hasattr(row, "get") else None
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)


def written_line(row: Mapping) -> str:
    """'Written by X, 19 November 2026 (version 2)'."""
    when = pd.Timestamp(str(_value(row, "written_at")))
    when = when.tz_convert("UTC") if when.tzinfo is not None else when
    return f"Written by {_value(row, 'written_by')}, {when.day} {when:%B %Y} (version {int(row['version'])})"


def shortened(text: str, limit: int = COMPACT_CHARS) -> str:
    """`text` cut at a word before `limit` characters, with an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return f"{cut}\u2026"


def _first_text(body: str) -> str:
    found = blocks(body)
    if not found:
        return ""
    kind, *parts = found[0]
    return parts[0] if kind == "p" else "; ".join(parts)


def _body(body: str) -> list:
    out = []
    for kind, *parts in blocks(body):
        if kind == "ul":
            out.append(html.Ul([html.Li(item) for item in parts], className="context-list"))
        else:
            out.append(html.P(parts[0], className="context-paragraph"))
    return out


def _illustrative(row: Mapping) -> bool:
    return _value(row, "illustrative") in ("True", "true")


def _compact(row: Mapping | None, heading: str, empty_text: str, ids: dict) -> html.Section:
    """The heading and the start of the first paragraph on at most COMPACT_LINES lines (the illustrative
    label first, so it is never cut off)."""
    line: list = [html.Strong(f"{heading}: ")]
    if row is None:
        line.append(empty_text)
    else:
        if _illustrative(row):
            line += [illustrative_badge(True), " "]
        line.append(shortened(_first_text(_value(row, "body") or "")))
    return html.Section(html.P(line, className="context-paragraph mb-0", style=CLAMPED),
                        className="context-text context-compact", **{"aria-label": heading, **ids})


def context_block(row: Mapping | None, *, heading: str, meta_text: str | None = None, compact: bool = False,
                  heading_class: str = "h4 mt-3", block_id: str | None = None,
                  empty_text: str = EMPTY) -> html.Section:
    """A pack text under its heading, with its references and who wrote it when (`row`: a pack_texts row,
    or None when nothing has been written: a short note says so).

    `meta_text` adds a sentence to the line saying who wrote it (e.g. that the text was carried from
    an earlier meeting). `compact` (a committee slide) shows the heading, the illustrative label and
    the start of the first paragraph on two lines; the full page shows the rest.
    """
    ids = {"id": block_id} if block_id else {}
    if compact:
        return _compact(row, heading, empty_text, ids)
    head = html.H2(heading, className=heading_class)
    if row is None:
        return html.Section([head, html.P(empty_text, className="context-empty")], className="context-text",
                            **ids)
    body = _value(row, "body") or ""
    illustrative = _illustrative(row)
    parts = [head, *_body(body)]
    references = reference_lines(_value(row, "references"))
    if references:
        parts += [html.H3("References", className="h6 mt-2 mb-1"),
                  html.Ol([html.Li(line) for line in references], className="context-references small")]
    meta = [written_line(row) + "."]
    if meta_text:
        meta.append(f" {meta_text}")
    parts.append(html.P(meta, className="small text-muted mb-1 context-meta"))
    if illustrative:
        parts.append(html.P([illustrative_badge(True), f" {ILLUSTRATIVE}."], className="small mb-1"))
    return html.Section(parts, className="context-text", **ids)


def context_editor(*, ids: Mapping[str, str], body: str, references: str, target: dict, note: str | None = None,
                   max_body: int, max_references: int) -> html.Details:
    """The form that writes a priority's context: the text and its references as typed, the version it
    builds on (`target`, held in a store the save callback reads), a Save button and a message area.

    `ids` names the parts: summary, body, references, target, save, message. `note` says where a text to start
    from came from (the last meeting's words)."""
    return html.Details([
        html.Summary("Edit context", className="btn btn-outline-primary btn-sm", id=ids["summary"]),
        html.Div([
            html.P(note, className="small mb-2") if note else None,
            html.Label("Context", htmlFor=ids["body"], className="form-label mb-1"),
            dbc.Textarea(id=ids["body"], value=body, maxLength=max_body, rows=8, className="form-control"),
            html.Div(f"A few paragraphs, separated by a blank line; start a line with \"- \" for a bullet point. "
                     f"Nothing else is formatted. Up to {max_body:,} characters. Each save is a new version: "
                     "earlier ones are kept.", className="form-text mb-2"),
            html.Label("References, one per line", htmlFor=ids["references"], className="form-label mb-1"),
            dbc.Textarea(id=ids["references"], value=references, maxLength=max_references, rows=3,
                         className="form-control"),
            dcc.Store(id=ids["target"], data=target),
            html.Button("Save context", id=ids["save"], type="button", className="btn btn-primary mt-2"),
            html.Div(id=ids["message"], role="status", className="mt-2"),
        ], className="context-editor mt-2"),
    ], className="context-edit mt-2 mb-3")
