"""/help: how to read the dashboard. Every status and verdict word with its shape and meaning (read
from kcsp.vocabulary, the words the pages use), and what an interval, a p-value, a control chart, a
funnel, illustrative and withheld figures say. Each entry has an anchor (`#change-rising`), so any
page can link to the word it shows."""

from __future__ import annotations

import dash
from dash import html

from kcsp import runtime
from kcsp.vocabulary import CHANGE, COMPARISON, MARKER, MOVE, STATUS, STATUS_ORDER, Term

dash.register_page(__name__, path="/help", title=runtime.page_title("How to read the dashboard"),
                   name="Help")

SECTIONS = (
    ("status", "Action status (BRAG)", "Each action's lead reports its status at each update: a word, a shape "
     "and a colour, so it reads the same in print, on a projector and to a screen reader.",
     tuple(STATUS[s] for s in STATUS_ORDER)),
    ("change", "Change over time", "How a measure's latest figures compare with its own past: read from its "
     "control chart for monthly measures, or tested against the same months a year before for others.",
     tuple(CHANGE.values())),
    ("comparison", "Compared with the benchmark", "How a district's rate compares with the county's (the "
     "benchmark): its 95% interval against the county's rate.", tuple(COMPARISON.values())),
    ("move", "How an action's status moved", "Between two meetings, or since the last one.", tuple(MOVE.values())),
    ("marker", "Markers", "Flags beside a card or an action.", tuple(MARKER.values())),
)

IDEAS = (
    ("control-chart", "Control chart (XmR)",
     "A measure's monthly figures with its mean and process limits (the mean plus or minus 2.66 times the "
     "average moving range) worked out from a baseline of up to 24 earlier months. A point beyond a limit, two "
     "of three beyond two sigma on one side, seven in a row on one side of the mean, or seven rising or falling "
     "in a row are signals of special cause variation; anything else is common cause variation: the ups and "
     "downs a stable process shows. The icon beside a verdict (a ring with H or L, or a wave) reads the latest "
     "month as NHS Making Data Count's variation icons do. Where a season shows, months are adjusted for it "
     "first, and the chart says so."),
    ("interval", "95% interval",
     "The range a district's rate would fall in 95 times out of 100 if it were measured again under the same "
     "conditions. Where districts vary more than chance alone allows, the interval is widened (Spiegelhalter's "
     "method), so that ordinary differences between places are not called better or worse."),
    ("funnel", "Funnel plot",
     "Every district's rate against its population, with the limits chance alone would give around the "
     "county's rate: the limits narrow as populations grow. A district outside the limits differs from the "
     "county by more than chance."),
    ("p-value", "p-value",
     "How often chance alone would give a difference at least this large if nothing had really changed. Below "
     "0.05 (1 in 20) a change is called significant. For a control chart's signal it is the chance of that "
     "pattern under common cause variation. Lists of changes control the false discovery rate, so a long "
     "list is not filled with chance findings."),
    ("no-significant-change", "No significant change",
     "The honest verdict when the figures moved by no more than chance explains: it does not mean nothing "
     "happened, only that the figures cannot tell."),
    ("illustrative", "Real and illustrative figures",
     "Real figures come from published sources (data.police.uk, ONS). Where the partnership's own figures "
     "are not openly published, the demonstration shows illustrative figures generated to match the totals in "
     "the partnership's papers; they are labelled Illustrative wherever they are shown, period by period, and "
     "are never compared with real ones."),
    ("withheld", "Withheld figures",
     "Small counts that could identify people (1 to 4 in a district, for partners' measures) are not shown to "
     "readers who have not signed in; the page says so where the figure would be. Those measures' other counts "
     "are rounded to the nearest 5, and their totals, rolling years, rates and intervals worked out from the "
     "rounded counts, so that nothing shown gives a small count away; their verdicts are decided on the exact "
     "counts. Signed-in readers see the exact figures, marked as not for publication."),
    ("since", "Since the last meeting",
     "On the home page, a district's page and the action plan: from the partnership's last meeting to today. "
     "A meeting's own page and pack cover the period from the previous meeting to that meeting, and show the "
     "partnership as it stood on the day."),
)


def anchor(kind: str, code: str) -> str:
    """The id of a term's entry: /help#<kind>-<code>."""
    return f"{kind}-{code.replace(' ', '-')}"


def _entry(kind: str, t: Term) -> html.Div:
    return html.Div([
        html.Dt([html.Span(t.shape, className="help-shape", **{"aria-hidden": "true"}), " ",
                 html.Span(t.word, className=t.css_class.replace(" ", "-"))]),
        html.Dd(t.meaning),
    ], id=anchor(kind, t.code), className="help-entry", **{"data-term": t.code, "data-kind": kind})


def layout(**params):
    sections = []
    for kind, title, intro, terms in SECTIONS:
        sections.append(html.Section([
            html.H2(title, className="h4 mt-3", id=f"help-{kind}"),
            html.P(intro),
            html.Dl([_entry(kind, t) for t in terms], className="help-terms"),
        ]))
    ideas = html.Section([
        html.H2("What the charts and numbers say", className="h4 mt-3", id="help-ideas"),
        html.Dl([html.Div([html.Dt(name), html.Dd(text)], id=key, className="help-entry")
                 for key, name, text in IDEAS], className="help-terms"),
    ])
    return html.Div([
        html.H1("How to read the dashboard", className="h3"),
        html.P("Every status and verdict word the pages use, with its shape and what it means, and what the charts "
               "and numbers behind them say.", className="lead-text"),
        html.Nav(html.Ul([html.Li(html.A(title, href=f"#help-{kind}")) for kind, title, *_ in SECTIONS]
                         + [html.Li(html.A("What the charts and numbers say", href="#help-ideas"))]),
                 **{"aria-label": "On this page"}),
        *sections,
        ideas,
    ], className="help-page")
