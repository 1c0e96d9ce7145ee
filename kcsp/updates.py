"""Progress updates on actions: the one place an update is checked, authorised and appended.

The update form on /actions and ``POST /api/action-updates`` both call :func:`append_update`. An
update is a new row in ``action_updates``; rows are never edited. The client sends the version of
the action it saw (``expected_version``: 0 when the action has no update yet). The version check,
the choice of the next update id and the append all happen while the store's write lock is held,
so concurrent writers in several processes are serialised and none is lost or doubled.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import NamedTuple

import pandas as pd

from kcsp import access, audit
from kcsp.schema import STATUSES, TABLES
from kcsp.store import Commit, Store
from kcsp.text import clean_text
from kcsp.users import User

MAX_PROGRESS = TABLES["action_updates"].column("progress").max_length or 2000
ALLOWED_CONTROLS = {"\n", "\t"}


class UpdateError(Exception):
    """Why an update was refused; `message` is safe to show to the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotSignedIn(UpdateError):
    """Nobody is signed in."""


class Forbidden(UpdateError):
    """The user may not update this action (not an admin, nor a lead of its priority)."""


class Invalid(UpdateError):
    """The update is malformed: problems maps each field to the reason."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in problems.items()))
        self.problems = problems


class Conflict(UpdateError):
    """expected_version is not the action's current version: someone else updated it first."""

    def __init__(self, current_version: int, latest: dict | None, what: str = "version"):
        super().__init__(f"the action is at {what} {current_version}: someone else changed it first")
        self.current_version = current_version
        self.latest = latest


class Appended(NamedTuple):
    update_id: str
    version: int


def clean_progress(progress: str) -> str:
    """The text as stored: normalised, without invisible characters, surrounding space removed."""
    return clean_text(progress, multiline=True).strip()


def check_fields(action_id: object, status: object, progress: object, expected_version: object) -> dict[str, str]:
    """Problems with the fields of an update, before looking at the store (empty when all are well)."""
    problems: dict[str, str] = {}
    if not isinstance(action_id, str) or not action_id:
        problems["action_id"] = "must be an action id such as A001"
    if status not in STATUSES:
        problems["status"] = f"must be one of {', '.join(STATUSES)}"
    text = clean_progress(progress) if isinstance(progress, str) else ""
    if not text:
        problems["progress"] = "must not be empty"
    elif len(text) > MAX_PROGRESS:
        problems["progress"] = (f"is {len(text):,} characters long: at most {MAX_PROGRESS:,} can be saved, so "
                                f"shorten it by {len(text) - MAX_PROGRESS:,} (nothing was cut or saved)")
    elif any(unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS for ch in progress.replace("\r", "")):
        problems["progress"] = "must not contain control characters"
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 0:
        problems["expected_version"] = "must be a whole number, 0 or more (the version you saw)"
    return problems


def _latest(updates: pd.DataFrame) -> dict | None:
    if updates.empty:
        return None
    row = updates.sort_values("version").iloc[-1]
    return {"version": int(row["version"]), "status": row["status"], "progress": row["progress"],
            "updated_by": row["updated_by"], "updated_at": row["updated_at"]}


def next_update_id(updates: pd.DataFrame) -> str:
    """U000001 for the first update, then one more than the highest id held."""
    return audit.next_id(updates, "update_id", "U")


def append_update(store: Store, user: User | None, action_id: object, status: object, progress: object,
                  expected_version: object, now: datetime | pd.Timestamp | None = None) -> Appended:
    """Append one update by `user`; raise NotSignedIn, Invalid, Forbidden or Conflict instead.

    Checks, in this order: someone is signed in (NotSignedIn); the fields are well formed (Invalid);
    under the lock, the action exists (Invalid), the user may update its priority (Forbidden) and
    expected_version is its current version (Conflict). Then the update is appended as version
    expected_version + 1, with the next update id, the user's name and the time in UTC.
    """
    if user is None:
        raise NotSignedIn("sign in to update actions")
    problems = check_fields(action_id, status, progress, expected_version)
    if problems:
        raise Invalid(problems)
    text = clean_progress(str(progress))
    stamp = audit.timestamp(now)

    def make_rows(tables: dict[str, pd.DataFrame]) -> Commit:
        actions = tables["actions"]
        match = actions[actions["action_id"] == action_id]
        if match.empty:
            raise Invalid({"action_id": f"there is no action {action_id}"})
        if not access.can(user, access.UPDATE_ACTION, priority=str(match.iloc[0]["priority_id"])):
            raise Forbidden(f"{user.name} may not update actions of this priority")
        updates = tables["action_updates"]
        mine = updates[updates["action_id"] == action_id]
        current = int(mine["version"].max()) if not mine.empty else 0
        if expected_version != current:
            raise Conflict(current, _latest(mine))
        row = pd.DataFrame([{
            "update_id": next_update_id(updates), "action_id": action_id, "version": current + 1,
            "status": status, "progress": text, "updated_by": user.name, "updated_at": stamp,
            "illustrative": False,
        }])
        note = audit.entry(tables["audit"], user.name, "update", str(action_id),
                           f"version {current + 1}: status {status}", stamp)
        return Commit({"action_updates": row, "audit": note}, {})

    added = store.commit(make_rows, reading=("action_updates", "actions", "audit"))["action_updates"].iloc[0]
    return Appended(str(added["update_id"]), int(added["version"]))
