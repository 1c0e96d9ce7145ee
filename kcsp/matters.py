"""Matters arising: requests and resolutions recorded against a meeting, carried to later meetings
until they are answered.

A matter is raised by an admin at a meeting, owned by a priority (whose lead answers it) and may name
the meeting it should be reported to (blank: the next meeting). Every change is a new row in
``matters_arising``, never an edit: version 1 records the matter (open), later versions answer it,
correct the answer or withdraw it. ``POST /api/matters-arising`` and ``PATCH
/api/matters-arising/<id>`` call :func:`raise_matter` and :func:`answer_matter`; the checks, the
version check and the append happen in one ``Store.commit`` under the store's lock, with the audit
entry. Errors are those of :mod:`kcsp.updates` (NotSignedIn, Invalid, Forbidden, Conflict) plus
:class:`NotFound` for a matter that does not exist.

What a meeting shows (:func:`for_meeting`) is computed only from versions recorded before a cutoff,
so the page and pack of a past meeting are the same whenever they are made. "Earlier", "previous"
and "next" meeting mean any meeting of any body that is not cancelled, ordered by date: a matter
raised at the Working Group is carried to the Crime and Disorder Committee that follows it as well.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

import pandas as pd

from kcsp import access, audit
from kcsp.actions import until_end
from kcsp.periods import parse_times
from kcsp.schema import MATTER_STATES, TABLES
from kcsp.store import Commit, Store
from kcsp.text import clean_text
from kcsp.updates import Conflict, Forbidden, Invalid, NotSignedIn, UpdateError
from kcsp.users import User

TABLE = TABLES["matters_arising"]
MAX_TEXT = TABLE.column("text").max_length or 2000
MAX_ANSWER = TABLE.column("answer").max_length or 4000
MAX_REASON = TABLE.column("reason").max_length or 2000
FIELDS = ("meeting_id", "text", "owner", "report_to_meeting_id")
CLOSED = tuple(s for s in MATTER_STATES if s != "open")
READS = ("matters_arising", "meetings", "priorities", "audit")
KINDS = ("carried", "answered", "raised here")
"""Why a matter is on a meeting's list, in the order the list gives them."""
COLUMNS = ["matter_id", "version", "raised_at_meeting_id", "raised_at_name", "raised_on", "text", "owner",
           "owner_name", "report_to_meeting_id", "report_to_name", "due_here", "state", "answer", "answered_on",
           "carried", "kind", "reason"]
CSV_COLUMNS = ["matter_id", "meeting_id", "meeting_name", "raised_on", "text", "owner", "owner_name",
               "report_to_meeting_id", "state", "answer", "answered_on", "recorded_by", "version"]
ALLOWED_CONTROLS = {"\n", "\t"}


class NotFound(UpdateError):
    """There is no matter arising with that id."""


class Saved(NamedTuple):
    matter_id: str
    version: int
    state: str


# --- Checking what people send ----------------------------------------------------------------------

def _checked_text(value: object, limit: int, *, required: bool) -> tuple[str | None, str | None]:
    """(the text as stored or None when blank, the problem with it or None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ("must not be empty" if required else None)
    if not isinstance(value, str):
        return None, "must be text"
    if any(unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS for ch in value.replace("\r", "")):
        return None, "must not contain control characters"
    text = clean_text(value, multiline=True).strip()
    if not text:
        return None, ("must not be empty" if required else None)
    if len(text) > limit:
        return None, f"must be at most {limit} characters (it has {len(text)})"
    return text, None


def _held(meetings: pd.DataFrame) -> pd.DataFrame:
    """Meetings that are not cancelled, oldest first."""
    cancelled = meetings["cancelled"].fillna(False).astype(bool)
    return meetings[~cancelled].sort_values(["date", "meeting_id"]).reset_index(drop=True)


def _meeting_problems(values: Mapping[str, str | None], meetings: pd.DataFrame,
                      priorities: pd.DataFrame) -> dict[str, str]:
    """Problems with what a new matter refers to: its meeting, its owner and the meeting to report to."""
    problems: dict[str, str] = {}
    held = _held(meetings).set_index("meeting_id")
    every = set(meetings["meeting_id"])
    meeting_id = values.get("meeting_id")
    if meeting_id is not None and meeting_id not in every:
        problems["meeting_id"] = f"there is no meeting {meeting_id}"
    elif meeting_id is not None and meeting_id not in held.index:
        problems["meeting_id"] = f"the meeting {meeting_id} was cancelled"
    owner = values.get("owner")
    if owner is not None and owner not in set(priorities["priority_id"]):
        problems["owner"] = f"there is no priority {owner}"
    report_to = values.get("report_to_meeting_id")
    if report_to is not None:
        if report_to not in every:
            problems["report_to_meeting_id"] = f"there is no meeting {report_to}"
        elif report_to not in held.index:
            problems["report_to_meeting_id"] = f"the meeting {report_to} was cancelled"
        elif "meeting_id" not in problems and meeting_id is not None and (
                held.at[report_to, "date"] <= held.at[meeting_id, "date"]):
            problems["report_to_meeting_id"] = "must be a meeting after the one the matter is raised at"
    return problems


def _fields(fields: Mapping[str, object]) -> tuple[dict[str, str | None], dict[str, str]]:
    """A new matter's fields as stored text, and the problem with each bad one (before reading the store)."""
    if not isinstance(fields, Mapping):
        return {}, {"body": "must be a JSON object"}
    problems = {name: f"is not a field of a matter arising (fields: {', '.join(FIELDS)})"
                for name in fields if name not in FIELDS}
    values: dict[str, str | None] = {}
    for name in ("meeting_id", "owner", "report_to_meeting_id"):
        value = fields.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            values[name] = None
            if name != "report_to_meeting_id":
                problems[name] = "is required"
        elif not isinstance(value, str):
            problems[name] = "must be an id (text)"
        else:
            values[name] = value.strip()
    text, problem = _checked_text(fields.get("text"), MAX_TEXT, required=True)
    values["text"] = text
    if problem:
        problems["text"] = problem
    return values, problems


def _admin(user: User | None, what: str) -> User:
    if user is None:
        raise NotSignedIn(f"sign in to {what}")
    if not access.can(user, access.RAISE_MATTERS):
        raise Forbidden(f"{user.name} may not {what} (admins may)")
    return user


# --- Writing ----------------------------------------------------------------------------------------

def raise_matter(store: Store, user: User | None, fields: Mapping[str, object],
                 now: datetime | pd.Timestamp | None = None) -> Saved:
    """An admin records a matter arising at a meeting: `fields` are meeting_id, text, owner (a priority)
    and optionally report_to_meeting_id (a later meeting; blank: the next one).

    Raises NotSignedIn, Forbidden (not an admin) or Invalid (with the problem of each field: an unknown
    or cancelled meeting, an unknown priority, empty or overlong text, a meeting to report to that is
    not after the raising one). The matter is appended as version 1, open.
    """
    user = _admin(user, "record matters arising")
    values, problems = _fields(fields)
    if "body" in problems:
        raise Invalid(problems)
    at = audit.timestamp(now)

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        found = {**problems, **_meeting_problems(values, tables["meetings"], tables["priorities"])}
        if found:
            raise Invalid(found)
        matters = tables["matters_arising"]
        matter_id = audit.next_id(matters, "matter_id", "M", width=4)
        row = pd.DataFrame([{**values, "matter_id": matter_id, "version": 1, "state": "open", "answer": None,
                             "recorded_by": user.name, "recorded_at": at, "reason": None}],
                           columns=TABLE.column_names)
        report_to = values["report_to_meeting_id"] or "the next meeting"
        note = audit.entry(tables["audit"], user.name, "matter-raise", matter_id,
                           f"raised at {values['meeting_id']} for {values['owner']}, to report to {report_to}", at)
        return Commit({"matters_arising": row, "audit": note}, {})

    added = store.commit(change, reading=READS)["matters_arising"].iloc[0]
    return Saved(str(added["matter_id"]), 1, "open")


def _latest_row(rows: pd.DataFrame) -> pd.Series:
    return rows.sort_values("version").iloc[-1]


def _conflict(latest: pd.Series) -> Conflict:
    current = int(latest["version"])
    err = Conflict(current, {"version": current, "state": latest["state"], "answer": _blank(latest["answer"]),
                             "recorded_by": latest["recorded_by"], "recorded_at": latest["recorded_at"]})
    err.message = f"the matter is at version {current}: someone else changed it first"
    err.args = (err.message,)
    return err


def _blank(value: object) -> object:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def answer_matter(store: Store, user: User | None, matter_id: object, answer: object, expected_version: object,
                  *, state: object = "answered", reason: object = None,
                  now: datetime | pd.Timestamp | None = None) -> Saved:
    """Answer a matter (or correct its answer), or withdraw it, as of `expected_version`.

    An admin, or a lead whose priorities include the matter's owner, may answer (state "answered",
    a non-empty answer); only an admin may withdraw (state "withdrawn", with a reason). A withdrawn
    matter is not changed again. Raises NotSignedIn, Forbidden, Invalid, NotFound or Conflict (when
    expected_version is not the matter's latest version). Appends version expected_version + 1.
    """
    if user is None:
        raise NotSignedIn("sign in to answer matters arising")
    if not access.can(user, access.ANSWER_MATTERS):
        raise Forbidden(f"{user.name} may not answer matters arising (the owning priority's lead or an admin may)")
    if state == "withdrawn" and not access.can(user, access.WITHDRAW_MATTERS):
        raise Forbidden("only an admin may withdraw a matter arising")
    problems: dict[str, str] = {}
    if state not in CLOSED:
        problems["state"] = f"must be one of {', '.join(CLOSED)}"
    text, problem = _checked_text(answer, MAX_ANSWER, required=state != "withdrawn")
    if problem:
        problems["answer"] = problem
    why, problem = _checked_text(reason, MAX_REASON, required=state == "withdrawn")
    if problem:
        problems["reason"] = f"{problem} (a withdrawal needs a reason)" if state == "withdrawn" else problem
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 1:
        problems["expected_version"] = "must be a whole number, 1 or more (the version you saw)"
    if problems:
        raise Invalid(problems)
    at = audit.timestamp(now)

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        matters = tables["matters_arising"]
        mine = matters[matters["matter_id"] == matter_id] if isinstance(matter_id, str) else matters.iloc[0:0]
        if mine.empty:
            raise NotFound(f"there is no matter arising {matter_id}")
        latest = _latest_row(mine)
        if not access.can(user, access.ANSWER_MATTERS, priority=str(latest["owner"])):
            raise Forbidden(f"{user.name} may not answer matters arising of this priority")
        current = int(latest["version"])
        if expected_version != current:
            raise _conflict(latest)
        if latest["state"] == "withdrawn":
            raise Invalid({"state": "the matter was withdrawn and is not changed again"})
        if latest["state"] == state and _blank(latest["answer"]) == text and why is None:
            raise Invalid({"answer": "nothing would change: this is the matter's answer already"})
        row = latest.to_dict()
        row.update({"version": current + 1, "state": state, "answer": text, "recorded_by": user.name,
                    "recorded_at": at, "reason": why})
        note = audit.entry(tables["audit"], user.name, "matter-answer", str(matter_id),
                           f"version {current + 1}: {state}", at)
        return Commit({"matters_arising": pd.DataFrame([row], columns=TABLE.column_names), "audit": note}, {})

    added = store.commit(change, reading=READS)["matters_arising"].iloc[0]
    return Saved(str(matter_id), int(added["version"]), str(added["state"]))


# --- Reading ----------------------------------------------------------------------------------------

def _naive_utc(moment: datetime | pd.Timestamp) -> pd.Timestamp:
    when = pd.Timestamp(moment)
    return when.tz_convert("UTC").tz_localize(None) if when.tzinfo is not None else when


def _stamps(matters: pd.DataFrame) -> pd.Series:
    return parse_times(matters["recorded_at"])


def meeting_cutoff(day: pd.Timestamp, now: datetime | pd.Timestamp) -> pd.Timestamp:
    """The moment a meeting's matters are shown as at: the end of its day (UTC), or `now` while that is
    still to come. For a past meeting this never changes, so its page and pack do not either."""
    return min(until_end(day), _naive_utc(now))


def recorded_before(matters: pd.DataFrame, cutoff: datetime | pd.Timestamp | None) -> pd.DataFrame:
    """The versions recorded strictly before `cutoff` (naive UTC, or aware), or all when None."""
    if cutoff is None or matters.empty:
        return matters
    return matters[(_stamps(matters) < _naive_utc(cutoff)).to_numpy()]


def latest_as_at(matters: pd.DataFrame, cutoff: datetime | pd.Timestamp | None) -> pd.DataFrame:
    """Each matter's latest version recorded strictly before `cutoff` (all versions when None)."""
    upto = recorded_before(matters, cutoff)
    return upto.sort_values(["matter_id", "version"]).groupby("matter_id").tail(1).reset_index(drop=True)


def _closed_at(versions: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """When each matter that is answered or withdrawn (in its latest version) was first closed: the time of
    the first version after its last open one, so a corrected answer keeps the date of the answer."""
    out: dict[str, pd.Timestamp] = {}
    if versions.empty:
        return out
    ordered = versions.assign(_at=_stamps(versions)).sort_values(["matter_id", "version"])
    for matter_id, rows in ordered.groupby("matter_id"):
        states, stamps = rows["state"].tolist(), rows["_at"].tolist()
        if states[-1] == "open":
            continue
        first = len(states) - 1
        while first > 0 and states[first - 1] != "open":
            first -= 1
        out[str(matter_id)] = stamps[first]
    return out


def _names(frame: pd.DataFrame, key: str) -> dict[str, str]:
    return dict(zip(frame[key], frame["name"], strict=True))


def for_meeting(matters: pd.DataFrame, meetings: pd.DataFrame, meeting_id: str, cutoff: datetime | pd.Timestamp,
                *, priorities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The matters a meeting's page and pack list, from versions recorded before `cutoff` only.

    - "carried": raised at an earlier meeting (by date) and open as at the cutoff;
    - "answered": raised at an earlier meeting, answered or withdrawn, and first closed at or after the
      start of the day of the meeting before this one: an answer is shown once more, at the first
      meeting after it, with its date, then drops off (one given on a meeting's day is also shown at
      that meeting, as at its cutoff, as "since the previous meeting" counts that day);
    - "raised here": raised at this meeting.
    Earlier, previous and next meetings are those not cancelled, of any body. `carried` counts the
    meetings a matter has been carried to, this one included (0 when raised here); `due_here` is true
    where it is to be reported to this meeting (named, or blank and this is the first meeting after
    the raising one). `report_to_name` names the meeting it reports to, the next one when blank.
    `owner_name` is the priority's name when `priorities` is given (else its id). Columns: COLUMNS.
    Raises KeyError for a meeting the calendar does not hold.
    """
    every = meetings.set_index("meeting_id")
    if meeting_id not in every.index:
        raise KeyError(f"there is no meeting {meeting_id}")
    day = pd.Timestamp(every.at[meeting_id, "date"])
    held = _held(meetings)
    earlier = held[held["date"] < day]
    previous_day = earlier["date"].max() if not earlier.empty else None
    upto = recorded_before(matters, cutoff)
    latest = latest_as_at(upto, None)
    closed = _closed_at(upto)
    owners = _names(priorities, "priority_id") if priorities is not None else {}
    names = _names(meetings, "meeting_id")
    rows = []
    for r in latest.itertuples(index=False):
        if r.meeting_id not in every.index:
            continue
        raised_day = pd.Timestamp(every.at[r.meeting_id, "date"])
        if r.meeting_id == meeting_id:
            kind = "raised here"
        elif raised_day >= day:
            continue
        elif r.state == "open":
            kind = "carried"
        elif closed[r.matter_id] >= (raised_day if previous_day is None else previous_day).normalize():
            kind = "answered"
        else:
            continue
        after = held[held["date"] > raised_day]
        first_after = None if after.empty else str(after["meeting_id"].iloc[0])
        report_to = _blank(r.report_to_meeting_id)
        target = report_to or first_after
        here = kind != "raised here"
        rows.append({
            "matter_id": r.matter_id, "version": int(r.version), "raised_at_meeting_id": r.meeting_id,
            "raised_at_name": names.get(r.meeting_id, r.meeting_id), "raised_on": raised_day, "text": r.text,
            "owner": r.owner, "owner_name": owners.get(r.owner, r.owner), "report_to_meeting_id": report_to,
            "report_to_name": names.get(target) if target else None,
            "due_here": here and target == meeting_id, "state": r.state, "answer": _blank(r.answer),
            "answered_on": closed[r.matter_id].normalize() if r.matter_id in closed else pd.NaT,
            "carried": int(((after["date"] < day) & (after["meeting_id"] != meeting_id)).sum()) + 1 if here else 0,
            "kind": kind, "reason": _blank(r.reason),
        })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if frame.empty:
        return frame.astype({"version": "int64", "carried": "int64", "due_here": "bool",
                             "raised_on": "datetime64[ns]", "answered_on": "datetime64[ns]"})
    order = frame["kind"].map({k: i for i, k in enumerate(KINDS)})
    frame = frame.assign(_order=order).sort_values(["_order", "raised_on", "matter_id"]).drop(columns="_order")
    return frame.astype({"raised_on": "datetime64[ns]", "answered_on": "datetime64[ns]"}).reset_index(drop=True)


def history(matters: pd.DataFrame, matter_id: str) -> pd.DataFrame:
    """Every version of one matter, newest first."""
    mine = matters[matters["matter_id"] == matter_id]
    return mine.sort_values("version", ascending=False).reset_index(drop=True)


def csv_frame(matters: pd.DataFrame, meetings: pd.DataFrame, priorities: pd.DataFrame) -> pd.DataFrame:
    """One row per matter as it stands (its latest version), for /api/matters-arising.csv: the meeting it
    was raised at, its owner, state and answer; dates as YYYY-MM-DD. Columns: CSV_COLUMNS."""
    latest = latest_as_at(matters, None)
    closed = _closed_at(matters)
    dates = dict(zip(meetings["meeting_id"], meetings["date"], strict=True))
    names, owners = _names(meetings, "meeting_id"), _names(priorities, "priority_id")
    rows = [{
        "matter_id": r.matter_id, "meeting_id": r.meeting_id, "meeting_name": names.get(r.meeting_id),
        "raised_on": f"{dates[r.meeting_id]:%Y-%m-%d}" if r.meeting_id in dates else None, "text": r.text,
        "owner": r.owner, "owner_name": owners.get(r.owner), "report_to_meeting_id": _blank(r.report_to_meeting_id),
        "state": r.state, "answer": _blank(r.answer),
        "answered_on": f"{closed[r.matter_id]:%Y-%m-%d}" if r.matter_id in closed else None,
        "recorded_by": r.recorded_by, "version": int(r.version),
    } for r in latest.itertuples(index=False)]
    return pd.DataFrame(rows, columns=CSV_COLUMNS)
