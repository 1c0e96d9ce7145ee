"""Update rounds: before a meeting, every open action is due an update from its lead.

An admin opens a round for a meeting (``python -m kcsp rounds open``) with a deadline: by default the
meeting's date less a week (``DEFAULT_DAYS_BEFORE``). A round is usually for a Working Group meeting,
which reviews the updates; one may be opened for a meeting of any other body (the partnership's, the
Crime and Disorder Committee's) on the same terms, its default deadline a week before that meeting.
A meeting has at most one round: opening it again with another deadline moves the deadline (a new
version in ``update_rounds``; the actions stay those the round opened with).

- **The actions in a round**: those open (state ``open``) and not complete (latest status not blue)
  when it opened, restricted ones included. An action added to the plan later is not in it.
- **Its lead**: the accounts with role ``lead`` whose priorities include the action's priority. Admins
  may update any action but are not asked as leads.
- **What counts**: an update made from the round's opening to the end of its meeting's day (the day
  rule of kcsp.actions). An action stands as *updated* (an update counted; one made after the deadline
  is said to be so), *not yet* (none, and the deadline has not passed: its whole day counts) or *late*
  (none, and the deadline has passed).
- **Closing**: the round closes at its meeting (a cancelled meeting closes it at once): from then the
  board shows what was received, and later updates do not count for it.

``no_update_actions`` gives the meeting pack the actions with no update by the deadline. Everything
here reads plain tables (a ``Dataset``'s ``tables``, or ``Store.read_all()``); only ``open_round``
writes, in one locked commit with its audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from kcsp import access, audit
from kcsp.actions import until_end
from kcsp.meetings import Meeting, MeetingError, parse_date
from kcsp.periods import parse_times
from kcsp.schema import TABLES
from kcsp.store import Commit, Store
from kcsp.users import User
from kcsp.vocabulary import COMPLETE

DEFAULT_DAYS_BEFORE = 7
"""The default deadline: this many days before the round's meeting."""
REMINDER_DAYS = 3
"""Reminders go from this many days before the deadline to the deadline's day (kcsp.mailing)."""
UPDATED, NOT_YET, LATE = "updated", "not-yet", "late"
STANDINGS = (UPDATED, NOT_YET, LATE)
"""How an action stands in a round (words and shapes: kcsp.vocabulary.ROUND)."""
BOARD_COLUMNS = ["action_id", "priority_id", "title", "lead_agency", "classification", "standing", "after_deadline",
                 "updated_at", "updated_by", "status", "version"]
COLUMNS = TABLES["update_rounds"].column_names


class RoundError(ValueError):
    """A round cannot be opened as asked (the message says why, in words)."""


@dataclass(frozen=True)
class Round:
    """A meeting's update round, as its latest version has it."""

    meeting: Meeting
    version: int
    due: pd.Timestamp
    action_ids: tuple[str, ...]
    opened_by: str
    opened_at: pd.Timestamp
    """When the round was opened (version 1; naive UTC): updates count from then."""
    changed_at: pd.Timestamp
    """When the latest version was written (the opening, or the last move of the deadline)."""
    cancelled: bool = False

    @property
    def meeting_id(self) -> str:
        return self.meeting.meeting_id

    @property
    def closes_at(self) -> pd.Timestamp:
        """The end of the meeting's day: updates before it count (kcsp.actions.until_end)."""
        return until_end(self.meeting.date)

    def is_open(self, now: datetime | pd.Timestamp) -> bool:
        """Opened by `now` and its meeting not yet over (nor cancelled)."""
        moment = utc(now)
        return not self.cancelled and self.opened_at <= moment < self.closes_at

    def open_on(self, day: pd.Timestamp) -> bool:
        """Open at some time on `day` (what a page showing `day` says)."""
        day = pd.Timestamp(day).normalize()
        return not self.cancelled and self.opened_at < until_end(day) and day <= self.meeting.date

    def past_deadline(self, today: pd.Timestamp) -> bool:
        """Whether the deadline's day is over by `today`."""
        return pd.Timestamp(today).normalize() > self.due


def utc(moment: datetime | pd.Timestamp | None = None) -> pd.Timestamp:
    """A moment as a naive UTC timestamp (now when None; a naive one is taken as UTC)."""
    when = pd.Timestamp.now("UTC") if moment is None else pd.Timestamp(moment)
    return when.tz_convert("UTC").tz_localize(None) if when.tzinfo is not None else when


def _stamps(values: pd.Series) -> pd.Series:
    return parse_times(values)


def _meeting(row: pd.Series) -> Meeting:
    return Meeting(str(row["meeting_id"]), pd.Timestamp(row["date"]), str(row["body"]), str(row["name"]),
                   bool(row.get("board", False)))


def all_rounds(tables: Mapping[str, pd.DataFrame]) -> list[Round]:
    """Every round, by its meeting's date (oldest first)."""
    table = tables.get("update_rounds")
    if table is None or table.empty:
        return []
    meetings = tables["meetings"].set_index("meeting_id", drop=False)
    out = []
    for meeting_id, rows in table.groupby("meeting_id", sort=False):
        if meeting_id not in meetings.index:
            continue
        ordered = rows.sort_values("version")
        first, latest = ordered.iloc[0], ordered.iloc[-1]
        meeting = meetings.loc[meeting_id]
        ids = tuple(a for a in str(latest["actions"] if isinstance(latest["actions"], str) else "").split(";") if a)
        out.append(Round(_meeting(meeting), int(latest["version"]), pd.Timestamp(latest["due"]), ids,
                         str(first["opened_by"]), utc(first["opened_at"]), utc(latest["opened_at"]),
                         bool(meeting["cancelled"])))
    return sorted(out, key=lambda r: (r.meeting.date, r.meeting_id))


def round_for(tables: Mapping[str, pd.DataFrame], meeting_id: str) -> Round | None:
    """The round of a meeting, or None when it has none."""
    return next((r for r in all_rounds(tables) if r.meeting_id == meeting_id), None)


def open_rounds(tables: Mapping[str, pd.DataFrame], now: datetime | pd.Timestamp | None = None) -> list[Round]:
    """The rounds open at `now`, soonest meeting first."""
    return [r for r in all_rounds(tables) if r.is_open(utc(now))]


def rounds_open_on(tables: Mapping[str, pd.DataFrame], day: pd.Timestamp) -> list[Round]:
    """The rounds open at some time on `day`, soonest meeting first."""
    return [r for r in all_rounds(tables) if r.open_on(day)]


def due_actions(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The actions a round opened now would hold: open, and not complete (their latest status)."""
    actions = tables["actions"]
    updates = tables["action_updates"]
    latest = updates.sort_values(["action_id", "version"]).groupby("action_id")["status"].last()
    live = actions[actions["state"] == "open"]
    complete = live["action_id"].map(latest).eq(COMPLETE)
    return sorted(live.loc[~complete.to_numpy(dtype=bool), "action_id"])


def standing(tables: Mapping[str, pd.DataFrame], round_: Round, *, today: pd.Timestamp,
             now: datetime | pd.Timestamp | None = None) -> pd.DataFrame:
    """Each action of the round and how it stands on `today` (updates made by `now` when given, and
    never after the round closed). Columns: BOARD_COLUMNS; `updated_at`, `updated_by` are the latest
    update counted for the round, `status` and `version` the action's latest by then, `after_deadline`
    whether its first counted update came after the deadline. Ordered by priority, then lead agency."""
    actions = tables["actions"]
    mine = actions[actions["action_id"].isin(round_.action_ids)]
    end = round_.closes_at if now is None else min(round_.closes_at, utc(now))
    updates = tables["action_updates"]
    updates = updates[updates["action_id"].isin(round_.action_ids)]
    made = _stamps(updates["updated_at"])
    upto = updates[(made < end).to_numpy(dtype=bool)]
    counted = upto[(_stamps(upto["updated_at"]) >= round_.opened_at).to_numpy(dtype=bool)]
    latest = upto.sort_values(["action_id", "version"]).groupby("action_id").tail(1).set_index("action_id")
    counted_latest = counted.sort_values(["action_id", "version"]).groupby("action_id").tail(1).set_index("action_id")
    first_counted = counted.sort_values(["action_id", "version"]).groupby("action_id").head(1).set_index("action_id")
    late = round_.past_deadline(today)
    deadline_end = until_end(round_.due)
    rows = []
    for a in mine.itertuples(index=False):
        got = a.action_id in counted_latest.index
        rows.append({
            "action_id": a.action_id, "priority_id": a.priority_id, "title": a.title, "lead_agency": a.lead_agency,
            "classification": a.classification,
            "standing": UPDATED if got else (LATE if late else NOT_YET),
            "after_deadline": bool(got and utc(first_counted.at[a.action_id, "updated_at"]) >= deadline_end),
            "updated_at": counted_latest.at[a.action_id, "updated_at"] if got else None,
            "updated_by": counted_latest.at[a.action_id, "updated_by"] if got else None,
            "status": latest.at[a.action_id, "status"] if a.action_id in latest.index else "not-started",
            "version": int(latest.at[a.action_id, "version"]) if a.action_id in latest.index else 0,
        })
    frame = pd.DataFrame(rows, columns=BOARD_COLUMNS)
    order = dict(zip(tables["priorities"]["priority_id"], tables["priorities"]["sort_order"], strict=True))
    frame = frame.assign(_order=frame["priority_id"].map(order))
    frame = frame.sort_values(["_order", "lead_agency", "action_id"], kind="stable").drop(columns="_order")
    return frame.astype({"after_deadline": "bool", "version": "int64"}).reset_index(drop=True)


def no_update_actions(tables_or_dataset, meeting_id: str, *, now: datetime | pd.Timestamp | None = None) -> set[str]:
    """The actions of the meeting's round with no update by its deadline, once the deadline has passed:
    what the pack marks "no update" instead of showing an older one. Empty when the meeting has no round,
    or its deadline has not passed yet.

    Give a Dataset (the one a page or pack is made from: its `today`, and for a past meeting the store as it
    stood at the meeting, kcsp.history) or a mapping of tables (then `now`, default the present, decides).
    An update made after the deadline but before the meeting counts: such an action is not in the set.
    """
    if hasattr(tables_or_dataset, "tables"):
        tables, today = tables_or_dataset.tables, pd.Timestamp(tables_or_dataset.today).normalize()
        moment = min(utc(now), until_end(today))
    else:
        tables = tables_or_dataset
        moment = utc(now)
        today = moment.normalize()
    round_ = round_for(tables, meeting_id)
    if round_ is None:
        return set()
    frame = standing(tables, round_, today=today, now=moment)
    return set(frame.loc[frame["standing"] == LATE, "action_id"])


def leads_for(users: Iterable[User], priority_ids: Iterable[str]) -> list[User]:
    """The accounts that lead any of these priorities (role lead; admins are not asked as leads)."""
    wanted = set(priority_ids)
    return [u for u in users if access.can(u, access.ANSWER_ROUNDS) and wanted & set(u.priorities)]


def of_lead(frame: pd.DataFrame, user: User) -> pd.DataFrame:
    """The rows of a round's standing that belong to a lead's priorities."""
    return frame[frame["priority_id"].isin(user.priorities)]


@dataclass(frozen=True)
class LeadDue:
    """One open round as a lead sees it: their actions in it and how each stands."""

    round: Round
    actions: pd.DataFrame

    @property
    def outstanding(self) -> pd.DataFrame:
        return self.actions[self.actions["standing"] != UPDATED]


def due_for(tables: Mapping[str, pd.DataFrame], user: User | None, today: pd.Timestamp) -> list[LeadDue]:
    """For a signed-in lead: each round open on `today` that holds actions of their priorities. For an
    admin: each open round with all its actions. Nobody else has any."""
    seen = access.scope(user, access.SEE_ROUNDS)
    if user is None or seen is None:
        return []
    out = []
    for round_ in rounds_open_on(tables, today):
        frame = standing(tables, round_, today=today)
        mine = of_lead(frame, user) if seen == access.OWN else frame
        if not mine.empty:
            out.append(LeadDue(round_, mine.reset_index(drop=True)))
    return out


def board_round(tables: Mapping[str, pd.DataFrame], today: pd.Timestamp, date: str | None = None) -> Round | None:
    """The round a board shows: the one whose meeting is on `date` (YYYY-MM-DD); else the open round with the
    soonest meeting; else the latest round. None when there is none (or none on that date)."""
    every = all_rounds(tables)
    if date:
        when = parse_date(date)
        return next((r for r in every if r.meeting.date == when), None)
    live = [r for r in every if r.open_on(today)]
    if live:
        return live[0]
    return every[-1] if every else None


def _deadline(value: object, meeting: Meeting) -> pd.Timestamp:
    if value is None or value == "":
        return meeting.date - pd.Timedelta(days=DEFAULT_DAYS_BEFORE)
    if isinstance(value, pd.Timestamp | datetime):
        return pd.Timestamp(value).normalize()
    try:
        return parse_date(str(value))
    except MeetingError as err:
        raise RoundError(f"--due: {err}") from None


def open_round(store: Store, by: str, meeting_id: str, due: object = None, *,
               now: datetime | pd.Timestamp | None = None) -> tuple[Round, bool]:
    """Open the meeting's round (or move its deadline, when it has one): (the round, True when opened now).

    Refused (RoundError) for a meeting the calendar does not have, a cancelled one, one already held, a
    deadline after the meeting or already passed (the default one too: give another), the deadline it
    has already, or when no action is open. Written in one commit with its audit entry (round-open, or
    round-move for a new deadline)."""
    moment = utc(now)
    today = moment.normalize()
    at = audit.timestamp(moment)
    result: dict[str, bool] = {}

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        meetings = tables["meetings"]
        found = meetings[meetings["meeting_id"] == meeting_id]
        if found.empty:
            coming = meetings[(meetings["date"] >= today) & ~meetings["cancelled"].astype(bool)]
            hint = ", ".join(coming.sort_values("date")["meeting_id"].head(4)) or "none in the calendar"
            raise RoundError(f"there is no meeting {meeting_id!r} (meetings to come: {hint})")
        row = found.iloc[0]
        meeting = _meeting(row)
        if bool(row["cancelled"]):
            raise RoundError(f"{meeting.name} was cancelled")
        if meeting.date < today:
            raise RoundError(f"{meeting.name} has been held: a round is opened before its meeting")
        deadline = _deadline(due, meeting)
        if deadline > meeting.date:
            raise RoundError(f"the deadline {deadline:%d %B %Y} is after the meeting ({meeting.date:%d %B %Y})")
        if deadline < today:
            raise RoundError(f"the deadline {deadline:%d %B %Y} has passed: give --due YYYY-MM-DD, from today to "
                             f"the meeting's date ({meeting.date:%Y-%m-%d})")
        existing = round_for(tables, meeting_id)
        if existing is not None and existing.due == deadline:
            raise RoundError(f"the round for {meeting.name} is open already, with the deadline {deadline:%d %B %Y}")
        if existing is None:
            ids, version, kind = due_actions(tables), 1, "round-open"
            if not ids:
                raise RoundError("no action is open and not complete: there is nothing to ask for")
            detail = f"{len(ids)} actions due an update by {deadline:%Y-%m-%d}"
        else:
            ids, version, kind = list(existing.action_ids), existing.version + 1, "round-move"
            detail = f"deadline {existing.due:%Y-%m-%d} -> {deadline:%Y-%m-%d}"
        result["opened"] = existing is None
        added = pd.DataFrame([{"meeting_id": meeting_id, "version": version, "due": f"{deadline:%Y-%m-%d}",
                               "actions": ";".join(ids) or None, "opened_by": by, "opened_at": at}], columns=COLUMNS)
        note = audit.entry(tables["audit"], by, kind, meeting_id, detail, at)
        return Commit({"update_rounds": added, "audit": note}, {})

    store.commit(change, reading=("update_rounds", "meetings", "actions", "action_updates", "audit"))
    tables = {"update_rounds": store.read("update_rounds"), "meetings": store.read("meetings")}
    return round_for(tables, meeting_id), result["opened"]
