"""Verdicts on the page: each one an element carrying what was judged, drawn as shape + word + colour
from the one vocabulary (kcsp.vocabulary), and sentences whose verdicts are such elements."""

from __future__ import annotations

from dash import html

from kcsp.judgements import Verdict
from kcsp.narrative import Mention, Sentence
from kcsp.vocabulary import term


def verdict_attrs(v: Verdict) -> dict:
    """The data attributes that say which verdict an element shows (none for a withheld one)."""
    if v.verdict is None:
        return {}
    return {"data-verdict-kind": v.kind, "data-indicator": v.indicator_id, "data-area": v.area_code,
            "data-from": v.window.first_month if v.window else "", "data-to": v.window.last_month if v.window else "",
            "data-verdict": v.verdict}


def verdict_badge(v: Verdict | None, *, small: bool = False) -> html.Span:
    """Shape + word + colour; a withheld verdict says so in words and carries no verdict data."""
    if v is None or v.verdict is None:
        return html.Span("Withheld (small numbers)", className="verdict-badge verdict-withheld",
                         title="The numbers are too small to publish")
    t = term(v.kind, v.verdict)
    title = t.meaning + (f": {v.reason}" if v.reason else "")
    return html.Span([html.Span(t.shape, className="verdict-shape", **{"aria-hidden": "true"}), t.word],
                     className=f"verdict-badge {t.css_class}{' verdict-small' if small else ''}", title=title,
                     **verdict_attrs(v))


def sentence(parts: Sentence) -> list:
    """A sentence's children: text as text, each verdict it states as a marked element."""
    out = []
    for part in parts:
        if isinstance(part, Mention):
            t = term(part.verdict.kind, part.verdict.verdict)
            out.append(html.Span(part.text, className=f"verdict-mention {t.css_class}", **verdict_attrs(part.verdict)))
        else:
            out.append(part)
    return out


def paragraph(sentences, **kwargs) -> html.P:
    """Sentences as one paragraph, a space between them."""
    children = []
    for i, parts in enumerate(sentences):
        if i:
            children.append(" ")
        children += sentence(parts)
    return html.P(children, **kwargs)
