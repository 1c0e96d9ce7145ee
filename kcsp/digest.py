"""The digest before a meeting: what changed since the previous meeting, for what a member follows.

Sent (kcsp.mailing) from ``DAYS_BEFORE`` days before each meeting that is not cancelled, of any body, to
the day before it, to each account that asked for it. "Since the previous meeting" is the meeting page's
own: the previous meeting of the same body (kcsp.meetings.previous_meeting), to today, with the figures of
the months complete by today. The digest reads the same functions as the meeting page, so it lists what
that page lists:

- **signals**: the significant changes (kcsp.meetings.significant_changes: control-chart signals and
  tested changes, false discovery rate held), of the county's figures and, for each district followed,
  that district's own (kcsp.meetings.district_changes);
- **status moves**: the actions whose status moved, were new or fell overdue (kcsp.meetings.action_moves),
  covering the districts followed (county-wide ones included);
- **new data**: the measures with months of data added (kcsp.meetings.new_data);
- **matters arising**: those the meeting will hear about (kcsp.matters.for_meeting), owned by a priority
  followed.

What a member follows: the priorities chosen (none chosen: every priority) and the districts (none
chosen: the county's figures only). Mail leaves the product, so a digest holds only what an anonymous
visitor may see: no restricted action, and small numbers withheld as on the public pages. Each item
carries the address of the page that shows it (a path; kcsp.mail_text makes it a link with KCSP_BASE_URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import pandas as pd

from kcsp import matters, meetings
from kcsp.actions import until_end
from kcsp.narrative import change_figures, method_words
from kcsp.vocabulary import CHANGE, MOVE, STATUS

DAYS_BEFORE = 3
"""A digest is due from this many days before its meeting to the day before it."""


@dataclass(frozen=True)
class Item:
    """One line of a digest: what it is about, in words, and the page (path and query) that shows it."""

    priority_id: str
    priority_name: str
    title: str
    detail: str
    path: str
    key: str = ""
    """What the item is (an indicator and area, an action, a matter): for tests and de-duplication."""


@dataclass(frozen=True)
class Digest:
    meeting: meetings.Meeting
    previous: meetings.Meeting | None
    since: str
    """'from 19 November 2026 (Kent Community Safety Partnership, 19 November 2026) to 2 December 2026'."""
    data_end: pd.Timestamp
    follows: str
    """What the digest covers, in words."""
    meeting_path: str
    signals: tuple[Item, ...]
    moves: tuple[Item, ...]
    new_data: tuple[Item, ...]
    matters: tuple[Item, ...]

    @property
    def empty(self) -> bool:
        return not (self.signals or self.moves or self.new_data or self.matters)


def due(meeting_date: pd.Timestamp, today: pd.Timestamp) -> bool:
    """Whether a meeting's digest is due on `today`: from DAYS_BEFORE days before it to the day before."""
    day = pd.Timestamp(meeting_date).normalize()
    today = pd.Timestamp(today).normalize()
    return day - pd.Timedelta(days=DAYS_BEFORE) <= today < day


def _path(path: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{path}?{query}" if query else path


def view_of(dataset, meeting_id: str) -> meetings.MeetingView:
    """The meeting (by id) as its page sees it from the dataset's today: compared with the previous meeting
    of its body, as at today or its date, whichever is earlier."""
    meeting = next((m for m in meetings.calendar(dataset.meetings) if m.meeting_id == meeting_id), None)
    if meeting is None:
        raise meetings.MeetingError(f"there is no meeting {meeting_id} in the calendar")
    return meetings.view_for(dataset.meetings, meeting, dataset.today)


def _follows(dataset, priorities: tuple[str, ...], districts: tuple[str, ...]) -> tuple[list[str], list[str], str]:
    current = list(dataset.current_priorities["priority_id"])
    chosen = [p for p in priorities if dataset.priority(p) is not None] or current
    slugs = [d for d in districts if dataset.area_code_for_slug(d) is not None]
    names = dict(zip(dataset.priorities["priority_id"], dataset.priorities["name"], strict=True))
    what = ("every priority" if chosen == current and not priorities else "; ".join(names[p] for p in chosen))
    where = ("the county's figures" if not slugs else
             "the county and " + ", ".join(dataset.area_name(dataset.area_code_for_slug(d)) for d in slugs))
    return chosen, slugs, f"{what}; {where}"


def digest_for(dataset, meeting_id: str, *, priorities: tuple[str, ...] = (), districts: tuple[str, ...] = (),
               now: datetime | pd.Timestamp | None = None) -> Digest:
    """What changed before a meeting for one member (see the module's docstring). `dataset` is today's
    (its `today` is the digest's day); `now` the moment matters arising are read as at (default: the end of
    the dataset's day)."""
    view = view_of(dataset, meeting_id)
    chosen, slugs, follows = _follows(dataset, priorities, districts)
    wanted = set(chosen)
    names = dict(zip(dataset.priorities["priority_id"], dataset.priorities["name"], strict=True))
    iso = view.meeting.iso

    def page(district: str | None = None, anchor: str = "") -> str:
        return _path("/meeting", meeting=iso, district=district) + anchor

    signals: dict[str, Item] = {}
    for district in [None, *slugs]:
        frame = (meetings.significant_changes(dataset, view.data_end, reveal=False, since=view.since)
                 if district is None else
                 meetings.district_changes(dataset, view.data_end, district, reveal=False, since=view.since))
        for r in frame.itertuples(index=False):
            if r.priority_id not in wanted:
                continue
            term = CHANGE.get(r.verdict.verdict)
            word = f"{term.shape} {term.word}" if term else str(r.verdict.verdict)
            how = method_words(r.verdict)
            key = f"{r.indicator_id}@{r.area_code}"
            signals.setdefault(key, Item(
                r.priority_id, names.get(r.priority_id, r.priority_id), f"{r.name}, {r.area_name}",
                f"{word}" + (f" ({how})" if how else "") + f". {change_figures(r.verdict)}.",
                _path(f"/priority/{r.priority_id}", indicator=r.indicator_id, district=district), key))

    moves: dict[str, Item] = {}
    for district in slugs or [None]:
        frame = meetings.action_moves(dataset, view.since, view.as_at, include_restricted=False, district=district)
        for r in frame.itertuples(index=False):
            if r.priority_id not in wanted:
                continue
            move = MOVE.get(r.move)
            then = STATUS[r.status_before].word if isinstance(r.status_before, str) else "none (new)"
            words = f"{move.shape} {move.word}: {then} to {STATUS[r.status_now].word}" if move else ""
            if r.became_overdue:
                words = (words + "; " if words else "") + "now overdue"
            moves.setdefault(r.action_id, Item(r.priority_id, names.get(r.priority_id, r.priority_id),
                                               f"{r.action_id} {r.title}", words + ".",
                                               page(district), r.action_id))

    fresh = meetings.new_data(dataset, view.since, view.as_at)
    new_data = tuple(
        Item(r.priority_id, names.get(r.priority_id, r.priority_id), r.name,
             (f"{r.months} new months: {r.first_new:%B %Y} to {r.last_new:%B %Y}." if r.months > 1
              else f"New figures for {r.last_new:%B %Y}."),
             _path(f"/priority/{r.priority_id}", indicator=r.indicator_id), r.indicator_id)
        for r in fresh.itertuples(index=False) if r.priority_id in wanted)

    cutoff = matters.meeting_cutoff(view.meeting.date, until_end(dataset.today) if now is None else now)
    listed = matters.for_meeting(dataset.tables["matters_arising"], dataset.tables["meetings"], meeting_id, cutoff,
                                 priorities=dataset.priorities)
    kinds = {"carried": "Open, carried from", "answered": "Answered, raised at", "raised here": "Raised at"}
    matter_items = tuple(
        Item(r.owner, r.owner_name, r.text,
             f"{kinds.get(r.kind, r.kind)} {r.raised_at_name}" + ("; to be reported to this meeting" if r.due_here
                                                                  else "") + ".",
             page(None, "#matters-arising"), r.matter_id)
        for r in listed.itertuples(index=False) if r.owner in wanted)

    return Digest(view.meeting, view.previous, meetings.since_words(view), view.data_end, follows, page(),
                  tuple(signals.values()), tuple(moves.values()), new_data, matter_items)
