"""What you follow: a signed-in user chooses the priorities and districts their digest covers, and whether
they get the digest before each meeting and (leads) the update rounds' requests and reminders.

The choices live in the users file (kcsp.users.set_mail); each save is recorded in the audit table. The
layout holds the choices' options only: the callbacks read and save the signed-in user's own choices on
every call, and nothing is kept between requests. Anyone not signed in is asked to sign in.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, html

from components.following import DIGEST, IDS, ROUNDS, following_form
from kcsp import access, audit, runtime
from kcsp.users import UserError, find_user, set_mail
from web.auth import request_user

dash.register_page(__name__, path="/following", title=runtime.page_title("What you follow"),
                   name="What you follow")


def layout(**params):
    heading = html.H1("What you follow", className="h3")
    user = request_user()
    if user is None:
        return html.Div([heading, html.P(["Sign in to choose what you follow and the emails you get. ",
                                          html.A("Sign in", href="/login?next=/following"), "."],
                                         id="following-denied")])
    ds = runtime.dataset()
    return html.Div([
        heading,
        html.P("Before each meeting, the digest tells you what changed since the previous meeting for the priorities "
               "and districts you follow: signals in the figures, actions whose status moved, new data and matters "
               "arising, each with a link to the page that shows it. It carries only what anyone may see on the "
               "public pages.", className="lead-text"),
        following_form(ds.current_priorities, ds.districts(), is_lead=access.can(user, access.ANSWER_ROUNDS),
                       mail_on=runtime.settings().mail is not None),
    ])


def _texts(value: object, known: set[str]) -> list[str]:
    return [v for v in value if isinstance(v, str) and v in known] if isinstance(value, list) else []


@callback(
    Output(IDS["email"], "children"),
    Output(IDS["priorities"], "value"),
    Output(IDS["districts"], "value"),
    Output(IDS["mail"], "value"),
    Input(IDS["load"], "data"),
)
def show_choices(_loaded):
    """The signed-in user's own choices, read from the users file on every call."""
    signed_in = request_user()
    user = find_user(runtime.settings().users_file, signed_in.name) if signed_in is not None else None
    if user is None:
        return "not signed in", [], [], []
    mail = [DIGEST] if user.digest else []
    if access.can(user, access.ANSWER_ROUNDS) and user.round_mail:
        mail.append(ROUNDS)
    address = user.email or "none yet: ask an administrator to add one (python -m kcsp users add ... --email)"
    return address, list(user.follow_priorities), list(user.follow_districts), mail


@callback(
    Output(IDS["message"], "children"),
    Input(IDS["save"], "n_clicks"),
    State(IDS["priorities"], "value"),
    State(IDS["districts"], "value"),
    State(IDS["mail"], "value"),
    prevent_initial_call=True,
)
def save_choices(_clicks, priorities, districts, mail):
    """Save the signed-in user's choices (values not among the options are dropped) and record it."""
    user = request_user()
    if user is None:
        return html.Div("Sign in to save what you follow.", className="alert alert-danger")
    ds = runtime.dataset()
    chosen = _texts(priorities, set(ds.current_priorities["priority_id"]))
    places = _texts(districts, set(ds.districts()["area_slug"]))
    wanted = _texts(mail, {DIGEST, ROUNDS})
    changes = {"follow_priorities": chosen, "follow_districts": places, "digest": DIGEST in wanted}
    takes_rounds = access.can(user, access.ANSWER_ROUNDS)
    if takes_rounds:
        changes["round_mail"] = ROUNDS in wanted
    try:
        saved = set_mail(runtime.settings().users_file, user.name, **changes)
    except UserError as err:
        return html.Div(f"Not saved: {err}.", className="alert alert-danger")
    detail = (f"follows {', '.join(saved.follow_priorities) or 'every priority'}; "
              f"{', '.join(saved.follow_districts) or 'the county only'}; digest {'on' if saved.digest else 'off'}"
              + (f"; round emails {'on' if saved.round_mail else 'off'}" if takes_rounds else ""))
    audit.record(runtime.store(), user.name, "follow", user.name, detail)
    return html.Div(["Saved. ", detail[0].upper() + detail[1:] + "."], className="alert alert-success",
                    id="following-saved")
