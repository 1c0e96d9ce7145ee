"""Read-side model: one Dataset per store version, with every lookup the pages need pre-indexed.

A Dataset is built once when the store changes (at start-up, or after an import or an update) and
shared by all callbacks; callbacks only look things up in it. Totals for Kent (the 12 districts)
and Kent and Medway (the 12 districts and Medway) are computed here from the district rows, never
stored.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from kcsp import opendata, periods, stats
from kcsp.actions import changes_since, in_district
from kcsp.memo import per_dataset
from kcsp.store import Store

KENT = "E10000016"
KENT_MEDWAY = "E23000032"
MEDWAY = "E06000035"
TOTAL_NAMES = {KENT: "Kent (12 districts)", KENT_MEDWAY: "Kent and Medway"}


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
        self.priorities = tables["priorities"].sort_values("sort_order").reset_index(drop=True)
        self.indicators = tables["indicators"].reset_index(drop=True)
        self.themes = tables["themes"].sort_values("sort_order").reset_index(drop=True)
        self.meetings = tables["meetings"].sort_values("date").reset_index(drop=True)
        self.population = tables["population"]
        self.actions = tables["actions"]
        self.updates = tables["action_updates"]
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
        self._local_codes = set(self.districts()["area_code"])

    def _index_series(self, observations: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
        obs = observations[["indicator_id", "area_code", "period", "value"]].copy()
        obs["value"] = obs["value"].astype("int64")
        generated = set(self.indicators.loc[self.indicators["illustrative"].astype(bool), "indicator_id"])
        imported = (observations["import_id"] if "import_id" in observations
                    else pd.Series(None, index=observations.index, dtype="str"))
        obs["import_id"] = imported.fillna("").astype("str")
        obs["illustrative"] = obs["indicator_id"].isin(generated) & (obs["import_id"] == "")
        local = set(self.districts()["area_code"])
        kent = local - {MEDWAY}
        district_level = obs[obs["area_code"].isin(local)]
        totals = []
        for code, members in ((KENT, kent), (KENT_MEDWAY, local)):
            part = district_level[district_level["area_code"].isin(members)]
            if code == KENT_MEDWAY:
                covered = set(self.indicators.loc[self.indicators["coverage"] == "kent-and-medway", "indicator_id"])
                part = part[part["indicator_id"].isin(covered)]
            summed = part.groupby(["indicator_id", "period"], as_index=False).agg(
                value=("value", "sum"), illustrative=("illustrative", "any"),
                import_id=("import_id", "max"))  # an import replaces whole periods: one id per period
            summed["area_code"] = code
            totals.append(summed)
        allrows = pd.concat([obs, *totals], ignore_index=True)
        return {
            key: grp[["period", "value", "illustrative", "import_id"]].sort_values("period").reset_index(drop=True)
            for key, grp in allrows.groupby(["indicator_id", "area_code"], sort=False)
        }

    def month_range(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last month held for any indicator."""
        periods = self.tables["observations"]["period"]
        if periods.empty:
            today = self.today.replace(day=1)
            return today, today
        return periods.min(), periods.max()

    def districts(self) -> pd.DataFrame:
        """The 12 districts and Medway, in display order."""
        return self.areas[self.areas["area_type"].isin(["district", "unitary"])]

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
        ind = self.indicator(indicator_id)
        return KENT_MEDWAY if ind["coverage"] == "kent-and-medway" else KENT

    def total_label(self, indicator_id: str) -> str:
        return TOTAL_NAMES[self.total_code(indicator_id)]

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
              end: pd.Timestamp | None = None) -> pd.DataFrame:
        """What a trend chart shows: period, value, rolling_12 and suppressed, within the period chosen.

        Rolling totals are taken over the whole series (so the first month shown has its full
        12 months) and restart at series breaks. Small counts are suppressed for single districts.
        """
        code = area_code or self.total_code(indicator_id)
        full = self._full_trend(indicator_id, code)
        if start is not None:
            full = full[full["period"] >= start]
        if end is not None:
            full = full[full["period"] <= end]
        return full.reset_index(drop=True)

    @per_dataset
    def _full_trend(self, indicator_id: str, code: str) -> pd.DataFrame:
        full = self.series(indicator_id, code).copy()
        full["rolling_12"] = stats.rolling_12(full, [b.period for b in self.breaks(indicator_id)],
                                              step=self.step_months(indicator_id))
        small = code in self._local_codes
        full["suppressed"] = full["value"].map(stats.suppressed).astype(bool) if small else False
        full["rolling_suppressed"] = full["rolling_12"].map(stats.suppressed).astype(bool) if small else False
        return full

    def frequency(self, indicator_id: str) -> str:
        return str(self.indicator(indicator_id)["frequency"])

    def step_months(self, indicator_id: str) -> int:
        """Months one period of the indicator spans (1, 3 or 12)."""
        return 12 // periods.PER_YEAR[self.frequency(indicator_id)]

    def breaks(self, indicator_id: str) -> list[Break]:
        return self._breaks.get(indicator_id, [])

    def period_bounds(self, indicator_id: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        frame = self.series(indicator_id)
        if frame.empty:
            return None
        return frame["period"].min(), frame["period"].max()

    def comparison(self, indicator_id: str, area_code: str | None = None, start=None, end=None) -> stats.Comparison:
        """The 12 months to the end of the chosen period against the 12 before (`start` is not a limit:
        the earlier window may lie before it)."""
        series = self.series(indicator_id, area_code, None, end)
        return stats.compare_year_ago(series, [b.period for b in self.breaks(indicator_id)],
                                      step=self.step_months(indicator_id))

    def population_of(self, area_code: str, year: int) -> float | None:
        years = self.population[self.population["area_code"] == area_code]["year"]
        if years.empty:
            return None
        year = int(min(max(year, years.min()), years.max()))
        return float(self._pop.loc[(area_code, year)])

    def district_breakdown(self, indicator_id: str, start=None, end=None) -> pd.DataFrame:
        """Count, rate per 1,000, 95% interval and judgement against the total, and IMD 2019 rank, per district
        (memoised).

        With no period chosen the latest 12 months are compared.
        """
        return self._district_breakdown(indicator_id, start, end)

    def funnel_limits(self, breakdown: pd.DataFrame) -> pd.DataFrame:
        """95% and 99.8% limits around the breakdown's benchmark rate, across its populations."""
        return stats.funnel_limits(float(breakdown["benchmark"].iloc[0]), float(breakdown["population"].max()))

    @per_dataset
    def _district_breakdown(self, indicator_id: str, start, end) -> pd.DataFrame:
        ind = self.indicator(indicator_id)
        total_code = self.total_code(indicator_id)
        window = self.series(indicator_id, total_code, start, end)
        if window.empty or ind["geography"] != "district":
            return pd.DataFrame()
        step = self.step_months(indicator_id)
        if start is None and end is None:
            window = window.tail(12 // step)
        first, last = window["period"].min(), window["period"].max()
        months = len(window) * step
        year = int((first + (last - first) / 2).year)
        total_count = float(window["value"].sum())
        total_pop = self.population_of(total_code, year)
        benchmark = stats.rate_per_1000(total_count, total_pop) if total_pop else None
        rows = []
        members = self.districts()
        if total_code == KENT:
            members = members[members["area_code"] != MEDWAY]
        for area in members.itertuples():
            count = float(self.series(indicator_id, area.area_code, first, last)["value"].sum())
            pop = self.population_of(area.area_code, year)
            rate = stats.rate_per_1000(count, pop) if pop else None
            low, high = stats.byar_interval(count)
            lower = low / pop * 1000 if pop else None
            upper = high / pop * 1000 if pop else None
            verdict = (stats.judge(lower, upper, benchmark, ind["polarity"])
                       if benchmark is not None and pop else "Not compared")
            rows.append({
                "area_code": area.area_code, "area_name": area.area_name, "area_slug": area.area_slug,
                "count": count, "population": pop, "rate": rate, "lower": lower, "upper": upper,
                "judgement": verdict, "suppressed": stats.suppressed(count),
                "benchmark": benchmark, "months": months, "first": first,
                "last": last + pd.DateOffset(months=step - 1),
            })
        frame = pd.DataFrame(rows)
        ranks = opendata.deprivation().set_index("area_code")["imd_rank"]
        frame["imd_rank"] = frame["area_code"].map(ranks).astype("Int64")
        return frame

    @cached_property
    def latest_updates(self) -> pd.DataFrame:
        """Each action's latest update (highest version)."""
        ups = self.updates.sort_values(["action_id", "version"])
        return ups.groupby("action_id", as_index=False).tail(1).set_index("action_id")

    def action_status(self, include_restricted: bool) -> pd.DataFrame:
        """Actions with their latest status, version and progress; restricted ones only if allowed."""
        acts = self.actions
        if not include_restricted:
            acts = acts[acts["classification"] == "public"]
        latest = self.latest_updates
        out = acts.merge(latest[["version", "status", "progress", "updated_by", "updated_at"]],
                         left_on="action_id", right_index=True, how="left")
        out["status"] = out["status"].fillna("not-started")
        out["version"] = out["version"].fillna(0).astype("int64")
        out["overdue"] = (out["due"] < self.today) & (out["status"] != "blue")
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

    def past_meetings(self) -> pd.DataFrame:
        """Meetings held up to today, latest first."""
        return self.meetings[self.meetings["date"] <= self.today].iloc[::-1]

    def changes_since(self, since: pd.Timestamp, *, include_restricted: bool) -> pd.DataFrame:
        """What moved in the action plan since a date (see kcsp.actions.changes_since), memoised."""
        return self._changes_since(pd.Timestamp(since), include_restricted)

    @per_dataset
    def _changes_since(self, since: pd.Timestamp, include_restricted: bool) -> pd.DataFrame:
        return changes_since(self.action_status(include_restricted), self.updates, since, today=self.today)

    def last_meeting(self, body: str = "kcsp") -> pd.Series | None:
        past = self.meetings[(self.meetings["body"] == body) & (self.meetings["date"] <= self.today)]
        return None if past.empty else past.iloc[-1]


class DatasetCache:
    """Holds the Dataset of a store and rebuilds it only when a store file has changed."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._version: tuple | None = None
        self._dataset: Dataset | None = None

    def get(self) -> Dataset:
        version = (self.store.version(), pd.Timestamp.today().normalize())
        with self._lock:
            if self._dataset is not None and version == self._version:
                return self._dataset
            dataset = Dataset(self.store.read_all())
            self._dataset, self._version = dataset, version
            return dataset
