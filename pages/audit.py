"""The audit record (administrators only): every write to the store, newest first, with a CSV of all
of it. Anyone else is told who may see it; no entry is sent to them."""

from __future__ import annotations

import dash
from dash import html

from kcsp import access, runtime
from web.auth import request_user

dash.register_page(__name__, path="/audit", title=runtime.page_title("Audit record"),
                   name="Audit record")

SHOWN = 200
HEADINGS = {"at": "When (UTC)", "user": "Who", "kind": "What", "target": "Which", "detail": "Detail"}


def layout(**params):
    heading = html.H1("Audit record", className="h3")
    if not access.can(request_user(), access.SEE_AUDIT):
        return html.Div([heading, html.P(["Only administrators can see the audit record. ",
                                          html.A("Sign in", href="/login?next=/audit"), " as one."])])
    entries = runtime.dataset().tables["audit"].iloc[::-1]
    rows = [html.Tr([html.Td(str(value) if isinstance(value, str) else "") for value in row])
            for row in entries[list(HEADINGS)].head(SHOWN).itertuples(index=False)]
    return html.Div([
        heading,
        html.P(f"Every write to the store: action updates, changes to actions and meetings, and imports. "
               f"{len(entries)} entries; the latest {min(SHOWN, len(entries))} are shown, newest first. "
               "Entries are only ever added."),
        html.A("Download the whole record as CSV", href="/api/audit.csv", download="audit.csv", className="csv-link"),
        html.Table([
            html.Caption("Audit record, newest first", className="visually-hidden"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in HEADINGS.values()])),
            html.Tbody(rows),
        ], className="table table-sm audit-table mt-2"),
    ])
