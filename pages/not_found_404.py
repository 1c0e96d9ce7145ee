"""The page shown for an address the dashboard does not have."""

import dash
from dash import dcc, html

from kcsp import runtime

dash.register_page(__name__, path="/404", title=runtime.page_title("Page not found"))


def layout(**params):
    return html.Div([
        html.H1("Page not found", className="h3"),
        html.P("There is no page at this address. It may have moved, or the link may be mistyped."),
        dcc.Link("Go to the overview", href="/"),
    ])
