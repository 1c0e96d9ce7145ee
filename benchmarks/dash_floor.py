"""Dash's own floor: the least a Dash page costs, served by gunicorn like the dashboard.

`gunicorn benchmarks.dash_floor:server` with KCSP_FLOOR_DIR set. Any address is a Dash page (the
same Dash, dash-bootstrap-components and dash-ag-grid bundles as the dashboard, loaded locally):

- ``/empty``: an empty page, the floor of Dash itself (its scripts start, fetch the layout and the
  callback list, and render);
- ``/<name>``: the figures in ``<KCSP_FLOOR_DIR>/<name>.json`` (written by benchmarks.pages from a live
  page) as ``dcc.Graph`` elements at the same widths, in the first layout, with no callback: the
  floor of drawing that page's charts inside Dash.

One trivial server callback (``floor-echo``) is the floor of a Dash callback under load. The page
named by the layout request comes from its Referer, as the dashboard's own first layout does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dash_ag_grid  # noqa: F401 - its bundle loads on every dashboard page, so here too
import dash_bootstrap_components  # noqa: F401 - as above
from dash import Dash, Input, Output, dcc, html
from flask import has_request_context, request

FLOOR_DIR = Path(os.environ.get("KCSP_FLOOR_DIR", "."))

app = Dash(__name__, serve_locally=True, update_title=None, title="Dash floor")
server = app.server


@server.route("/healthz")
def healthz():
    return "ok"


def _figures(name: str) -> list[dict]:
    path = FLOOR_DIR / f"{name}.json"
    if not name or name == "empty" or not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def layout():
    referrer = request.referrer if has_request_context() else None
    name = urlsplit(referrer or "").path.strip("/")
    graphs = [dcc.Graph(figure={"data": f["data"], "layout": f["layout"]}, config=f["config"],
                        style={"width": f"{max(int(f['width']), 100)}px"}) for f in _figures(name)]
    return html.Div([
        html.Div(graphs or [html.P("An empty Dash page.")], id="_pages_content"),
        html.Div(id="floor-echo"),
        dcc.Input(id="floor-echo-in", type="hidden", value=""),
    ])


app.layout = layout


@app.callback(Output("floor-echo", "children"), Input("floor-echo-in", "value"), prevent_initial_call=True)
def echo(value):
    return value
