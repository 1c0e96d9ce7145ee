"""Pieces of the update round: an action's standing as a badge (word, shape and colour, never colour
alone), the round's board, and the panel a signed-in lead sees first ("your actions due an update").

A round here is a kcsp.rounds.Round and its actions the frame kcsp.rounds.standing gives (this module reads
them, it does not import the module, which writes to the store)."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
from dash import dcc, html

from components.brag import status_badge
from kcsp import access
from kcsp.users import User
from kcsp.vocabulary import ROUND

UPDATED, NOT_YET, LATE = "updated", "not-yet", "late"
STANDINGS = tuple(ROUND)
"""As kcsp.rounds has them (the round's words and shapes are kcsp.vocabulary's)."""


def standing_badge(standing: str, *, after_deadline: bool = False) -> html.Span:
    term = ROUND[standing]
    late_note = html.Span(" (after the deadline)", className="small") if after_deadline else None
    return html.Span([html.Span(term.shape, className="round-shape", **{"aria-hidden": "true"}), f" {term.word}",
                      late_note], className=f"round-standing {term.css_class}", title=term.meaning,
                     **{"data-standing": standing})


def _day(day: pd.Timestamp) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _when(stamp: object) -> str:
    return f"{pd.Timestamp(stamp):%d %b %Y}" if isinstance(stamp, str) and stamp else ""


def board_href(round_) -> str:
    return "/rounds?" + urlencode({"meeting": round_.meeting.iso})


def _counts(frame: pd.DataFrame) -> dict[str, int]:
    return {s: int((frame["standing"] == s).sum()) for s in STANDINGS}


def summary_line(frame: pd.DataFrame) -> html.P:
    """'12 of 24 actions updated (2 after the deadline); 10 not yet; 2 late.' with the badges."""
    counts = _counts(frame)
    after = int(frame["after_deadline"].sum())
    parts: list = [html.Strong(f"{counts[UPDATED]} of {len(frame)}"), " actions ",
                   standing_badge(UPDATED), f" ({after} after the deadline)" if after else "", "; "]
    parts += [html.Strong(str(counts[NOT_YET])), " ", standing_badge(NOT_YET), "; ",
              html.Strong(str(counts[LATE])), " ", standing_badge(LATE), "."]
    return html.P(parts, className="round-summary", id="round-summary")


def round_state_words(round_, today: pd.Timestamp) -> str:
    if round_.cancelled:
        return "Closed: its meeting was cancelled."
    if today > round_.meeting.date:
        return f"Closed at its meeting on {_day(round_.meeting.date)}: below is what was received."
    if round_.past_deadline(today):
        return "Open: the deadline has passed; updates still count until the meeting."
    days = (round_.due - today).days
    return f"Open: {days} day{'s' if days != 1 else ''} to the deadline." if days else "Open: the deadline is today."


def _table(caption: str, headers: list[str], rows: list, **kw) -> html.Div:
    return html.Div(html.Table([html.Caption(caption), html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
                                html.Tbody(rows)], className="table table-sm align-middle round-table", **kw),
                    className="table-responsive")


def agency_table(frame: pd.DataFrame) -> html.Div:
    rows = []
    for agency, part in frame.groupby("lead_agency", sort=True):
        counts = _counts(part)
        rows.append(html.Tr([html.Th(agency, scope="row"), *(html.Td(str(counts[s])) for s in STANDINGS),
                             html.Td(str(len(part)))]))
    return _table("Actions by lead agency", ["Lead agency", *(f"{ROUND[s].shape} {ROUND[s].word}" for s in STANDINGS),
                                             "Actions"], rows, id="round-agencies")


def priority_tables(frame: pd.DataFrame, priority_names: dict[str, str]) -> list:
    out = []
    for pid, part in frame.groupby("priority_id", sort=False):
        rows = []
        for r in part.itertuples(index=False):
            title = [r.title, html.Span(" (restricted)", className="small")] if access.is_restricted(r.classification) \
                else r.title
            latest = ([status_badge(r.status), f" update {r.version}"] if r.version else ["No update yet"])
            counted = (f"{_when(r.updated_at)}, {r.updated_by}" if isinstance(r.updated_at, str) else "")
            rows.append(html.Tr([html.Td(r.action_id), html.Td(title), html.Td(r.lead_agency),
                                 html.Td(standing_badge(r.standing, after_deadline=bool(r.after_deadline))),
                                 html.Td(counted), html.Td(latest)], **{"data-action": r.action_id}))
        name = priority_names.get(pid, pid)
        counts = _counts(part)
        out += [html.H3(f"{name}: {counts[UPDATED]} of {len(part)} updated", className="h5 mt-3"),
                _table(f"{name}: actions in this round", ["Ref", "Action", "Lead agency", "This round",
                                                          "Update counted (when, who)", "Latest status"], rows)]
    return out


def mail_summary(log: pd.DataFrame, mail_on: bool) -> html.Section:
    """For admins: which emails the round has sent (from mail_log), or that mail is off."""
    sent = log[log["step"] == "sent"]
    lines = []
    for kind, label in (("request", "Requests"), ("reminder", "Reminders")):
        who = sorted(set(sent.loc[sent["kind"] == kind, "recipient"]))
        lines.append(html.Li(f"{label} sent to {len(who)} lead{'s' if len(who) != 1 else ''}"
                             + (f": {', '.join(who)}." if who else ".")))
    latest = log.sort_values(["attempt"]).groupby(["kind", "recipient"]).tail(1)
    doubtful = latest[latest["step"].isin(["claimed", "unconfirmed"])]
    for r in doubtful.itertuples(index=False):
        lines.append(html.Li(f"Not confirmed: the {r.kind} to {r.recipient} ({r.message_id}) may have been sent; "
                             "look it up in the mail server's log. It is not sent again."))
    note = None if mail_on else html.P("This installation sends no email (no SMTP server is configured): tell the "
                                       "leads yourself. The board works the same.", className="small")
    return html.Section([html.H2("Email", className="h4 mt-3"), note, html.Ul(lines)], id="round-mail")


def board(round_, frame: pd.DataFrame, *, today: pd.Timestamp, priority_names: dict[str, str],
          mail: html.Section | None, others: list) -> html.Div:
    meeting = round_.meeting
    facts = html.Dl([
        html.Dt("Meeting"), html.Dd(meeting.name),
        html.Dt("Deadline"), html.Dd(_day(round_.due) + (" (moved)" if round_.version > 1 else "")),
        html.Dt("Opened"), html.Dd(f"{_day(round_.opened_at)} by {round_.opened_by}"),
        html.Dt("State"), html.Dd(round_state_words(round_, today), id="round-state"),
    ], className="meeting-facts")
    other = [html.Li(dcc.Link(r.meeting.name, href=board_href(r))) for r in others if r.meeting_id != round_.meeting_id]
    return html.Div([
        html.H1(f"Update round: {meeting.name}", className="h3"),
        html.P("Every action open when the round opened is due an update from its lead. An update made from the "
               "round's opening until the meeting counts for it; an action with none by the deadline is shown as "
               "\"no update\" in the meeting pack.", className="lead-text"),
        facts,
        summary_line(frame),
        html.P([html.Span("Key: ", className="fw-semibold"),
                *(html.Span([standing_badge(s), f": {ROUND[s].meaning.lower()}. "], className="me-2")
                  for s in STANDINGS)], className="round-legend small mb-2"),
        html.H2("By lead agency", className="h4 mt-3"),
        agency_table(frame),
        html.H2("By priority", className="h4 mt-3"),
        *priority_tables(frame, priority_names),
        mail,
        html.Section([html.H2("Other rounds", className="h4 mt-3"), html.Ul(other)]) if other else None,
    ], className="round-board", id="round-board")


def no_round(message: str, others: list) -> html.Div:
    items = [html.Li(dcc.Link(r.meeting.name, href=board_href(r))) for r in others]
    return html.Div([html.H1("Update round", className="h3"), html.P(message, id="round-none"),
                     html.Ul(items) if items else None])


def due_panel(items: list, user: User | None, priorities: pd.DataFrame) -> html.Section | None:
    """What a signed-in lead sees first: their actions due an update in each open round (an admin: each open
    round's progress). None when there is nothing to show (kcsp.rounds.due_for gives the items)."""
    if not items or user is None:
        return None
    everything = access.scope(user, access.SEE_ROUNDS) == access.ALL
    priority_names = dict(zip(priorities["priority_id"], priorities["name"], strict=True))
    blocks = []
    for item in items:
        round_ = item.round
        due = _day(round_.due)
        if everything:
            blocks += [html.P([f"{round_.meeting.name}, deadline {due}: ", *summary_line(item.actions).children,
                               " ", dcc.Link("See the round's board", href=board_href(round_))])]
            continue
        outstanding = item.outstanding
        if outstanding.empty:
            blocks.append(html.P(f"For {round_.meeting.name}: all {len(item.actions)} of your actions have an update "
                                 "for this round. Thank you."))
            continue
        rows = [html.Li([standing_badge(r.standing), " ", html.Strong(r.action_id), " ", r.title, " (",
                         priority_names.get(r.priority_id, r.priority_id), "). ",
                         dcc.Link("Update it", href="/actions?" + urlencode({"priority": r.priority_id}))],
                        **{"data-action": r.action_id}) for r in outstanding.itertuples(index=False)]
        blocks += [html.P([f"For {round_.meeting.name}: {len(outstanding)} of your {len(item.actions)} actions need "
                           f"an update by {due}. ", dcc.Link("Who has reported", href=board_href(round_)), "."]),
                   html.Ul(rows, className="round-due-list")]
    title = "Update rounds open" if everything else "Your actions due an update"
    return html.Section([html.H2(title, className="h4", id="rounds-due-heading"), *blocks],
                        className="rounds-due", id="rounds-due", **{"aria-labelledby": "rounds-due-heading"})
