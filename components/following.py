"""The form where a signed-in user chooses what they follow (priorities and districts, for the digest before
each meeting) and which emails they get. Values are filled in by the page's callback, never in the layout,
so a kept layout never shows someone's choices to another."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

IDS = {key: f"following-{key}" for key in ("load", "email", "priorities", "districts", "mail", "save", "message",
                                           "mail-note")}
DIGEST, ROUNDS = "digest", "rounds"


def following_form(priorities: pd.DataFrame, districts: pd.DataFrame, *, is_lead: bool, mail_on: bool) -> html.Div:
    mail_options = [{"label": "The digest before each meeting: what changed since the previous meeting, for what "
                              "I follow", "value": DIGEST}]
    if is_lead:
        mail_options.append({"label": "Update rounds: the request when a round opens and a reminder before its "
                                      "deadline, for the actions I lead", "value": ROUNDS})
    note = None if mail_on else html.P("This installation sends no email at the moment (no mail server is "
                                       "configured); your choices are kept for when it does.",
                                       className="small", id=IDS["mail-note"])
    return html.Div([
        dcc.Store(id=IDS["load"], data=0),
        html.P(["Your email address: ", html.Strong(id=IDS["email"])], className="mb-2"),
        note,
        html.Fieldset([
            html.Legend("Priorities you follow", className="h5"),
            html.P("None chosen: every priority.", className="small mb-1"),
            dbc.Checklist(id=IDS["priorities"], options=[{"label": p.name, "value": p.priority_id}
                                                        for p in priorities.itertuples()],
                          value=[], className="following-list"),
        ], className="mb-3"),
        html.Fieldset([
            html.Legend("Districts you follow", className="h5"),
            html.P("Beside the county's figures; none chosen: the county's only.", className="small mb-1"),
            dbc.Checklist(id=IDS["districts"], options=[{"label": d.area_name, "value": d.area_slug}
                                                       for d in districts.itertuples()],
                          value=[], className="following-list following-districts", inline=True),
        ], className="mb-3"),
        html.Fieldset([
            html.Legend("Emails", className="h5"),
            dbc.Checklist(id=IDS["mail"], options=mail_options, value=[]),
        ], className="mb-3"),
        html.Button("Save", id=IDS["save"], className="btn btn-primary", type="button"),
        html.Div(id=IDS["message"], className="mt-2", role="status", **{"aria-live": "polite"}),
    ], className="following-form", id="following-form")
