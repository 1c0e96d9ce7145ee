"""Import a partner's figures (admins and analysts): template, upload, preview, confirm, history.

The page runs the same service as ``python -m kcsp import indicator`` (kcsp.importers.indicator):
the preview is a dry run; confirming imports the very bytes previewed (checked by SHA-256), under
the store's lock. Every callback checks the role on the server.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from components.data_import import history_table, preview_block, problems_block
from kcsp import runtime
from kcsp.importers.common import CellProblem
from kcsp.importers.indicator import ImportFailed, import_indicator
from kcsp.web.auth import request_user

dash.register_page(__name__, path="/data/import", title="Import figures - Kent Community Safety Dashboard",
                   name="Import figures")

MAX_BYTES = 5 * 1024 * 1024
NOT_ALLOWED = "Sign in as an admin or analyst to import figures."
SAFE_NAME = re.compile(r"[^A-Za-z0-9 ._()-]+")


def _allowed() -> bool:
    user = request_user()
    return user is not None and user.can_import


def _templates(indicator_id: str | None) -> list:
    if not indicator_id:
        return []
    return ["Template for this measure, with its areas and recent periods: ",
            html.A("XLSX", href=f"/api/templates/{indicator_id}.xlsx", id="template-xlsx"), " or ",
            html.A("CSV", href=f"/api/templates/{indicator_id}.csv", id="template-csv", className="ms-1")]


def layout(**params):
    if not _allowed():
        return html.Div([html.H1("Import figures", className="h3"),
                         html.P([NOT_ALLOWED, " ", html.A("Sign in", href="/login?next=/data/import")])])
    ds = runtime.dataset()
    indicators = ds.indicators.sort_values(["priority_id", "name"])
    options = [{"label": f"{r.name} ({r.frequency.replace('-', ' ')}, {r.geography})", "value": r.indicator_id}
               for r in indicators.itertuples()]
    chosen = params.get("indicator") if params.get("indicator") in set(indicators["indicator_id"]) else None
    chosen = chosen or options[0]["value"]
    return html.Div([
        html.H1("Import a partner's figures", className="h3"),
        html.P("Upload a CSV or XLSX file of one measure's figures: areas down the side and periods across (or the "
               "other way round), or one row per area and period. Title rows, notes and a total row are fine: the "
               "total is checked, then not stored. You will see what would change before anything is written. "
               "Real figures replace the illustrative ones for the periods they cover."),
        html.Div([
            html.Label("Measure", htmlFor="import-indicator", className="form-label fw-semibold"),
            dbc.Select(id="import-indicator", options=options, value=chosen),
        ], className="mb-2"),
        html.P(_templates(chosen), id="import-templates", className="small"),
        html.Div([
            html.Label("Where the figures come from (recorded with the import)", htmlFor="import-source",
                       className="form-label"),
            dbc.Input(id="import-source", type="text", maxLength=200, placeholder="e.g. SafeLives MARAC return"),
        ], className="mb-2"),
        html.Div([
            html.Label("Sheet (XLSX only; blank for the first)", htmlFor="import-sheet", className="form-label"),
            dbc.Input(id="import-sheet", type="text", maxLength=100),
        ], className="mb-2"),
        dcc.Upload(id="import-upload", max_size=MAX_BYTES, accept=".csv,.xlsx", multiple=False,
                   children=html.Div(["Drop a CSV or XLSX file here, or ",
                                      html.Span("choose a file", className="link-primary")],
                                     **{"data-upload-label": "Choose a CSV or XLSX file of figures to import"}),
                   className="upload-box p-3 mb-2 border rounded text-center"),
        dcc.Loading(html.Div(id="import-preview", **{"aria-live": "polite"})),
        dcc.Store(id="import-pending"),
        dbc.Button("Import these figures", id="import-confirm", color="primary", disabled=True, className="mt-2"),
        html.Div(id="import-result", className="mt-2", **{"aria-live": "polite"}),
        html.H2("Import history", className="h4 mt-4"),
        html.Div(history_table(ds.tables["imports"], dict(zip(ds.indicators["indicator_id"], ds.indicators["name"],
                                                                strict=True))), id="import-history"),
    ])


@callback(Output("import-templates", "children"), Input("import-indicator", "value"), prevent_initial_call=True)
def show_templates(indicator_id):
    return _templates(indicator_id) if _allowed() else []


def _decode(contents: str | None) -> bytes | None:
    if not contents or "," not in contents:
        return None
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None


def _file_name(name: str | None) -> str:
    return SAFE_NAME.sub("_", (name or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:120] or "upload"


def problem_rows(problems) -> pd.DataFrame:
    rows = []
    for p in problems:
        if isinstance(p, CellProblem):
            rows.append((f"{p.sheet}!{p.cell}", p.row, p.column, p.reason))
        else:
            rows.append(("", p.row, p.column, p.reason))
    frame = pd.DataFrame(rows, columns=["Cell", "Row", "Column", "Problem"]).astype({"Row": "Int64"})
    return frame if frame["Cell"].astype(bool).any() else frame.drop(columns="Cell")


def _run(contents, file_name, indicator_id, sheet, source, *, dry_run: bool):
    data = _decode(contents)
    if data is None:
        return None, html.P("The upload could not be read: choose the file again.", className="alert alert-danger")
    user = request_user()
    try:
        plan = import_indicator(runtime.store(), indicator_id, data, _file_name(file_name), sheet=(sheet or None),
                                source=(source or None), who=user.name, dry_run=dry_run)
    except ImportFailed as err:
        return None, problems_block(problem_rows(err.problems), err.total)
    return plan, data


@callback(
    Output("import-preview", "children"),
    Output("import-pending", "data"),
    Output("import-confirm", "disabled"),
    Output("import-result", "children", allow_duplicate=True),
    Input("import-upload", "contents"),
    Input("import-indicator", "value"),
    Input("import-sheet", "value"),
    State("import-upload", "filename"),
    State("import-source", "value"),
    prevent_initial_call=True,
)
def preview(contents, indicator_id, sheet, file_name, source):
    """A dry run of the uploaded file: its problems, or the cells it would change (table and chart)."""
    if not _allowed():
        return html.P(NOT_ALLOWED), None, True, ""
    if not contents:
        return no_update, None, True, no_update
    plan, outcome = _run(contents, file_name, indicator_id, sheet, source, dry_run=True)
    if plan is None:
        return outcome, None, True, ""
    pending = {"indicator": indicator_id, "sha256": hashlib.sha256(outcome).hexdigest(), "sheet": sheet or ""}
    return preview_block(plan.lines(dry_run=True)[:3], plan.changes), pending, False, ""


@callback(
    Output("import-result", "children"),
    Output("import-confirm", "disabled", allow_duplicate=True),
    Output("import-history", "children"),
    Input("import-confirm", "n_clicks"),
    State("import-upload", "contents"),
    State("import-upload", "filename"),
    State("import-pending", "data"),
    State("import-source", "value"),
    prevent_initial_call=True,
)
def confirm(_clicks, contents, file_name, pending, source):
    """Import exactly the file previewed (same bytes, measure and sheet), then list it in the history."""
    if not _allowed():
        return html.P(NOT_ALLOWED), True, no_update
    data = _decode(contents)
    if not pending or data is None or hashlib.sha256(data).hexdigest() != pending.get("sha256"):
        return html.P("Preview the file first.", className="alert alert-warning"), True, no_update
    plan, outcome = _run(contents, file_name, pending["indicator"], pending.get("sheet"), source, dry_run=False)
    if plan is None:
        return outcome, True, no_update
    ds = runtime.dataset()
    counts = plan.counts()
    priority = ds.indicator(plan.indicator_id)["priority_id"]
    done = html.Div([
        html.Strong(f"Imported as {plan.import_id}. "),
        f"{counts['new']} new, {counts['changed']} changed and {counts['unchanged']} unchanged values for "
        f"{len(plan.periods)} period(s). ",
        html.A("See the measure's chart", href=f"/priority/{priority}", id="import-see-chart"), ".",
    ], className="alert alert-success", id="import-done", role="status")
    names = dict(zip(ds.indicators["indicator_id"], ds.indicators["name"], strict=True))
    return done, True, history_table(ds.tables["imports"], names)
