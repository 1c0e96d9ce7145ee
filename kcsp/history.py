"""The store as it stood at a date, rebuilt from its append-only history.

A meeting's page, slides, pack and CSVs show the partnership as it was at the meeting, whenever they
are made: the actions that existed then, each at its plan revision and with its latest update made
by then; the figures stored by then; the reference tables (priorities of that Agreement year,
indicators, areas, the calendar) as they were. Nothing is read from today's state that the history
does not hold as it was:

- time-stamped tables keep the rows made before the cut-off (`STAMPED`);
- an action's plan fields are rolled back through `action_changes` (an action created after the
  cut-off is left out; one that predates the change log starts from its fields as they were before
  its first logged change);
- observations keep the values stored before the cut-off: a value replaced later is restored from
  `observations_replaced`, and periods not yet over at the cut-off are left out (a month's figures
  exist once it has ended);
- reference tables are read from `reference_versions`: the first content kept after the cut-off is
  the content that was current at it.

The cut-off of a day is the start of the next day (kcsp.actions' rule: a meeting sees every update
made on its day). Times are compared in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kcsp.actions import until_end
from kcsp.periods import frequency
from kcsp.periods import parse_times as stamps
from kcsp.schema import TABLES, VERSIONED_TABLES
from kcsp.store import as_text, prepare, table_from_text

STAMPED = {"action_updates": "updated_at", "action_changes": "changed_at", "audit": "at",
           "imports": "imported_at", "pack_texts": "written_at", "matters_arising": "recorded_at",
           "observations_replaced": "replaced_at", "reference_versions": "replaced_at",
           "update_rounds": "opened_at", "mail_log": "at"}
"""Append-only tables and the column that says when each row was made."""


def cutoff_of(day: pd.Timestamp) -> pd.Timestamp:
    """Everything made strictly before this moment counts as at `day`."""
    return until_end(day)


def as_at(tables: Mapping[str, pd.DataFrame], day: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """Every table as it stood at the end of `day` (see the module's docstring)."""
    cutoff = cutoff_of(day)
    out = dict(tables)
    for name, column in STAMPED.items():
        if name in out:
            frame = out[name]
            out[name] = frame[(stamps(frame[column]) < cutoff).to_numpy(dtype=bool)].reset_index(drop=True)
    for name in VERSIONED_TABLES:
        earlier = _version_at(tables, name, cutoff)
        if earlier is not None:
            out[name] = earlier
    out["actions"] = _actions_at(tables["actions"], tables.get("action_changes"), cutoff)
    out["action_updates"] = out["action_updates"][out["action_updates"]["action_id"].isin(out["actions"]["action_id"])]
    out["observations"] = _observations_at(tables, out, cutoff, pd.Timestamp(day).normalize())
    return out


def _version_at(tables: Mapping[str, pd.DataFrame], name: str, cutoff: pd.Timestamp) -> pd.DataFrame | None:
    versions = tables.get("reference_versions")
    if versions is None or versions.empty:
        return None
    later = versions[(versions["table"] == name) & (stamps(versions["replaced_at"]) >= cutoff).to_numpy(dtype=bool)]
    if later.empty:
        return None
    first = later.sort_values("version_id").iloc[0]
    return table_from_text(first["content"], TABLES[name], filename=f"reference_versions {first['version_id']}")


def _actions_at(actions: pd.DataFrame, changes: pd.DataFrame | None, cutoff: pd.Timestamp) -> pd.DataFrame:
    """The actions table at `cutoff`: changes made since rolled back, actions created since left out."""
    if changes is None or changes.empty:
        return actions
    later = changes[(stamps(changes["changed_at"]) >= cutoff).to_numpy(dtype=bool)]
    if later.empty:
        return actions
    text = as_text(actions).set_index("action_id", drop=False)
    # A creation writes every field, the state's among them with no value before; an edit of an action
    # older than the change log also makes revision 1, but its state row (if any) has the old state.
    created_later = set(later.loc[(later["revision"] == 1) & (later["field"] == "state") & later["before"].isna(),
                                  "action_id"])
    for change in later.sort_values(["revision", "change_id"], ascending=[False, False]).itertuples(index=False):
        if change.action_id in created_later or change.action_id not in text.index:
            continue
        text.at[change.action_id, change.field] = None if pd.isna(change.before) else change.before
        text.at[change.action_id, "revision"] = str(int(change.revision) - 1)
    kept = text[~text.index.isin(created_later)].reset_index(drop=True)
    return prepare(kept, TABLES["actions"])


def _observations_at(tables: Mapping[str, pd.DataFrame], then: Mapping[str, pd.DataFrame], cutoff: pd.Timestamp,
                     day: pd.Timestamp) -> pd.DataFrame:
    """The values held at `cutoff`, for periods that had ended by `day`."""
    imported_at = dict(zip(tables["imports"]["import_id"], stamps(tables["imports"]["imported_at"]), strict=True))

    def held(frame: pd.DataFrame) -> pd.Series:
        made = stamps(frame["recorded_at"])
        by_import = frame["import_id"].map(imported_at)
        made = made.fillna(pd.to_datetime(by_import))
        return (made.isna() | (made < cutoff)).to_numpy(dtype=bool)

    current = tables["observations"]
    now = current[held(current)]
    log = tables.get("observations_replaced")
    if log is not None and not log.empty:
        back = log[(stamps(log["replaced_at"]) >= cutoff).to_numpy(dtype=bool)]
        back = back[held(back)]
        if not back.empty:
            keys = ["indicator_id", "area_code", "period"]
            back = back.sort_values("replacement").drop_duplicates(keys, keep="first")
            restored = back[current.columns]
            now = pd.concat([now.astype(restored.dtypes.to_dict()), restored], ignore_index=True)
            now = now.drop_duplicates(keys, keep="last")
    months = now["indicator_id"].map(_period_months(then["indicators"])).fillna(1).astype("int64")
    finished = pd.Series(False, index=now.index)
    for m in months.unique():
        rows = months == m
        finished[rows] = (now.loc[rows, "period"] + pd.DateOffset(months=int(m))) <= day
    return now[finished.to_numpy(dtype=bool)].reset_index(drop=True)


def _period_months(indicators: pd.DataFrame) -> dict[str, int]:
    pairs = zip(indicators["indicator_id"], indicators["frequency"], strict=True)
    return {iid: frequency(f).months for iid, f in pairs}
