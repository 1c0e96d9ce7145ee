"""Committee mode's bar: the button that enters and leaves it, the key hint and previous / next links.

The links are dcc.Link, so stepping stays inside the app; assets/20-committee.js presses them
when the right and left arrow keys are used in committee mode.
"""

from __future__ import annotations

from dash import dcc, html


def committee_bar() -> html.Div:
    """Hrefs, labels and visibility are set from the URL by the shell's committee_mode callback."""
    return html.Div([
        html.Div([
            dcc.Link("\u2190 Previous", href="/", id="committee-previous", className="committee-step d-none"),
            html.P([
                html.Span(id="committee-count", className="committee-count"),
                html.Span(" Committee mode: ", className="fw-bold"),
                html.Kbd("\u2192"), " next, ", html.Kbd("\u2190"), " previous, ", html.Kbd("Enter"), " full page",
            ], id="committee-hint", className="committee-hint mb-0"),
            dcc.Link("Next \u2192", href="/", id="committee-next", className="committee-step d-none"),
        ], className="committee-steps"),
        dcc.Link("Committee mode", href="/?present=1", id="present-toggle", className="btn btn-sm present-toggle"),
    ], id="committee-bar", className="committee-bar", role="region", **{"aria-label": "Committee mode"})
