"""Meetings: which meeting is meant, what it compares with, and what changed in between.

A meeting is looked at "as at" its date (or today, for one still to come): figures for a month
count as available once that month has ended, so the data a meeting sees runs to the last month
that had ended by then. "Since the previous meeting" means since the previous meeting of the same
body (the board's previous meeting when the body has none before), as the meetings table records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import pandas as pd

from kcsp import access, judgements, stats
from kcsp import actions as action_history
from kcsp.memo import per_dataset
from kcsp.vocabulary import COMPLETE

MIN_YEAR, MAX_YEAR = 1900, 2200
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


class MeetingError(ValueError):
    """A meeting was asked for that the calendar does not have (the message says why)."""


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    date: pd.Timestamp
    body: str
    name: str
    board: bool = False
    """A meeting of the partnership's own board (the first of its bodies), whose packs these are."""

    @property
    def iso(self) -> str:
        return f"{self.date:%Y-%m-%d}"


@dataclass(frozen=True)
class MeetingView:
    """One meeting, the meeting it is compared with, and the dates that bound what it sees."""

    meeting: Meeting
    previous: Meeting | None
    as_at: pd.Timestamp
    upcoming: bool

    @property
    def data_end(self) -> pd.Timestamp:
        """First day of the last month that had ended by the meeting (or today)."""
        return last_complete_month(self.as_at)

    @property
    def since(self) -> pd.Timestamp | None:
        return None if self.previous is None else self.previous.date


def long_date(when: pd.Timestamp) -> str:
    """'2 December 2026' (no leading zero)."""
    return f"{when.day} {when:%B %Y}"


def since_words(view: MeetingView) -> str:
    """The one way "since the previous meeting" is put, with its dates: 'from 16 July 2026 (Kent
    Community Safety Partnership, 16 July 2026) to 19 November 2026'."""
    if view.previous is None:
        return f"to {long_date(view.as_at)} (no earlier meeting in the calendar)"
    return f"from {long_date(view.previous.date)} ({view.previous.name}) to {long_date(view.as_at)}"


def last_held(meetings: pd.DataFrame, today: pd.Timestamp, body: str | None = None) -> Meeting | None:
    """The one "last meeting": the body's (default: the board's) latest meeting on or before today (None
    when none is held yet).
    "Since the last meeting" (home cards, the district page, /actions) starts from it."""
    day = pd.Timestamp(today).normalize()
    held = [m for m in calendar(meetings) if (m.board if body is None else m.body == body) and m.date <= day]
    return held[-1] if held else None


def since_last(meetings: pd.DataFrame, last_row: pd.Series | None, today: pd.Timestamp) -> MeetingView | None:
    """"Since the last meeting" as home cards, the district page and /actions mean it: from the
    partnership's last meeting held (Dataset.last_meeting) to today, as a view of what comes next."""
    if last_row is None:
        return None
    last = next(m for m in calendar(meetings) if m.meeting_id == last_row["meeting_id"])
    return MeetingView(last, last, pd.Timestamp(today).normalize(), True)


def since_last_words(view: MeetingView) -> str:
    """'since the last meeting (Kent Community Safety Partnership, 19 November 2026), to 2 December 2026'."""
    return f"since the last meeting ({view.previous.name}), to {long_date(view.as_at)}"


def period_words(view: MeetingView) -> str:
    """The period a meeting's pack covers, in words."""
    return f"Period covered: {since_words(view)}."


def _meeting(row) -> Meeting:
    return Meeting(str(row.meeting_id), pd.Timestamp(row.date), str(row.body), str(row.name),
                   bool(getattr(row, "board", False)))


def calendar(meetings: pd.DataFrame) -> list[Meeting]:
    """Every meeting, oldest first."""
    return [_meeting(r) for r in meetings.sort_values(["date", "meeting_id"]).itertuples(index=False)]


def parse_date(value: str) -> pd.Timestamp:
    """'2025-11-20' -> Timestamp; anything else raises MeetingError with a plain message."""
    text = (value or "").strip()
    if not DATE.match(text):
        raise MeetingError(f"{value!r} is not a date in the form YYYY-MM-DD: choose a meeting from the calendar.")
    try:
        when = pd.Timestamp(text)
    except ValueError:
        raise MeetingError(f"{value!r} is not a real date.") from None
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise MeetingError(f"{value!r} is not a year from {MIN_YEAR} to {MAX_YEAR}: choose from the calendar.")
    return when


def find_meeting(meetings: pd.DataFrame, value: str) -> Meeting:
    """The meeting held on a date given as YYYY-MM-DD (the board's own if several bodies met)."""
    when = parse_date(value)
    same_day = [m for m in calendar(meetings) if m.date == when]
    if not same_day:
        raise MeetingError(f"No meeting is recorded on {when:%d %B %Y}. Choose one from the calendar.")
    return next((m for m in same_day if m.board), same_day[0])


def default_meeting(meetings: pd.DataFrame, today: pd.Timestamp) -> Meeting | None:
    """The next meeting from today on; when none is scheduled, the latest one held."""
    every = calendar(meetings)
    upcoming = [m for m in every if m.date >= today.normalize()]
    if upcoming:
        return upcoming[0]
    return every[-1] if every else None


def previous_meeting(meetings: pd.DataFrame, meeting: Meeting) -> Meeting | None:
    """The same body's meeting before this one; else the board's; else any earlier meeting."""
    earlier = [m for m in calendar(meetings) if m.date < meeting.date]
    for candidates in ([m for m in earlier if m.body == meeting.body],
                       [m for m in earlier if m.board], earlier):
        if candidates:
            return candidates[-1]
    return None


def meeting_view(meetings: pd.DataFrame, value: str | None, today: pd.Timestamp) -> MeetingView:
    """Resolve ?meeting=YYYY-MM-DD (or the default meeting) into what the page and pack need."""
    meeting = find_meeting(meetings, value) if value else default_meeting(meetings, today)
    if meeting is None:
        raise MeetingError("The calendar has no meetings yet.")
    return view_for(meetings, meeting, today)


def view_for(meetings: pd.DataFrame, meeting: Meeting, today: pd.Timestamp) -> MeetingView:
    """The one "previous meeting" view: the meeting compared with previous_meeting, as at today or its
    date, whichever is earlier (upcoming from its day on)."""
    today = pd.Timestamp(today).normalize()
    return MeetingView(meeting, previous_meeting(meetings, meeting), min(meeting.date, today), meeting.date >= today)


def last_complete_month(when: pd.Timestamp) -> pd.Timestamp:
    """First day of the last calendar month that had ended by `when`."""
    return (pd.Timestamp(when).to_period("M") - 1).to_timestamp()


@per_dataset
def new_data(dataset, since: pd.Timestamp | None, until: pd.Timestamp, *, area_code: str | None = None) -> pd.DataFrame:
    """Indicators with months of data that became complete after `since` and by `until` (for one
    area when `area_code` is given: only indicators with figures of that area's own).

    Columns: indicator_id, priority_id, name, illustrative, first_new, last_new, months.
    """
    columns = ["indicator_id", "priority_id", "name", "illustrative", "first_new", "last_new", "months"]
    end = last_complete_month(until)
    start = None if since is None else last_complete_month(since)
    rows = []
    for ind in dataset.indicators.itertuples(index=False):
        if area_code is not None and not dataset.has_data(ind.indicator_id, area_code):
            continue
        series = dataset.series(ind.indicator_id, area_code)
        periods = series["period"][series["period"] <= end]
        if start is not None:
            periods = periods[periods > start]
        if periods.empty:
            continue
        rows.append({"indicator_id": ind.indicator_id, "priority_id": ind.priority_id, "name": ind.name,
                     "illustrative": bool(ind.illustrative), "first_new": periods.min(),
                     "last_new": periods.max(), "months": len(periods)})
    return _in_priority_order(dataset, pd.DataFrame(rows, columns=columns))


def _in_priority_order(dataset, frame: pd.DataFrame) -> pd.DataFrame:
    order = dict(zip(dataset.priorities["priority_id"], dataset.priorities["sort_order"], strict=True))
    ranked = frame.assign(_order=frame["priority_id"].map(order))
    return ranked.sort_values(["_order", "name"], kind="stable").drop(columns="_order").reset_index(drop=True)


@per_dataset
def significant_changes(dataset, data_end: pd.Timestamp, *, district: str | None = None,
                        reveal: bool = False, since: pd.Timestamp | None = None) -> pd.DataFrame:
    """Each indicator's significant change (kcsp.judgements) in the window ending by `data_end`: its
    total's, and with a district, that district's too where the indicator has figures for it. With
    `since` (a meeting's date), only windows that end after it: older news is not "since".

    The list controls its false discovery rate at 5% (Benjamini-Hochberg over every change judged
    in its scope, a control chart's signal taking the chance of its pattern as its p-value), so a
    long list of measures does not fill with chance. `attrs` carries `judged` (how many changes were
    judged) and `by_chance` (how many a 5% test of each would flag with no real change anywhere).

    Columns: indicator_id, priority_id, name, illustrative, area_code, area_name, p_value, verdict
    (the Verdict). Ordered by priority, then by strength of evidence.
    """
    columns = ["indicator_id", "priority_id", "name", "illustrative", "area_code", "area_name", "p_value", "verdict"]
    rows = []
    for ind in dataset.indicators.itertuples(index=False):
        if not dataset.has_data(ind.indicator_id):
            continue
        areas = [dataset.total_code(ind.indicator_id)]
        if district:
            areas.insert(0, judgements.shown_area(dataset, ind.indicator_id, district))
        for code in dict.fromkeys(areas):
            v = judgements.verdict(dataset, ind.indicator_id, code, judgements.CHANGE, None, data_end, reveal=reveal)
            if v is None or v.verdict in (None, "not-compared") or v.window is None:
                continue
            if since is not None and v.window.frequency.step(v.window.end, 1) <= since:
                continue
            rows.append({"indicator_id": ind.indicator_id, "priority_id": ind.priority_id, "name": ind.name,
                         "illustrative": bool(ind.illustrative), "area_code": code, "area_name": v.area_name,
                         "p_value": v.p_value if v.p_value is not None else 1.0, "verdict": v})
    frame = pd.DataFrame(rows, columns=columns)
    judged = len(frame)
    if judged:
        keep = stats.benjamini_hochberg(frame["p_value"].to_numpy(dtype="float64"))
        frame = frame[keep & frame["verdict"].map(lambda v: v.judged).to_numpy(dtype=bool)]
    order = dict(zip(dataset.priorities["priority_id"], dataset.priorities["sort_order"], strict=True))
    out = (frame.assign(_order=frame["priority_id"].map(order)).sort_values(["_order", "p_value"], kind="stable")
           .drop(columns="_order").reset_index(drop=True))
    out.attrs.update(judged=judged, by_chance=judged * stats.SIGNIFICANCE)
    return out


def district_changes(dataset, data_end: pd.Timestamp, district: str, *, reveal: bool,
                     since: pd.Timestamp | None = None) -> pd.DataFrame:
    """The significant changes in a district's own figures (its rows of `significant_changes`)."""
    code = dataset.area_code_for_slug(district)
    frame = significant_changes(dataset, data_end, district=district, reveal=reveal, since=since)
    out = frame[frame["area_code"] == code].reset_index(drop=True)
    out.attrs.update(frame.attrs)
    return out


@per_dataset
def action_moves(dataset, since: pd.Timestamp | None, until: pd.Timestamp, *,
                 include_restricted: bool, district: str | None = None) -> pd.DataFrame:
    """Actions whose status moved (or that are new, or became overdue) between two dates (the day rule
    of kcsp.actions: updates on the previous meeting's day count as since it); with a district (slug),
    those covering it, county-wide ones included."""
    start = since if since is not None else pd.Timestamp("1900-01-01")
    acts = access.visible_actions(include_restricted, dataset.actions)
    acts = acts[action_history.in_district(acts["areas"], district)]
    return action_history.changes_since(acts, dataset.updates, start, until)


@dataclass(frozen=True)
class PriorityChange:
    """What changed for one priority between two dates."""

    new_measures: tuple[str, ...]
    moved_actions: int

    @property
    def changed(self) -> bool:
        return bool(self.new_measures) or self.moved_actions > 0


@per_dataset
def changes_by_priority(dataset, since: pd.Timestamp | None, until: pd.Timestamp, *,
                        include_restricted: bool = False) -> dict[str, PriorityChange]:
    """For each priority: measures with new months of data, and how many actions moved."""
    fresh = new_data(dataset, since, until)
    moved = action_moves(dataset, since, until, include_restricted=include_restricted)
    out = {}
    for pid in dataset.priorities["priority_id"]:
        names = tuple(fresh.loc[fresh["priority_id"] == pid, "name"])
        out[pid] = PriorityChange(names, int((moved["priority_id"] == pid).sum()))
    return out


FINISHED_STATES = {"closed": "Closed", "withdrawn": "Withdrawn", "retired": "Retired from the plan"}


@per_dataset
def pack_actions(dataset, priority_id: str, since: pd.Timestamp | None, *, include_restricted: bool,
                 district: str | None = None) -> pd.DataFrame:
    """Every action of a priority that the pack's cover counts (Dataset.actions_for, on the meeting's
    own dataset: kcsp.history), each with its latest update by then and how it stands.

    `standing` says so in words where an action is no longer live: completed before the previous
    meeting (`since`), closed, withdrawn or retired (with the date); `finished` orders those after the
    live ones. Columns: the action's own, version, status, progress, illustrative, updated_at,
    overdue, standing, finished.
    """
    frame = dataset.actions_for(include_restricted=include_restricted, priority_id=priority_id,
                                district=district).copy()
    state_changes = dataset.action_changes[dataset.action_changes["field"] == "state"]
    state_at = (state_changes.sort_values("revision").groupby("action_id")["changed_at"].last()
                if len(state_changes) else pd.Series(dtype="str"))
    start = None if since is None else action_history.since_start(since)
    standing, finished = [], []
    for a in frame.itertuples(index=False):
        updated = pd.to_datetime(a.updated_at, utc=True).tz_localize(None) if isinstance(a.updated_at, str) else None
        if a.state in FINISHED_STATES:
            when = state_at.get(a.action_id)
            day = f" {pd.Timestamp(when):%d %b %Y}" if isinstance(when, str) else ""
            standing.append(f"{FINISHED_STATES[a.state]}{day}")
            finished.append(True)
        elif a.status == COMPLETE and updated is not None and start is not None and updated < start:
            standing.append(f"Completed {updated:%d %b %Y}, before the previous meeting")
            finished.append(True)
        elif a.status == COMPLETE and updated is not None:
            standing.append(f"Completed {updated:%d %b %Y}")
            finished.append(False)
        elif int(a.version) == 0:
            standing.append("No update yet")
            finished.append(False)
        else:
            standing.append("")
            finished.append(False)
    frame["standing"] = standing
    frame["finished"] = finished
    return frame.sort_values(["finished", "action_id"], kind="stable").reset_index(drop=True)


def with_meeting(search: str | None, value: str) -> str:
    """The query string with meeting=value set (other parameters kept, in their order)."""
    pairs = [(k, v) for k, v in parse_qsl((search or "").lstrip("?"), keep_blank_values=True) if k != "meeting"]
    pairs.insert(0, ("meeting", value))
    return "?" + urlencode(pairs)
