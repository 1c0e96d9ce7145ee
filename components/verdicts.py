"""Verdicts on the page: each one an element carrying what was judged, drawn as shape + word + colour
from the one vocabulary (kcsp.vocabulary), and sentences whose verdicts are such elements."""

from __future__ import annotations

from urllib.parse import quote

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
            "data-verdict": v.verdict, "data-verdict-method": v.method or "", "data-verdict-signal": v.signal or ""}


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


def _icon_svg(colour: str, letter: str | None) -> str:
    mark = (f'<text x="20" y="26" text-anchor="middle" font-family="Arial" font-size="17" font-weight="700" '
            f'fill="{colour}">{letter}</text>' if letter else
            f'<path d="M8 22 L14 17 L20 23 L26 16 L32 21" fill="none" stroke="{colour}" stroke-width="2.5"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">'
            f'<circle cx="20" cy="20" r="17" fill="white" stroke="{colour}" stroke-width="3"/>{mark}</svg>')


def variation_icon(v: Verdict | None) -> html.Img | None:
    """The variation icon of a control-chart verdict, as Making Data Count draws one: a ring in the
    verdict's colour holding H or L (special cause, high or low) or a wavy line (common cause),
    its meaning in words as its text alternative. None for a verdict not read from a chart."""
    if v is None or v.method != "spc" or v.verdict in (None, "not-compared"):
        return None
    t = term(v.kind, v.verdict)
    if v.signal is None:
        letter, words = None, "common cause variation"
    else:
        high = v.direction > 0
        side = "high" if high else "low"
        letter, words = side[0].upper(), f"special cause variation, {side}: {t.word.lower()}"
    return html.Img(src="data:image/svg+xml;utf8," + quote(_icon_svg(t.colour, letter)), alt=f"Variation: {words}",
                    title=f"Variation: {words}", className="variation-icon", width=32, height=32)


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
