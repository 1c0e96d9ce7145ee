"""Import a partner's figures (admins and analysts): template, upload, preview, confirm, history.

The page runs the same service as ``python -m kcsp import indicator`` (kcsp.importers.indicator):
the preview is a dry run, kept on the server for one confirm; confirming imports the very bytes
previewed (checked by SHA-256), under the store's lock, once: a second confirm of the same preview
(a double click, another tab, a retry) imports nothing and says which import it was. Every callback
checks the role on the server, and takes a text only where a text is expected.
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
from kcsp import access, runtime
from kcsp.importers.common import CellProblem
from kcsp.importers.indicator import AlreadyImported, ImportFailed, import_indicator
from web.auth import request_user

dash.register_page(__name__, path="/data/import", title=runtime.page_title("Import figures"),
                   name="Import figures")

MAX_BYTES = 5 * 1024 * 1024
NOT_ALLOWED = "Sign in as an admin or analyst to import figures."
SAFE_NAME = re.compile(r"[^A-Za-z0-9 ._()-]+")
UNREADABLE = html.P("The upload could not be read: choose the file again.", className="alert alert-danger")


def _allowed() -> bool:
    return access.can(request_user(), access.IMPORT_FIGURES)


def _text(value: object) -> str | None:
    """A control's value as the text it should be (anything else, such as a number or a list, is none)."""
    return value if isinstance(value, str) and value else None


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
        html.Div(_history(), id="import-history"),
    ])


@callback(Output("import-templates", "children"), Input("import-indicator", "value"), prevent_initial_call=True)
def show_templates(indicator_id):
    return _templates(_text(indicator_id)) if _allowed() else []


def _decode(contents: str | None) -> bytes | None:
    if not isinstance(contents, str) or "," not in contents:
        return None
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None


def _file_name(name: str | None) -> str:
    return SAFE_NAME.sub("_", (_text(name) or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:120] or "upload"


def problem_rows(problems) -> pd.DataFrame:
    rows = []
    for p in problems:
        if isinstance(p, CellProblem):
            rows.append((f"{p.sheet}!{p.cell}", p.row, p.column, p.reason))
        else:
            rows.append(("", p.row, p.column, p.reason))
    frame = pd.DataFrame(rows, columns=["Cell", "Row", "Column", "Problem"]).astype({"Row": "Int64"})
    return frame if frame["Cell"].astype(bool).any() else frame.drop(columns="Cell")


def _history() -> object:
    ds = runtime.dataset()
    return history_table(ds.tables["imports"], dict(zip(ds.indicators["indicator_id"], ds.indicators["name"],
                                                         strict=True)))


def _run(data: bytes, file_name, indicator_id, sheet, source, **options):
    """The import service's plan for these bytes, or None and the block that says why there is none."""
    user = request_user()
    try:
        plan = import_indicator(runtime.store(), _text(indicator_id) or "", data, _file_name(file_name),
                                sheet=_text(sheet), source=_text(source), who=user.name, **options)
    except AlreadyImported as err:
        return None, html.Div([html.Strong(f"Already imported as {err.import_id}. "),
                               "This preview was imported once; nothing was imported again."],
                              className="alert alert-info", id="import-already", role="status")
    except ImportFailed as err:
        return None, problems_block(problem_rows(err.problems), err.total)
    return plan, None


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
    """A dry run of the uploaded file: its problems, or the cells it would change (table and chart). The
    preview is kept on the server for one confirm."""
    if not _allowed():
        return html.P(NOT_ALLOWED), None, True, ""
    if not contents:
        return no_update, None, True, no_update
    data = _decode(contents)
    if data is None:
        return UNREADABLE, None, True, ""
    plan, refused = _run(data, file_name, indicator_id, sheet, source, dry_run=True, keep_preview=True)
    if plan is None:
        return refused, None, True, ""
    pending = {"indicator": plan.indicator_id, "sha256": plan.sha256, "sheet": _text(sheet) or "",
               "preview": plan.preview_id}
    return preview_block(plan.lines(dry_run=True)[:3], plan.changes), pending, False, ""


def _previewed(pending, data: bytes | None) -> bool:
    """Whether `pending` is a preview this page made, of these bytes."""
    return (isinstance(pending, dict) and data is not None
            and all(isinstance(pending.get(k), str) for k in ("indicator", "sha256", "sheet", "preview"))
            and hashlib.sha256(data).hexdigest() == pending["sha256"])


@callback(
    Output("import-result", "children"),
    Output("import-confirm", "disabled", allow_duplicate=True),
    Output("import-history", "children"),
    Output("import-preview", "children", allow_duplicate=True),
    Input("import-confirm", "n_clicks"),
    State("import-upload", "contents"),
    State("import-upload", "filename"),
    State("import-pending", "data"),
    State("import-source", "value"),
    prevent_initial_call=True,
)
def confirm(_clicks, contents, file_name, pending, source):
    """Import exactly the file previewed (same bytes, measure and sheet), once, then list it in the history.
    Once imported, the preview gives way to the result: the page shows one state at a time."""
    if not _allowed():
        return html.P(NOT_ALLOWED), True, no_update, no_update
    data = _decode(contents)
    if not _previewed(pending, data):
        return html.P("Preview the file first.", className="alert alert-warning"), True, no_update, no_update
    plan, refused = _run(data, file_name, pending["indicator"], pending["sheet"], source,
                         preview_id=pending["preview"])
    if plan is None:
        return refused, True, _history(), no_update
    ds = runtime.dataset()
    counts = plan.counts()
    priority = ds.indicator(plan.indicator_id)["priority_id"]
    done = html.Div([
        html.Strong(f"Imported as {plan.import_id}. "),
        f"{counts['new']} new, {counts['changed']} changed and {counts['unchanged']} unchanged values for "
        f"{len(plan.periods)} period(s). ",
        html.A("See the measure's chart", href=f"/priority/{priority}", id="import-see-chart"), ".",
    ], className="alert alert-success", id="import-done", role="status")
    return done, True, _history(), ""
