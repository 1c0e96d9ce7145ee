"""The whole action plan with each action's latest BRAG status."""

from __future__ import annotations

import dash
from dash import html

from components.actions_table import actions_table
from components.brag import legend
from kcsp import runtime
from kcsp.urlstate import from_params
from kcsp.web.auth import request_user

dash.register_page(__name__, path="/actions", title="Action plan - Kent Community Safety Dashboard", name="Action plan")


def layout(**params):
    ds = runtime.dataset()
    state = from_params(params, set(ds.districts()["area_slug"]))
    actions = ds.actions_for(include_restricted=request_user() is not None, district=state.district)
    sections = []
    for _, pri in ds.priorities.iterrows():
        mine = actions[actions["priority_id"] == pri["priority_id"]]
        sections.append(html.Section([
            html.H2(pri["name"], className="h5 mt-3"),
            actions_table(mine, caption=f"Actions for {pri['name']}"),
        ]))
    return html.Div([
        html.H1("Community Safety Agreement action plan", className="h3"),
        html.P("Every action with its latest status and progress. "
               "Progress updates are illustrative in the demonstration store.", className="lead-text"),
        html.A("Download the action plan as CSV", href="/api/actions.csv", download="", className="csv-link"),
        legend(),
        *sections,
    ])
