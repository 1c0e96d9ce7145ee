"""The action plan's history: an action's status at any date, and what changed between two dates."""

from __future__ import annotations

import pandas as pd

STATUS_RANK = {"not-started": 0, "red": 1, "amber": 2, "green": 3, "blue": 4}


def status_as_at(updates: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """Each action's latest update made on or before `when` (action_id index: version, status)."""
    stamp = pd.to_datetime(updates["updated_at"], utc=True).dt.tz_localize(None)
    upto = updates[stamp <= when]
    latest = upto.sort_values(["action_id", "version"]).groupby("action_id").tail(1)
    return latest.set_index("action_id")[["version", "status", "updated_at"]]


def describe_move(before: str | None, after: str) -> str:
    """'new', 'completed', 'improved', 'worsened', 'started' or 'no change'."""
    if before is None:
        return "new"
    if after == before:
        return "no change"
    if after == "blue":
        return "completed"
    if before == "not-started":
        return "started"
    return "improved" if STATUS_RANK[after] > STATUS_RANK[before] else "worsened"


def changes_since(actions: pd.DataFrame, updates: pd.DataFrame, since: pd.Timestamp,
                  until: pd.Timestamp) -> pd.DataFrame:
    """Actions whose status moved, that are new, or that became overdue between two dates.

    `actions` is already filtered to what the viewer may see. Columns: action_id, priority_id,
    title, status_before, status_now, move, became_overdue, updated_at.
    """
    before = status_as_at(updates, since)
    now = status_as_at(updates, until)
    rows = []
    for action in actions.itertuples(index=False):
        aid = action.action_id
        if aid not in now.index:
            continue
        was = before.at[aid, "status"] if aid in before.index else None
        is_ = now.at[aid, "status"]
        overdue_now = action.due < until and is_ != "blue"
        overdue_then = action.due < since and was not in (None, "blue")
        move = describe_move(was, is_)
        became_overdue = overdue_now and not overdue_then
        if move == "no change" and not became_overdue:
            continue
        rows.append({"action_id": aid, "priority_id": action.priority_id, "title": action.title,
                     "status_before": was, "status_now": is_, "move": move, "became_overdue": became_overdue,
                     "updated_at": now.at[aid, "updated_at"]})
    columns = ["action_id", "priority_id", "title", "status_before", "status_now", "move", "became_overdue",
               "updated_at"]
    return pd.DataFrame(rows, columns=columns)
