"""Read-side model: one Dataset per store version, with every lookup the pages need pre-indexed.

A Dataset is built once when the store changes (at start-up, or after an import or an update) and
shared by all callbacks; callbacks only look things up in it. The partnership's totals (the county:
its areas in the Agreement; the force area: every local area; see kcsp.areas) are computed here from
the local areas' rows, never stored. A local area formed from whole earlier areas (``made_of``) takes
their sum for the periods before it began.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from kcsp import access, disclosure, geo, history, meetings, reference, stats
from kcsp.actions import changes_since, in_district, is_overdue
from kcsp.memo import per_dataset
from kcsp.periods import Frequency, frequency
from kcsp.store import Store

PAST_SUFFIX = " (past priority)"


@dataclass(frozen=True)
class Break:
    period: pd.Timestamp
    label: str
    description: str


class Dataset:
    """Typed tables of one store version plus the indexes built from them."""

    def __init__(self, tables: dict[str, pd.DataFrame], today: pd.Timestamp | None = None):
        self.today = (pd.Timestamp.today() if today is None else today).normalize()
        self.tables = tables
        self.areas = tables["areas"].sort_values("sort_order").reset_index(drop=True)
        self.register = reference.register_of(tables)
        self.partnership = self.register.partnership
        priorities = self._priorities(tables["priorities"])
        self.indicators = tables["indicators"].reset_index(drop=True)
        self.themes = tables["themes"].sort_values("sort_order").reset_index(drop=True)
        self.board = reference.board_body(tables)
        self.all_meetings = (tables["meetings"].assign(board=tables["meetings"]["body"] == self.board)
                             .sort_values("date").reset_index(drop=True))
        self.meetings = self.all_meetings[~self.all_meetings["cancelled"].astype(bool)].reset_index(drop=True)
        self.population = tables["population"]
        self.actions = tables["actions"]
        self.updates = tables["action_updates"]
        self.action_changes = tables["action_changes"]
        self._by_area_code = self.areas.set_index("area_code")
        self._by_slug = self.areas.set_index("area_slug")
        self._indicator = self.indicators.set_index("indicator_id")
        self._indicator_rows = {row["indicator_id"]: row for _, row in self.indicators.iterrows()}
        self._series = self._index_series(tables["observations"])
        self._breaks = {
            iid: [Break(r.period, r.label, r.description) for r in grp.sort_values("period").itertuples()]
            for iid, grp in tables["series_breaks"].groupby("indicator_id")
        }
        self._pop = self.population.set_index(["area_code", "year"])["population"]
        self.priorities = self._real_headlines(priorities)
        self.current_priorities = self.priorities[self.priorities["current"].astype(bool)].reset_index(drop=True)
        self._local_codes = set(self.districts()["area_code"])

    @staticmethod
    def _priorities(priorities: pd.DataFrame) -> pd.DataFrame:
        """Current priorities in the Agreement's order, then past ones (no longer in the Agreement: kept
        with their indicators, actions and history, and named as past wherever a name is shown)."""
        out = priorities.assign(_past=~priorities["current"].astype(bool))
        out["name"] = out["name"].where(~out["_past"], out["name"] + PAST_SUFFIX)
        return out.sort_values(["_past", "sort_order"], kind="stable").drop(columns="_past").reset_index(drop=True)

    def _index_series(self, observations: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
        """Each (indicator, area) series, plus the total of its coverage area for the periods in which
        every member area reported (a total of whichever areas happened to report would mislead). A
        period's members are the local areas of the total on that day (kcsp.areas), so a total runs on
        across a reorganisation."""
        obs = observations[["indicator_id", "area_code", "period", "value"]].copy()
        obs["value"] = obs["value"].astype("int64")
        generated = set(self.indicators.loc[self.indicators["illustrative"].astype(bool), "indicator_id"])
        imported = (observations["import_id"] if "import_id" in observations
                    else pd.Series(None, index=observations.index, dtype="str"))
        obs["import_id"] = imported.fillna("").astype("str")
        obs["illustrative"] = obs["indicator_id"].isin(generated) & (obs["import_id"] == "")
        obs = self._one_series_per_measure(obs)
        obs = pd.concat([obs, *self._inherited(obs)], ignore_index=True)
        totals = []
        for iid, rows in obs.groupby("indicator_id", sort=False):
            if iid not in self._indicator_rows or self.indicator(iid)["geography"] != "district":
                continue
            total = self.total_code(iid)
            ever = self.register.members(total, on=None)
            part = rows[rows["area_code"].isin(ever)]
            if self.register.dated and len(part):
                part = part[[self.register.valid(a, p) for a, p in zip(part["area_code"], part["period"], strict=True)]]
            summed = part.groupby("period", as_index=False).agg(
                value=("value", "sum"), areas=("area_code", "nunique"), illustrative=("illustrative", "any"),
                import_id=("import_id", "max"))  # an import replaces whole periods: one id per period
            if self.register.dated:
                expected = summed["period"].map({p: len(self.register.members(total, on=p))
                                                 for p in summed["period"].unique()})
            else:
                expected = len(ever)
            summed = summed[summed["areas"] == expected].drop(columns="areas")
            summed["indicator_id"], summed["area_code"] = iid, self.total_code(iid)
            totals.append(summed)
        allrows = pd.concat([obs, *totals], ignore_index=True)
        return {
            key: grp[["period", "value", "illustrative", "import_id"]].sort_values("period").reset_index(drop=True)
            for key, grp in allrows.groupby(["indicator_id", "area_code"], sort=False)
        }

    def _inherited(self, obs: pd.DataFrame) -> list[pd.DataFrame]:
        """Rows of each local area formed from whole earlier areas, for the periods before it began in
        which every earlier area reported: their sum (an import's own figures for the area win)."""
        out = []
        for code in self.register.local_codes(None):
            parts = self.register.made_of(code)
            start = self.register.valid_from(code)
            if not parts or start is None:
                continue
            rows = obs[obs["area_code"].isin(parts) & (obs["period"] < start)]
            own = obs[obs["area_code"] == code]
            for iid, grp in rows.groupby("indicator_id", sort=False):
                summed = grp.groupby("period", as_index=False).agg(
                    value=("value", "sum"), areas=("area_code", "nunique"), illustrative=("illustrative", "any"),
                    import_id=("import_id", "max"))
                summed = summed[(summed["areas"] == len(parts))
                                & ~summed["period"].isin(own.loc[own["indicator_id"] == iid, "period"])]
                out.append(summed.drop(columns="areas").assign(indicator_id=iid, area_code=code))
        return out

    def _real_headlines(self, priorities: pd.DataFrame) -> pd.DataFrame:
        """Each priority's headline measure, real where real data exists: an illustrative headline
        `measured_by` a real indicator that holds figures gives way to it."""
        def real(iid):
            if not isinstance(iid, str) or iid not in self._indicator_rows:
                return iid
            found = self.measured_by(iid)
            return found if found and self.has_data(found) else iid
        return priorities.assign(headline_indicator_id=priorities["headline_indicator_id"].map(real))

    def _one_series_per_measure(self, obs: pd.DataFrame) -> pd.DataFrame:
        """Illustrative figures of an indicator `measured_by` a real one, left out for every period
        the real one holds: one series per thing measured, real where it exists."""
        if "measured_by" not in self.indicators:
            return obs
        pairs = self.indicators.dropna(subset=["measured_by"])
        drop = pd.Series(False, index=obs.index)
        for iid, real in zip(pairs["indicator_id"], pairs["measured_by"], strict=True):
            held = set(obs.loc[(obs["indicator_id"] == real) & ~obs["illustrative"], "period"])
            drop |= (obs["indicator_id"] == iid) & obs["illustrative"] & obs["period"].isin(held)
        return obs[~drop]

    def measured_by(self, indicator_id: str) -> str | None:
        """The real indicator that measures what this one does, if any (see _one_series_per_measure)."""
        value = self.indicator(indicator_id).get("measured_by")
        return value if isinstance(value, str) and value else None

    def members(self, indicator_id: str) -> list[str]:
        """The local areas whose sum is the indicator's total (kcsp.areas: the county's or the force area's)."""
        return self._members(self.total_code(indicator_id))

    @per_dataset
    def _members(self, total: str) -> list[str]:
        today = set(self._district_codes)
        return [c for c in self.register.members(total, on=None) if c in today]

    def frequency(self, indicator_id: str) -> Frequency:
        return frequency(self.indicator(indicator_id)["frequency"])

    def suppresses(self, indicator_id: str) -> bool:
        """Whether small district counts of this indicator are withheld from anonymous viewers."""
        return self.indicator(indicator_id)["disclosure"] == disclosure.SUPPRESS_SMALL

    def protected(self, indicator_id: str) -> bool:
        """Whether anonymous viewers see this indicator's district and total figures through the rule
        of kcsp.disclosure (a small-number measure held by district); else every figure is exact."""
        return self.suppresses(indicator_id) and self.indicator(indicator_id)["geography"] == "district"

    def _protects(self, indicator_id: str, code: str) -> bool:
        return self.protected(indicator_id) and (code in self._district_codes or code == self.total_code(indicator_id))

    @per_dataset
    def public_parts(self, indicator_id: str, code: str) -> pd.DataFrame:
        """What each period of the area's series (Dataset.series, in its order) adds to a figure derived
        for the public (kcsp.disclosure.parts): columns estimate and lowest. A total's are the sums of
        its member areas'."""
        held = self.series(indicator_id, code)
        if code != self.total_code(indicator_id):
            estimate, lowest = disclosure.parts(held["value"].to_numpy(dtype="float64"))
            return pd.DataFrame({"estimate": estimate, "lowest": lowest})
        estimate = pd.Series(0.0, index=held["period"])
        lowest = estimate.copy()
        for member in self.members(indicator_id):
            own = self.series(indicator_id, member)
            parts = self.public_parts(indicator_id, member).set_axis(own["period"])
            estimate += parts["estimate"].reindex(held["period"])
            lowest += parts["lowest"].reindex(held["period"])
        return pd.DataFrame({"estimate": estimate.to_numpy(), "lowest": lowest.to_numpy()})

    def month_range(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last month held for any indicator."""
        periods = self.tables["observations"]["period"]
        if periods.empty:
            today = self.today.replace(day=1)
            return today, today
        return periods.min(), periods.max()

    @cached_property
    def boundaries(self) -> dict:
        """The local areas' boundaries as GeoJSON (kcsp.geo), for the maps."""
        return geo.feature_collection(self.tables["boundaries"])

    def districts(self) -> pd.DataFrame:
        """The local areas (districts and unitaries) as they are on the dataset's day, in display order
        (callers must not modify it)."""
        return self._districts

    @cached_property
    def _districts(self) -> pd.DataFrame:
        codes = set(self.register.local_codes(self.today))
        return self.areas[self.areas["area_code"].isin(codes)]

    @cached_property
    def _district_codes(self) -> tuple[str, ...]:
        return tuple(self._districts["area_code"])

    def area(self, code: str) -> pd.Series:
        return self._by_area_code.loc[code]

    def area_name(self, code: str) -> str:
        return str(self._by_area_code.at[code, "area_name"])

    def area_code_for_slug(self, slug: str | None) -> str | None:
        if not slug or slug not in self._by_slug.index:
            return None
        return str(self._by_slug.at[slug, "area_code"])

    def priority(self, priority_id: str) -> pd.Series | None:
        match = self.priorities[self.priorities["priority_id"] == priority_id]
        return None if match.empty else match.iloc[0]

    def indicator(self, indicator_id: str) -> pd.Series:
        return self._indicator_rows[indicator_id]

    def has_indicator(self, indicator_id: str) -> bool:
        return indicator_id in self._indicator_rows

    def indicators_for(self, priority_id: str) -> pd.DataFrame:
        """A priority's indicators that hold data: headline first, then real before illustrative."""
        return self._indicators_for(priority_id)

    @per_dataset
    def _indicators_for(self, priority_id: str) -> pd.DataFrame:
        pri = self.priority(priority_id)
        headline = None if pri is None else pri["headline_indicator_id"]
        rows = self.indicators[self.indicators["priority_id"] == priority_id].copy()
        rows = rows[[self.has_data(i) for i in rows["indicator_id"]]]
        rows["_rank"] = [(0 if i == headline else 1) for i in rows["indicator_id"]]
        return rows.sort_values(["_rank", "illustrative", "indicator_id"]).drop(columns="_rank")

    def total_code(self, indicator_id: str) -> str:
        """The area whose figures are the indicator's headline total."""
        return self.register.total_for(self.indicator(indicator_id)["coverage"])

    def total_label(self, indicator_id: str) -> str:
        return self.register.total_label(self.total_code(indicator_id))

    def has_data(self, indicator_id: str, area_code: str | None = None) -> bool:
        code = area_code or (self.total_code(indicator_id) if self.has_indicator(indicator_id) else "")
        return (indicator_id, code) in self._series

    def series(self, indicator_id: str, area_code: str | None = None, start: pd.Timestamp | None = None,
               end: pd.Timestamp | None = None) -> pd.DataFrame:
        """Values (period, value, illustrative, import_id) of an indicator for an area (default: its total).

        A total's period is illustrative when any of its areas' values is; its import_id is its areas' import."""
        code = area_code or self.total_code(indicator_id)
        frame = self._series.get((indicator_id, code))
        if frame is None:
            return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype="int64"),
                                 "illustrative": pd.Series(dtype="bool"), "import_id": pd.Series(dtype="str")})
        if start is not None:
            frame = frame[frame["period"] >= start]
        if end is not None:
            frame = frame[frame["period"] <= end]
        return frame

    def trend(self, indicator_id: str, area_code: str | None = None, start: pd.Timestamp | None = None,
              end: pd.Timestamp | None = None, *, reveal: bool = False) -> pd.DataFrame:
        """What a trend chart shows, within the period chosen: one row per period from the first held
        to the last (a period with no figure, such as a total not every area reported, is a gap).

        Columns: period, value, rolling (a year's worth of periods, restarting at series breaks),
        missing, illustrative (the period's value is generated, not real), import_id (the import it
        came from, blank for built-in data), and how the public sees value and rolling
        (kcsp.disclosure): disclosure and rolling_disclosure (exact, rounded, withheld, derived or
        derived-withheld; blank where there is no figure), withheld and rolling_withheld (not shown
        to the public), rounded and rolling_rounded (the figure here is rounded, not exact). Values
        are as the public sees them unless `reveal` (signed-in viewers see the exact figures, marked
        by those columns).
        """
        code = area_code or self.total_code(indicator_id)
        full = self._full_trend(indicator_id, code)
        if start is not None:
            full = full[full["period"] >= start]
        if end is not None:
            full = full[full["period"] <= end]
        full = full.reset_index(drop=True)
        shown = (disclosure.ROUNDED, disclosure.DERIVED)
        full = full.assign(rounded=full["disclosure"].isin(shown) & (not reveal),
                           rolling_rounded=full["rolling_disclosure"].isin(shown) & (not reveal))
        if not reveal:
            full = full.assign(value=full["public_value"], rolling=full["public_rolling"])
        return full.drop(columns=["public_value", "public_rolling"])

    def _rolling(self, indicator_id: str, values: pd.Series) -> pd.Series:
        """Totals of a year's worth of periods ending at each period, restarting at series breaks."""
        periods = values.index
        rolling = pd.Series(float("nan"), index=periods)
        starts = sorted(b.period for b in self.breaks(indicator_id) if periods[0] < b.period <= periods[-1])
        edges = [periods[0], *starts]
        for i, first in enumerate(edges):
            part = values[(values.index >= first) & ((values.index < edges[i + 1]) if i + 1 < len(edges) else True)]
            rolling.loc[part.index] = stats.rolling_sum(part, self.frequency(indicator_id).per_year)
        return rolling

    @per_dataset
    def _full_trend(self, indicator_id: str, code: str) -> pd.DataFrame:
        freq = self.frequency(indicator_id)
        held = self.series(indicator_id, code)
        if held.empty:
            return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype="float64"),
                                 "rolling": pd.Series(dtype="float64"), "missing": pd.Series(dtype=bool),
                                 "withheld": pd.Series(dtype=bool), "rolling_withheld": pd.Series(dtype=bool),
                                 "illustrative": pd.Series(dtype=bool), "import_id": pd.Series(dtype="str"),
                                 "disclosure": pd.Series(dtype="str"), "rolling_disclosure": pd.Series(dtype="str"),
                                 "public_value": pd.Series(dtype="float64"),
                                 "public_rolling": pd.Series(dtype="float64")})
        periods = pd.date_range(held["period"].min(), held["period"].max(), freq=f"{freq.months}MS")
        by_period = held.set_index("period")
        values = by_period["value"].astype("float64").reindex(periods)
        rolling = self._rolling(indicator_id, values)
        if self._protects(indicator_id, code):
            parts = self.public_parts(indicator_id, code).set_axis(held["period"]).reindex(periods)
            if code == self.total_code(indicator_id):
                shown, codes = disclosure.derived(parts["estimate"], parts["lowest"])
            else:
                shown, codes = disclosure.cells(values)
            shown_rolling, rolling_codes = disclosure.derived(self._rolling(indicator_id, parts["estimate"]),
                                                              self._rolling(indicator_id, parts["lowest"]))
        else:
            shown, shown_rolling = values.to_numpy(), rolling.to_numpy()
            codes = values.notna().map({True: disclosure.EXACT, False: ""}).to_numpy(dtype=object)
            rolling_codes = rolling.notna().map({True: disclosure.EXACT, False: ""}).to_numpy(dtype=object)
        return pd.DataFrame({"period": periods, "value": values.to_numpy(), "rolling": rolling.to_numpy(),
                             "missing": values.isna().to_numpy(),
                             "withheld": pd.Series(codes).isin(disclosure.HIDDEN).to_numpy(),
                             "rolling_withheld": pd.Series(rolling_codes).isin(disclosure.HIDDEN).to_numpy(),
                             "illustrative": by_period["illustrative"].reindex(periods, fill_value=False)
                             .to_numpy(dtype=bool),
                             "import_id": by_period["import_id"].reindex(periods, fill_value="").to_numpy(),
                             "disclosure": codes, "rolling_disclosure": rolling_codes,
                             "public_value": shown, "public_rolling": shown_rolling})

    def breaks(self, indicator_id: str) -> list[Break]:
        return self._breaks.get(indicator_id, [])

    def period_bounds(self, indicator_id: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        frame = self.series(indicator_id)
        if frame.empty:
            return None
        return frame["period"].min(), frame["period"].max()

    def population_of(self, area_code: str, year: int) -> float | None:
        """The area's population in `year`, or in the nearest year held (None when none is)."""
        years = self._population_years.get(area_code)
        if years is None:
            return None
        year = int(min(max(year, years[0]), years[1]))
        return float(self._pop.loc[(area_code, year)])

    @cached_property
    def _population_years(self) -> dict[str, tuple[int, int]]:
        spans = self.population.groupby("area_code")["year"].agg(["min", "max"])
        return {code: (int(row["min"]), int(row["max"])) for code, row in spans.iterrows()}

    @cached_property
    def latest_updates(self) -> pd.DataFrame:
        """Each action's latest update (highest version)."""
        ups = self.updates.sort_values(["action_id", "version"])
        return ups.groupby("action_id", as_index=False).tail(1).set_index("action_id")

    def action_status(self, include_restricted: bool) -> pd.DataFrame:
        """Actions with their latest status, version and progress; restricted ones only if allowed."""
        acts = access.visible_actions(include_restricted, self.actions)
        latest = self.latest_updates
        out = acts.merge(latest[["version", "status", "progress", "updated_by", "updated_at", "illustrative"]],
                         left_on="action_id", right_index=True, how="left")
        out["illustrative"] = out["illustrative"].fillna(False).astype(bool)
        out["status"] = out["status"].fillna("not-started")
        out["themes"] = out["themes"].fillna("")
        out["version"] = out["version"].fillna(0).astype("int64")
        out["overdue"] = is_overdue(out["due"], out["status"], out["state"], self.today)
        return out.sort_values("action_id").reset_index(drop=True)

    def actions_for(self, *, include_restricted: bool, priority_id: str | None = None,
                    district: str | None = None) -> pd.DataFrame:
        """Actions of a priority (or all), scoped to a district: county-wide actions always show."""
        frame = self.action_status(include_restricted)
        if priority_id:
            frame = frame[frame["priority_id"] == priority_id]
        if district:
            frame = frame[in_district(frame["areas"], district)]
        return frame

    def action(self, action_id: str, *, include_restricted: bool) -> pd.Series | None:
        """One action with its latest status, or None when unknown or not visible to this viewer."""
        frame = self.action_status(include_restricted)
        match = frame[frame["action_id"] == action_id]
        return None if match.empty else match.iloc[0]

    @cached_property
    def _history(self) -> dict[str, pd.DataFrame]:
        ordered = self.updates.sort_values(["action_id", "version"], ascending=[True, False])
        return {aid: grp.reset_index(drop=True) for aid, grp in ordered.groupby("action_id", sort=False)}

    def history(self, action_id: str) -> pd.DataFrame:
        """Every update of an action, newest first (callers check the viewer may see the action)."""
        found = self._history.get(action_id)
        return self.updates.iloc[0:0] if found is None else found

    def plan_history(self, action_id: str) -> pd.DataFrame:
        """Every change to an action's plan fields and state, newest first (callers check visibility)."""
        changes = self.action_changes[self.action_changes["action_id"] == action_id]
        return changes.sort_values(["revision", "change_id"], ascending=[False, True]).reset_index(drop=True)

    def past_meetings(self) -> pd.DataFrame:
        """Meetings held up to today, latest first."""
        return self.meetings[self.meetings["date"] <= self.today].iloc[::-1]

    def changes_since(self, since: pd.Timestamp, *, include_restricted: bool) -> pd.DataFrame:
        """What moved in the action plan since a date (see kcsp.actions.changes_since), memoised."""
        return self._changes_since(pd.Timestamp(since), include_restricted)

    @per_dataset
    def _changes_since(self, since: pd.Timestamp, include_restricted: bool) -> pd.DataFrame:
        return changes_since(self.action_status(include_restricted), self.updates, since, today=self.today)

    def last_meeting(self, body: str | None = None) -> pd.Series | None:
        """The row of the body's (default: the board's) last meeting held by today (kcsp.meetings.last_held
        decides which)."""
        held = meetings.last_held(self.meetings, self.today, body)
        return None if held is None else self.meetings[self.meetings["meeting_id"] == held.meeting_id].iloc[-1]


def fingerprint(tables: dict[str, pd.DataFrame]) -> tuple:
    """A key that changes whenever any table's content does."""
    return tuple((name, frame.shape, tuple(frame.columns),
                  int(pd.util.hash_pandas_object(frame, index=False).sum()) if len(frame) else 0)
                 for name, frame in sorted(tables.items()))


class DatasetCache:
    """Holds the Dataset of a store and rebuilds it only when a store file has changed; and the
    datasets of past days (the store as it stood then, kcsp.history), kept while their content is
    unchanged: a later write leaves a past day's content, and so its dataset and every result
    derived from it, as they were."""

    PAST_KEPT = 4
    """Past days' datasets kept (the meetings being looked at; least recently used go first)."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._version: tuple | None = None
        self._dataset: Dataset | None = None
        self._past: OrderedDict[pd.Timestamp, tuple[tuple, tuple, Dataset]] = OrderedDict()

    def at(self, day: pd.Timestamp) -> Dataset:
        """The dataset of the store as it stood at the end of `day`: today's own for today or later."""
        day = pd.Timestamp(day).normalize()
        if day >= pd.Timestamp.today().normalize():
            return self.get()
        version = self.store.version()
        with self._lock:
            held = self._past.get(day)
            if held is not None and held[0] == version:
                self._past.move_to_end(day)
                return held[2]
        tables = history.as_at(self.store.read_all(), day)
        content = fingerprint(tables)
        with self._lock:
            held = self._past.get(day)
            dataset = held[2] if held is not None and held[1] == content else Dataset(tables, today=day)
            self._past[day] = (version, content, dataset)
            self._past.move_to_end(day)
            while len(self._past) > self.PAST_KEPT:
                self._past.popitem(last=False)
            return dataset

    def get(self) -> Dataset:
        version = (self.store.version(), pd.Timestamp.today().normalize())
        with self._lock:
            if self._dataset is not None and version == self._version:
                return self._dataset
            dataset = Dataset(self.store.read_all())
            self._dataset, self._version = dataset, version
            return dataset
