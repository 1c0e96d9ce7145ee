"""The words of the product's emails: an update round's request and reminder, and the digest before a
meeting, each as plain text and as HTML saying the same.

Pure text building: no sending here (serving.mail hands a Mail to the SMTP server). The HTML has no
images, no remote content and no tracking: every link goes straight to the page it names, under
KCSP_BASE_URL. Every email ends with why it was sent and an unsubscribe link that works without signing
in (kcsp.mailing signs it). A restricted action is named by its reference only ("sign in to see it"):
email leaves the product.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from kcsp import access
from kcsp.digest import Digest, Item
from kcsp.rounds import Round
from kcsp.users import User
from kcsp.vocabulary import ROUND, STATUS

FONT = "font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.45; color: #0b0c0c"
SMALL = "font-size: 14px; color: #505a5f"


@dataclass(frozen=True)
class Mail:
    """One email to one account, about one meeting: its kind (request, reminder or digest), the words and
    the unsubscribe address (also sent as the List-Unsubscribe header)."""

    meeting_id: str
    kind: str
    recipient: str
    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str


def day_words(day: pd.Timestamp) -> str:
    """'Thursday 21 January 2027'."""
    day = pd.Timestamp(day)
    return f"{day:%A} {day.day} {day:%B %Y}"


def _when(stamp: object) -> str:
    if not isinstance(stamp, str) or not stamp:
        return ""
    moment = pd.Timestamp(stamp)
    return f"{moment.day} {moment:%B %Y}"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _link(url: str, label: str) -> str:
    return f'<a href="{_esc(url)}">{_esc(label)}</a>'


def _document(subject: str, body: list[str], footer: list[str]) -> str:
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_esc(subject)}</title></head>\n"
            f"<body style=\"{FONT}; max-width: 42em; margin: 0 auto; padding: 16px\">\n" + "\n".join(body) +
            f"\n<hr style=\"border: 0; border-top: 1px solid #b1b4b6; margin: 24px 0 12px\">\n"
            f"<div style=\"{SMALL}\">" + "\n".join(f"<p>{line}</p>" for line in footer) + "</div>\n</body></html>\n")


def _action_title(row) -> str:
    if access.is_restricted(row.classification):
        return f"{row.action_id} Restricted action (sign in to see it)"
    return f"{row.action_id} {row.title}"


def _action_line(row) -> tuple[str, str]:
    """(text, HTML) of one action in a round's email: its title, lead agency and latest update."""
    status = STATUS.get(row.status, STATUS["not-started"])
    standing = ROUND[row.standing]
    last = (f"latest status {status.shape} {status.word}, update {row.version}" if row.version
            else "no update yet")
    text = f"- {_action_title(row)} ({row.lead_agency}): {standing.shape} {standing.word}; {last}."
    markup = (f"<li><strong>{_esc(_action_title(row))}</strong> ({_esc(row.lead_agency)}): "
              f"{_esc(standing.shape)} {_esc(standing.word)}; {_esc(last)}.</li>")
    return text, markup


def _actions_by_priority(actions: pd.DataFrame, priority_names: dict[str, str], base_url: str
                         ) -> tuple[list[str], list[str]]:
    text, markup = [], []
    for pid, rows in actions.groupby("priority_id", sort=False):
        name = priority_names.get(pid, pid)
        url = f"{base_url}/actions?priority={pid}"
        lines = [_action_line(r) for r in rows.itertuples(index=False)]
        text += ["", name, *(t for t, _ in lines), f"Update them: {url}"]
        markup += [f"<h2 style=\"font-size: 18px; margin: 20px 0 6px\">{_esc(name)}</h2>",
                   "<ul style=\"padding-left: 20px; margin: 0\">" + "".join(m for _, m in lines) + "</ul>",
                   f"<p style=\"margin: 6px 0\">{_link(url, f'Update the actions of {name}')}</p>"]
    return text, markup


def _round_footer(user: User, priority_names: dict[str, str], unsubscribe_url: str, base_url: str
                  ) -> tuple[list[str], list[str]]:
    leads = ", ".join(priority_names.get(p, p) for p in user.priorities)
    why = f"You get this email because your account ({user.name}) leads {leads} in the action plan."
    text = ["-- ", why, f"Stop update-round emails: {unsubscribe_url}",
            f"What you follow and the emails you get: {base_url}/following"]
    markup = [_esc(why), _link(unsubscribe_url, "Stop update-round emails") + " (no sign-in needed). "
              + _link(f"{base_url}/following", "What you follow and the emails you get") + "."]
    return text, markup


def round_mail(kind: str, round_: Round, actions: pd.DataFrame, user: User, *, priority_names: dict[str, str],
               base_url: str, unsubscribe_url: str) -> Mail:
    """A round's request (kind "request": every action of the lead's in the round) or reminder ("reminder":
    those still without an update)."""
    meeting = round_.meeting
    count = len(actions)
    plural = "action" if count == 1 else "actions"
    due = day_words(round_.due)
    board = f"{base_url}/rounds?meeting={meeting.iso}"
    if kind == "request":
        subject = f"Update round for {meeting.name}: please update your {count} {plural} by {due}"
        lead = [f"An update round has opened for {meeting.name}. Please add an update to each of your {count} "
                f"{plural} below by {due}."]
    else:
        subject = f"Reminder: {count} {plural} still need an update by {due} ({meeting.name})"
        lead = [f"This is a reminder: {count} of your {plural} in the update round for {meeting.name} "
                f"{'has' if count == 1 else 'have'} no update yet. The deadline is {due}."]
    rule = ("An update made from the round's opening until the meeting counts for it. An action with no update "
            "by the deadline is shown as \"no update\" in the meeting pack.")
    text_actions, html_actions = _actions_by_priority(actions, priority_names, base_url)
    text_footer, html_footer = _round_footer(user, priority_names, unsubscribe_url, base_url)
    text = "\n".join([subject, "", f"Hello {user.name},", "", *lead, "", rule, *text_actions, "",
                      f"Who has reported so far: {board}", "", *text_footer]) + "\n"
    body = [f"<h1 style=\"font-size: 22px; margin: 0 0 12px\">{_esc(subject)}</h1>",
            f"<p>Hello {_esc(user.name)},</p>", *(f"<p>{_esc(p)}</p>" for p in lead), f"<p>{_esc(rule)}</p>",
            *html_actions, f"<p>{_link(board, 'Who has reported so far')}</p>"]
    return Mail(meeting.meeting_id, kind, user.name, user.email or "", subject, text,
                _document(subject, body, html_footer), unsubscribe_url)


def _items(title: str, items: tuple[Item, ...], base_url: str, link_label: str) -> tuple[list[str], list[str]]:
    if not items:
        return [], []
    text = ["", title]
    markup = [f"<h2 style=\"font-size: 18px; margin: 20px 0 6px\">{_esc(title)}</h2>",
              "<ul style=\"padding-left: 20px; margin: 0\">"]
    for item in items:
        url = f"{base_url}{item.path}"
        text += [f"- {item.title} ({item.priority_name}): {item.detail}", f"  {link_label}: {url}"]
        markup.append(f"<li style=\"margin-bottom: 6px\"><strong>{_esc(item.title)}</strong> "
                      f"({_esc(item.priority_name)}): {_esc(item.detail)} {_link(url, link_label)}</li>")
    markup.append("</ul>")
    return text, markup


def digest_mail(digest: Digest, user: User, *, base_url: str, unsubscribe_url: str) -> Mail:
    """The digest before a meeting for one member."""
    meeting = digest.meeting
    subject = f"Before {meeting.name}: what changed since the previous meeting"
    since = (f"What changed {digest.since}, for what you follow ({digest.follows}); figures for months complete "
             f"to {digest.data_end:%B %Y}.")
    intro = f"The meeting is on {day_words(meeting.date)}."
    page = f"{base_url}{digest.meeting_path}"
    text, markup = [], []
    for title, items, label in (("Signals: significant changes", digest.signals, "See the measure"),
                                ("Actions whose status moved", digest.moves, "See it on the meeting's page"),
                                ("Measures with new data", digest.new_data, "See the measure"),
                                ("Matters arising", digest.matters, "See it on the meeting's page")):
        t, m = _items(title, items, base_url, label)
        text += t
        markup += m
    if digest.empty:
        nothing = "Nothing changed for the priorities and districts you follow."
        text += ["", nothing]
        markup.append(f"<p>{_esc(nothing)}</p>")
    why = f"You get this digest because your account ({user.name}) asked for it before each meeting."
    following = f"{base_url}/following"
    text_body = "\n".join([subject, "", f"Hello {user.name},", "", intro, since, *text, "",
                           f"The meeting's page: {page}", "", "-- ", why, f"Change what you follow: {following}",
                           f"Stop the digest: {unsubscribe_url}"]) + "\n"
    body = [f"<h1 style=\"font-size: 22px; margin: 0 0 12px\">{_esc(subject)}</h1>",
            f"<p>Hello {_esc(user.name)},</p>", f"<p>{_esc(intro)} {_esc(since)}</p>", *markup,
            f"<p>{_link(page, 'Open the meeting' + chr(39) + 's page')}</p>"]
    footer = [_esc(why), _link(following, "Change what you follow") + ". "
              + _link(unsubscribe_url, "Stop the digest") + " (no sign-in needed)."]
    return Mail(meeting.meeting_id, "digest", user.name, user.email or "", subject, text_body,
                _document(subject, body, footer), unsubscribe_url)
