"""The action plan's history and filters: an action's status at any date, what changed between two
dates (for "since the last meeting"), and the filters of the /actions page and its CSV export.

One day-boundary rule, used by /actions, /meeting and the pack alike: "since" a meeting starts at
the beginning of the meeting's day (an update made on that day counts as since the meeting: it
may have been made after it, and an update is never hidden), and "until" a date runs to the end of
that day (a meeting, or today, sees every update made on its day). An update made on a meeting's
day is therefore shown both at that meeting and as a change since it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd

from kcsp.periods import parse_times
from kcsp.schema import STATUSES
from kcsp.vocabulary import COMPLETE, STATUS_RANK

LIVE_STATES = ("proposed", "open")
"""An action in one of these states is in the plan; closed, withdrawn and retired ones are not."""
MOVES = ("completed", "improved", "started", "worsened", "new", "no change")
CHANGE_COLUMNS = ["action_id", "priority_id", "title", "status_before", "status_now", "move", "became_overdue",
                  "updated_at", "due", "overdue"]


def _stamps(updates: pd.DataFrame) -> pd.Series:
    return parse_times(updates["updated_at"])


def status_as_at(updates: pd.DataFrame, when: pd.Timestamp | None) -> pd.DataFrame:
    """Each action's latest update made on or before `when`, or of all when None (index action_id:
    version, status, updated_at)."""
    upto = updates if when is None else updates[_stamps(updates) <= when]
    return _latest(upto)


def status_before(updates: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """Each action's latest update made strictly before `moment` (same columns as status_as_at)."""
    return _latest(updates[_stamps(updates) < moment])


def _latest(updates: pd.DataFrame) -> pd.DataFrame:
    latest = updates.sort_values(["action_id", "version"]).groupby("action_id").tail(1)
    return latest.set_index("action_id")[["version", "status", "updated_at"]]


def since_start(day: pd.Timestamp) -> pd.Timestamp:
    """Where "since `day`" begins: the start of that day (updates on the day count as since)."""
    return pd.Timestamp(day).normalize()


def until_end(day: pd.Timestamp) -> pd.Timestamp:
    """Where "until `day`" stops (exclusive): the start of the next day (updates on the day count)."""
    return pd.Timestamp(day).normalize() + pd.Timedelta(days=1)


def is_overdue(due, status, state, on: pd.Timestamp):
    """The one rule of "overdue": due before the day `on`, not complete, and still live (LIVE_STATES).

    Takes single values or Series (then answers a Series): the action list, the home cards, the
    meeting page, the pack and the digest all ask this.
    """
    live = state.isin(LIVE_STATES) if isinstance(state, pd.Series) else state in LIVE_STATES
    return (due < on) & (status != COMPLETE) & live


def describe_move(before: str | None, after: str) -> str:
    """'new', 'completed', 'improved', 'worsened', 'started' or 'no change'."""
    if before is None:
        return "new"
    if after == before:
        return "no change"
    if after == COMPLETE:
        return "completed"
    if before == "not-started":
        return "started"
    return "improved" if STATUS_RANK[after] > STATUS_RANK[before] else "worsened"


def changes_since(actions: pd.DataFrame, updates: pd.DataFrame, since: pd.Timestamp,
                  until: pd.Timestamp | None = None, *, today: pd.Timestamp | None = None) -> pd.DataFrame:
    """Actions whose status moved, that are new, or that became overdue from day `since` to day `until`.

    The days follow the module's one rule: updates made on `since`'s day count as since it, and
    those made on `until`'s day count by it. `actions` is already filtered to what the viewer may
    see. `until` None means every update held, with overdue judged at `today` (default: today). An
    action is new when its first update came on or after `since`; it became overdue when it is
    overdue at the end (is_overdue: due date passed, not complete, still live) but was not at the
    start of `since` (an action with no update counts as not started). Columns: action_id, priority_id, title,
    status_before, status_now, move, became_overdue, updated_at, due, overdue.
    """
    end = (until if until is not None else (pd.Timestamp.today() if today is None else today)).normalize()
    since = since_start(since)
    before = status_before(updates, since)
    now = status_before(updates, until_end(until)) if until is not None else _latest(updates)
    rows = []
    for action in actions.itertuples(index=False):
        aid = action.action_id
        was = before.at[aid, "status"] if aid in before.index else None
        tracked = aid in now.index
        is_ = now.at[aid, "status"] if tracked else "not-started"
        state = getattr(action, "state", "open")
        overdue_now = bool(is_overdue(action.due, is_, state, end))
        overdue_then = bool(is_overdue(action.due, was or "not-started", state, since))
        move = describe_move(was, is_) if tracked else "no change"
        became_overdue = overdue_now and not overdue_then
        if move == "no change" and not became_overdue:
            continue
        rows.append({"action_id": aid, "priority_id": action.priority_id, "title": action.title,
                     "status_before": was, "status_now": is_, "move": move, "became_overdue": became_overdue,
                     "updated_at": now.at[aid, "updated_at"] if tracked else None, "due": action.due,
                     "overdue": overdue_now})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def in_district(areas: pd.Series, district: str | None) -> pd.Series:
    """Which actions apply to a district: those scoped to it and county-wide ('all') ones."""
    if not district:
        return pd.Series(True, index=areas.index)
    return areas.str.split(";").map(lambda slugs: "all" in slugs or district in slugs).astype(bool)


def _first(args: Mapping, key: str) -> str | None:
    value = args.get(key)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _all(args: Mapping, key: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    values = getlist(key) if getlist else args.get(key) or []
    if isinstance(values, str):
        values = [values]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _date(value: str | None, key: str) -> pd.Timestamp | None:
    if value is None:
        return None
    if not value.isascii():
        raise ValueError(f"{key}: {value!r} is not a date (YYYY-MM-DD)")
    try:
        return pd.Timestamp(pd.to_datetime(value, format="%Y-%m-%d"))
    except (ValueError, TypeError) as err:
        raise ValueError(f"{key}: {value!r} is not a date (YYYY-MM-DD)") from err


@dataclass(frozen=True)
class ActionFilter:
    """What the /actions page filters on; the same filter drives the grid and the CSV export."""

    priority: str | None = None
    statuses: tuple[str, ...] = field(default_factory=tuple)
    lead_agency: str | None = None
    theme: str | None = None
    district: str | None = None
    due_from: pd.Timestamp | None = None
    due_to: pd.Timestamp | None = None
    overdue_only: bool = False

    def apply(self, actions: pd.DataFrame) -> pd.DataFrame:
        """The rows of an action_status frame that pass the filter, in their order."""
        keep = in_district(actions["areas"], self.district)
        if self.priority:
            keep &= actions["priority_id"] == self.priority
        if self.statuses:
            keep &= actions["status"].isin(self.statuses)
        if self.lead_agency:
            keep &= actions["lead_agency"] == self.lead_agency
        if self.theme:
            keep &= actions["themes"].fillna("").str.split(";").map(lambda ids: self.theme in ids).astype(bool)
        if self.due_from is not None:
            keep &= actions["due"] >= self.due_from
        if self.due_to is not None:
            keep &= actions["due"] <= self.due_to
        if self.overdue_only:
            keep &= actions["overdue"].astype(bool)
        return actions[keep]

    def query(self) -> str:
        """The filter as a query string ('' or '?...') for /api/actions.csv."""
        params: list[tuple[str, str]] = []
        for key in ("priority", "lead_agency", "theme", "district"):
            if getattr(self, key):
                params.append((key, getattr(self, key)))
        params += [("status", s) for s in self.statuses]
        if self.due_from is not None:
            params.append(("due_from", f"{self.due_from:%Y-%m-%d}"))
        if self.due_to is not None:
            params.append(("due_to", f"{self.due_to:%Y-%m-%d}"))
        if self.overdue_only:
            params.append(("overdue", "1"))
        return "?" + urlencode(params) if params else ""

    @classmethod
    def from_args(cls, args: Mapping) -> ActionFilter:
        """Read a filter from query arguments; raise ValueError naming a bad status or date."""
        statuses = _all(args, "status")
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            raise ValueError(f"status: {unknown[0]!r} is not one of {', '.join(STATUSES)}")
        return cls(priority=_first(args, "priority"), statuses=tuple(statuses),
                   lead_agency=_first(args, "lead_agency"), theme=_first(args, "theme"),
                   district=_first(args, "district"), due_from=_date(_first(args, "due_from"), "due_from"),
                   due_to=_date(_first(args, "due_to"), "due_to"), overdue_only=_first(args, "overdue") == "1")
