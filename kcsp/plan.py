"""The action plan and the meeting calendar, kept in the app: the one place an action is created,
proposed, edited, closed or withdrawn, and a meeting added, moved or cancelled.

The /actions page, the JSON API (``POST /api/actions``, ``PATCH /api/actions/<id>``,
``POST /api/meetings``, ``PATCH /api/meetings/<id>``) and the plan import all go through here.

An action's plan fields live in ``actions`` (its current values) and every change is appended to
``action_changes``, one row per field, never edited: the history says who changed what and when.
Each change raises the action's ``revision`` by one; an edit names the revision it was based on
(``expected_revision``) and is refused with :class:`~kcsp.updates.Conflict` when that is stale,
as an update is. The check, the log rows, the new ``actions`` file and the audit entry are written
in one ``Store.commit`` under the store's lock. Errors are those of :mod:`kcsp.updates` (NotSignedIn,
Invalid, Forbidden, Conflict), so every caller maps them to 401, 422, 403 and 409 the same way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import pandas as pd

from kcsp import access, audit
from kcsp.areas import LOCAL_TYPES
from kcsp.schema import ACTION_STATES, CLASSIFICATIONS, TABLES
from kcsp.store import Commit, Store, as_text
from kcsp.updates import Conflict, Forbidden, Invalid, NotSignedIn
from kcsp.users import User

PLAN_FIELDS = ("priority_id", "title", "lead_agency", "owner_role", "themes", "areas", "start", "due",
               "classification")
EDITABLE = (*PLAN_FIELDS, "state")
MAX_TEXT = {"title": TABLES["actions"].column("title").max_length or 300, "lead_agency": 200, "owner_role": 200}
MAX_REASON = 2000
ADMIN_STATES = ("open", "closed", "withdrawn")
"""States an admin may set; 'proposed' comes only from a lead's proposal, 'retired' only from a plan import."""
READS = ("actions", "action_changes", "priorities", "themes", "areas", "audit")


class Saved(NamedTuple):
    action_id: str
    revision: int
    state: str


@dataclass(frozen=True)
class Known:
    """What action fields may refer to: current priorities, themes and district slugs."""

    priorities: frozenset[str]
    themes: frozenset[str]
    areas: frozenset[str]

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame]) -> Known:
        pri = tables["priorities"]
        current = pri[pri["current"].fillna(True).astype(bool)] if "current" in pri else pri
        local = tables["areas"][tables["areas"]["area_type"].isin(LOCAL_TYPES)]
        return cls(frozenset(current["priority_id"]), frozenset(tables["themes"]["theme_id"]),
                   frozenset(local["area_slug"]))


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip()
    return None


def _has_controls(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _ids(value: object) -> list[str] | None:
    """A list of ids given as a JSON list or as text separated by ';'."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return None


def _day(value: object) -> pd.Timestamp | None:
    if isinstance(value, pd.Timestamp | datetime):
        return pd.Timestamp(value).normalize()
    if not isinstance(value, str) or len(value.strip()) != 10:
        return None
    try:
        return pd.Timestamp(pd.to_datetime(value.strip(), format="%Y-%m-%d"))
    except ValueError:
        return None


def check_action_fields(raw: Mapping[str, object], known: Known, *, current: Mapping[str, str] | None = None
                        ) -> tuple[dict[str, str], dict[str, str]]:
    """The fields given, as stored text, and the problem with each bad one (field -> reason).

    With `current` (an edit), only the fields given are checked and the others keep their values;
    without it (a new action) every plan field is required except themes and classification
    (default public). Dates are YYYY-MM-DD and the due date may not be before the start.
    """
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name in raw:
        if name not in EDITABLE:
            problems[name] = f"is not a field of an action (fields: {', '.join(EDITABLE)})"
    given = {name: raw[name] for name in EDITABLE if name in raw}
    if current is None:
        given.setdefault("classification", "public")
        given.setdefault("themes", "")
        for name in PLAN_FIELDS:
            if name not in given:
                problems[name] = "is required"
    for name, value in given.items():
        if name == "priority_id":
            text = _text(value)
            if text not in known.priorities:
                problems[name] = f"{value!r} is not a priority of the current Agreement"
            else:
                values[name] = text
        elif name in MAX_TEXT:
            text = _text(value)
            if not text:
                problems[name] = "must not be empty"
            elif len(text) > MAX_TEXT[name]:
                problems[name] = f"must be at most {MAX_TEXT[name]} characters (it has {len(text)})"
            elif _has_controls(text):
                problems[name] = "must not contain control characters or line breaks"
            else:
                values[name] = text
        elif name == "themes":
            ids = _ids(value)
            unknown = [] if ids is None else [t for t in ids if t not in known.themes]
            if ids is None or unknown:
                problems[name] = (f"{unknown[0]!r} is not a cross-cutting theme" if unknown
                                  else "must be a list of theme ids")
            else:
                values[name] = ";".join(dict.fromkeys(ids))
        elif name == "areas":
            ids = _ids(value)
            if ids == ["all"]:
                values[name] = "all"
            elif not ids:
                problems[name] = "must be 'all' or a list of district slugs"
            elif "all" in ids:
                problems[name] = ("choose either the whole county or particular districts, not both: untick one "
                                  "(nothing was saved)")
            elif unknown := [a for a in ids if a not in known.areas]:
                problems[name] = f"{unknown[0]!r} is not a district slug (or give 'all' alone)"
            else:
                values[name] = ";".join(dict.fromkeys(ids))
        elif name in ("start", "due"):
            day = _day(value)
            if day is None:
                problems[name] = f"{value!r} is not a date (YYYY-MM-DD)"
            else:
                values[name] = f"{day:%Y-%m-%d}"
        elif name == "classification":
            if value not in CLASSIFICATIONS:
                problems[name] = f"must be one of {', '.join(CLASSIFICATIONS)}"
            else:
                values[name] = str(value)
        elif name == "state":
            if value not in ACTION_STATES:
                problems[name] = f"must be one of {', '.join(ACTION_STATES)}"
            else:
                values[name] = str(value)
    start = values.get("start", (current or {}).get("start"))
    due = values.get("due", (current or {}).get("due"))
    if start and due and due < start and "due" not in problems:
        problems["due"] = f"{due} is before the start date {start}"
    return values, problems


def action_text(row: Mapping[str, object]) -> dict[str, str]:
    """An actions row's plan fields and state as stored text (dates YYYY-MM-DD, blanks as '')."""
    out = {}
    for name in EDITABLE:
        value = row[name]
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out[name] = ""
        elif isinstance(value, pd.Timestamp):
            out[name] = f"{value:%Y-%m-%d}"
        else:
            out[name] = str(value)
    return out


def change_rows(changes: pd.DataFrame, action_id: str, revision: int, before: Mapping[str, str] | None,
                after: Mapping[str, str], *, reason: str | None, by: str, at: str, skip: int = 0) -> pd.DataFrame:
    """The action_changes rows of one change: every field that differs (every field when new)."""
    rows = []
    for name in EDITABLE:
        old = None if before is None else before.get(name, "")
        new = after.get(name, "" if before is None else before.get(name, ""))
        if before is not None and old == new:
            continue
        rows.append({"change_id": audit.next_id(changes, "change_id", "C", skip=skip + len(rows)),
                     "action_id": action_id, "revision": revision, "field": name, "before": old or None,
                     "after": new or None, "reason": reason or None, "changed_by": by, "changed_at": at})
    return pd.DataFrame(rows, columns=TABLES["action_changes"].column_names)


def describe(rows: pd.DataFrame) -> str:
    """A change in words for the audit record: field: before -> after; ..."""
    return "; ".join(f"{r.field}: {r.before or ''} -> {r.after or ''}" for r in rows.itertuples(index=False))


def _signed_in(user: User | None) -> User:
    if user is None:
        raise NotSignedIn("sign in to change the action plan")
    if not access.can(user, access.EDIT_PLAN):
        raise Forbidden(f"{user.name} may not change the action plan (admins and priority leads may)")
    return user


def create_action(store: Store, user: User | None, fields: Mapping[str, object],
                  now: datetime | pd.Timestamp | None = None) -> Saved:
    """An admin creates an action (open); a lead proposes one for their own priority (proposed)."""
    user = _signed_in(user)
    at = audit.timestamp(now)

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        values, problems = check_action_fields(fields, Known.from_tables(tables))
        if "state" in values:
            problems["state"] = "is set by the app: an admin's action is open, a lead's is proposed"
        if problems:
            raise Invalid(problems)
        if not access.can(user, access.EDIT_PLAN, priority=values["priority_id"]):
            raise Forbidden(f"{user.name} may not add actions to {values['priority_id']}")
        actions = tables["actions"]
        action_id = audit.next_id(actions, "action_id", "A", width=3)
        state = "open" if access.can(user, access.RUN_PLAN) else "proposed"
        after = {**values, "state": state}
        log = change_rows(tables["action_changes"], action_id, 1, None, after, reason=None, by=user.name, at=at)
        row = pd.DataFrame([{**after, "action_id": action_id, "revision": 1}])
        kind = "create" if state == "open" else "propose"
        note = audit.entry(tables["audit"], user.name, kind, action_id, values["title"], at)
        return Commit({"action_changes": log, "audit": note},
                      {"actions": pd.concat([as_text(actions), row], ignore_index=True)})

    added = store.commit(change, reading=READS)["action_changes"]
    return Saved(str(added["action_id"].iloc[0]), 1, str(added.loc[added["field"] == "state", "after"].iloc[0]))


def _may_edit(user: User, before: Mapping[str, str], values: Mapping[str, str] | None = None) -> None:
    """Raise Forbidden unless the user may make this change (checked before and after reading the fields)."""
    if access.can(user, access.RUN_PLAN):
        if values and values.get("state") in ("proposed", "retired"):
            raise Invalid({"state": f"an admin may set {', '.join(ADMIN_STATES)}"})
        return
    values = values or {}
    if not (access.can(user, access.EDIT_PLAN, priority=before["priority_id"])
            and access.can(user, access.EDIT_PLAN, priority=values.get("priority_id", before["priority_id"]))):
        raise Forbidden(f"{user.name} may not change actions of this priority")
    if before["state"] != "proposed" or "state" in values:
        raise Forbidden("only an admin may change an action once it is in the plan (a lead may edit "
                        "their own proposals)")


def edit_action(store: Store, user: User | None, action_id: object, fields: Mapping[str, object],
                expected_revision: object, reason: object = None,
                now: datetime | pd.Timestamp | None = None) -> Saved:
    """Change an action's plan fields or state, as of `expected_revision`.

    Admins may edit any action and set it open, closed or withdrawn (withdrawn needs a reason); a
    lead may edit their own priority's proposals. Raises NotSignedIn, Invalid, Forbidden or Conflict.
    """
    user = _signed_in(user)
    if isinstance(expected_revision, bool) or not isinstance(expected_revision, int) or expected_revision < 0:
        raise Invalid({"expected_revision": "must be a whole number, 0 or more (the revision you saw)"})
    why = _text(reason) if reason is not None else None
    if reason is not None and why is None:
        raise Invalid({"reason": "must be text"})
    if why and len(why) > MAX_REASON:
        raise Invalid({"reason": f"must be at most {MAX_REASON} characters"})
    at = audit.timestamp(now)

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        actions = tables["actions"]
        match = actions[actions["action_id"] == action_id]
        if match.empty:
            raise Invalid({"action_id": f"there is no action {action_id}"})
        before = action_text(match.iloc[0])
        current = int(match.iloc[0]["revision"])
        _may_edit(user, before)
        values, problems = check_action_fields(fields, Known.from_tables(tables), current=before)
        if "priority_id" in problems and fields.get("priority_id") == before["priority_id"]:
            del problems["priority_id"]
            values["priority_id"] = before["priority_id"]
        if values.get("state") == "withdrawn" and not why:
            problems["reason"] = "is required to withdraw an action"
        if problems:
            raise Invalid(problems)
        _may_edit(user, before, values)
        if expected_revision != current:
            raise Conflict(current, {**before, "revision": current}, "revision")
        log = change_rows(tables["action_changes"], str(action_id), current + 1, before, values,
                          reason=why, by=user.name, at=at)
        if log.empty:
            raise Invalid({"fields": "nothing would change: every value given is the action's own"})
        after = {**before, **values}
        text = as_text(actions)
        index = text.index[text["action_id"] == action_id][0]
        for name, value in after.items():
            text.at[index, name] = value or None
        text.at[index, "revision"] = current + 1
        note = audit.entry(tables["audit"], user.name, "edit", str(action_id), describe(log), at)
        return Commit({"action_changes": log, "audit": note}, {"actions": text})

    done = store.commit(change, reading=READS)["actions"]
    row = done[done["action_id"] == action_id].iloc[0]
    return Saved(str(action_id), int(row["revision"]), str(row["state"]))


# --- Meetings -------------------------------------------------------------------------------------

class MeetingSaved(NamedTuple):
    meeting_id: str
    date: str
    cancelled: bool


def _admin(user: User | None) -> User:
    if user is None:
        raise NotSignedIn("sign in to change the meeting calendar")
    if not access.can(user, access.MANAGE_MEETINGS):
        raise Forbidden(f"{user.name} may not change the meeting calendar (admins may)")
    return user


def body_names(bodies: pd.DataFrame) -> dict[str, str]:
    """The partnership's bodies (its board first) -> their names, from the bodies table."""
    ordered = bodies.sort_values("sort_order", kind="stable")
    return dict(zip(ordered["body"].astype(str), ordered["name"].astype(str), strict=True))


def meeting_name(body_name: str, day: pd.Timestamp) -> str:
    return f"{body_name}, {day.day} {day:%B %Y}"


def add_meeting(store: Store, user: User | None, date: object, body: object, name: object = None,
                now: datetime | pd.Timestamp | None = None) -> MeetingSaved:
    """An admin adds a meeting of a body on a date (named after them unless a name is given)."""
    user = _admin(user)
    day = _day(date)
    problems = {}
    if day is None:
        problems["date"] = f"{date!r} is not a date (YYYY-MM-DD)"
    names = body_names(store.read("bodies"))
    if body not in names:
        problems["body"] = f"must be one of {', '.join(names)}"
    title = _text(name) if name is not None else None
    if name is not None and (not title or _has_controls(title) or len(title) > 200):
        problems["name"] = "must be text of 1 to 200 characters on one line"
    if problems:
        raise Invalid(problems)
    meeting_id = f"{body}-{day:%Y-%m-%d}"
    at = audit.timestamp(now)

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        meetings = tables["meetings"]
        if meeting_id in set(meetings["meeting_id"]):
            raise Invalid({"date": f"the {names[str(body)]} already has a meeting on {day:%Y-%m-%d}"})
        row = pd.DataFrame([{"meeting_id": meeting_id, "date": f"{day:%Y-%m-%d}", "body": body,
                             "name": title or meeting_name(names[str(body)], day), "cancelled": "false"}])
        note = audit.entry(tables["audit"], user.name, "meeting-add", meeting_id, f"{day:%Y-%m-%d}", at)
        return Commit({"audit": note}, {"meetings": pd.concat([as_text(meetings), row], ignore_index=True)})

    store.commit(change, reading=("meetings", "audit"))
    return MeetingSaved(meeting_id, f"{day:%Y-%m-%d}", False)


def change_meeting(store: Store, user: User | None, meeting_id: object, *, date: object = None,
                   cancelled: object = None, now: datetime | pd.Timestamp | None = None) -> MeetingSaved:
    """An admin moves a meeting to another date, or cancels it (kept on record, out of the calendar)."""
    user = _admin(user)
    problems = {}
    day = None if date is None else _day(date)
    if date is not None and day is None:
        problems["date"] = f"{date!r} is not a date (YYYY-MM-DD)"
    if cancelled is not None and not isinstance(cancelled, bool):
        problems["cancelled"] = "must be true or false"
    if date is None and cancelled is None:
        problems["date"] = "give a new date, or cancelled: true"
    if problems:
        raise Invalid(problems)
    at = audit.timestamp(now)

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        meetings = as_text(tables["meetings"])
        found = meetings.index[meetings["meeting_id"] == meeting_id]
        if not len(found):
            raise Invalid({"meeting_id": f"there is no meeting {meeting_id}"})
        index = found[0]
        notes = []
        if day is not None:
            old = meetings.at[index, "date"]
            meetings.at[index, "date"] = f"{day:%Y-%m-%d}"
            body = body_names(tables["bodies"]).get(str(meetings.at[index, "body"]), "")
            if meetings.at[index, "name"] == meeting_name(body, pd.Timestamp(old)):
                meetings.at[index, "name"] = meeting_name(body, day)
            notes.append(("meeting-move", f"{old} -> {day:%Y-%m-%d}"))
        if cancelled is not None:
            meetings.at[index, "cancelled"] = "true" if cancelled else "false"
            notes.append(("meeting-cancel", "cancelled" if cancelled else "reinstated"))
        kind = notes[-1][0] if cancelled else notes[0][0]
        note = audit.entry(tables["audit"], user.name, kind, str(meeting_id), "; ".join(n for _, n in notes), at)
        return Commit({"audit": note}, {"meetings": meetings})

    done = store.commit(change, reading=("meetings", "audit", "bodies"))["meetings"]
    row = done[done["meeting_id"] == meeting_id].iloc[0]
    return MeetingSaved(str(meeting_id), f"{row['date']:%Y-%m-%d}", bool(row["cancelled"]))
