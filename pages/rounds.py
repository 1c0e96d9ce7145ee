"""The update round's board (admins and leads): each action of the round as updated, not yet, or late, by
lead agency and by priority; ``?meeting=YYYY-MM-DD`` chooses the round of that meeting (default: the open
round whose meeting comes first, else the latest). Anyone else is told who may see it; no action is sent to
them. Works the same whether or not this installation sends email."""

from __future__ import annotations

import dash
from dash import html

from components.rounds import board, mail_summary, no_round
from kcsp import access, rounds, runtime
from kcsp.meetings import MeetingError
from web.auth import request_user

dash.register_page(__name__, path="/rounds", title=runtime.page_title("Update round"),
                   name="Update round")

def layout(meeting: str | None = None, **params):
    user = request_user()
    if not access.can(user, access.SEE_ROUNDS):
        return html.Div([html.H1("Update round", className="h3"),
                         html.P(["Administrators and priority leads can see the update round's board. ",
                                 html.A("Sign in", href="/login?next=/rounds"), " as one."], id="round-denied")])
    ds = runtime.dataset()
    tables = ds.tables
    every = rounds.all_rounds(tables)
    try:
        round_ = rounds.board_round(tables, ds.today, meeting if isinstance(meeting, str) else None)
    except MeetingError as err:
        return no_round(str(err), every)
    if round_ is None:
        message = ("No meeting on that date has an update round." if meeting else
                   "No update round has been opened yet. An administrator opens one with "
                   "python -m kcsp rounds open --meeting MEETING_ID.")
        return no_round(message, every)
    frame = rounds.standing(tables, round_, today=ds.today)
    names = dict(zip(ds.priorities["priority_id"], ds.priorities["name"], strict=True))
    log = tables["mail_log"]
    mail = (mail_summary(log[log["meeting_id"] == round_.meeting_id], runtime.settings().mail is not None)
            if access.scope(user, access.SEE_ROUNDS) == access.ALL else None)
    return board(round_, frame, today=ds.today, priority_names=names, mail=mail, others=list(reversed(every)))
