"""The one module that decides verdicts. Every card, sentence, table, chart, slide, pack and API reads
its results; nothing else says better or worse.

Two kinds of verdict, never mixed:
- comparison: an area's rate per 1,000 residents over the window against its benchmark (the total
  of Kent, or of Kent and Medway, over the same window). Better / Similar / Worse where the measure
  has a good direction, Higher / Similar / Lower where it has none, from the area's 95% interval
  (kcsp.stats.count_interval: exact Poisson below 10 events, Byar from 10).
- change: the area's count over the window against the same number of periods just before it.
  Improving / Worsening (or Rising / Falling) only when the exact conditional binomial test gives
  p < 0.05; otherwise "No significant change". Never across a series break, never with a period
  missing from either window: then "Not compared", with the reason.

The window (one rule, `window_for`): a year's worth of periods (12 months, 4 quarters, 1 year)
ending at the latest period whose total is complete, on or before the chosen `to`; a chosen `from`
later than that start shortens it, and the words say so. Judgements are computed once per
dataset (store version) and window, then withheld per viewer by `disclosed`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from kcsp import stats
from kcsp.memo import per_dataset
from kcsp.periods import Frequency

COMPARISON, CHANGE = "comparison", "change"
KINDS = (COMPARISON, CHANGE)
COMPARISON_VERDICTS = ("better", "similar", "worse", "higher", "lower", "not-compared")
CHANGE_VERDICTS = ("improving", "worsening", "rising", "falling", "no-significant-change", "not-compared")
JUDGED = {"better", "worse", "higher", "lower", "improving", "worsening", "rising", "falling"}
CSV_COLUMNS = ["indicator_id", "area_code", "kind", "from", "to", "verdict", "count", "population", "rate", "lower",
               "upper", "benchmark", "previous_from", "previous_to", "previous_count", "p_value"]


@dataclass(frozen=True)
class Window:
    """Consecutive periods of one frequency, from `start` to `end` (first days of the periods)."""

    frequency: Frequency
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def periods(self) -> int:
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        return months // self.frequency.months + 1

    @property
    def previous(self) -> Window:
        n = self.periods
        return Window(self.frequency, self.frequency.step(self.start, -n), self.frequency.step(self.start, -1))

    @cached_property
    def index(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq=f"{self.frequency.months}MS")

    @property
    def first_month(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def last_month(self) -> str:
        return f"{self.frequency.last_month(self.end):%Y-%m}"

    @property
    def full(self) -> bool:
        return self.periods == self.frequency.per_year

    @property
    def population_year(self) -> int:
        """The year of the window's midpoint: its residents are that year's estimate."""
        after = self.frequency.step(self.end, 1)
        return int((self.start + (after - self.start) / 2).year)

    def words(self) -> str:
        """'the 12 months Feb 2022 to Jan 2023', 'the 3 months Nov 2022 to Jan 2023', '2016', '2016/17'."""
        if self.periods == 1 and self.frequency.months == 12:
            return self.frequency.label(self.end)
        return f"the {self.frequency.count_words(self.periods)} {self.frequency.span(self.start, self.end)}"


@dataclass(frozen=True)
class Verdict:
    """One judgement of one area: what was judged, the verdict, and the figures behind it.

    `withheld` marks figures of a small-number indicator that anonymous viewers may not see (see
    kcsp.disclosure); `disclosed(..., reveal=False)` blanks them and the verdict.
    """

    indicator_id: str
    area_code: str
    area_name: str
    kind: str
    verdict: str | None
    window: Window | None
    reason: str | None = None
    count: float | None = None
    population: float | None = None
    rate: float | None = None
    lower: float | None = None
    upper: float | None = None
    benchmark: float | None = None
    previous_count: float | None = None
    p_value: float | None = None
    withheld: bool = False
    shown_withheld: bool = False

    @property
    def judged(self) -> bool:
        """A significant verdict: better, worse, higher, lower, or a significant change."""
        return self.verdict in JUDGED

    @property
    def percent(self) -> float | None:
        if self.count is None or not self.previous_count:
            return None
        return (self.count - self.previous_count) / self.previous_count * 100

    @property
    def previous(self) -> Window | None:
        return None if self.window is None or self.kind != CHANGE else self.window.previous

    def csv_row(self) -> dict:
        w, p = self.window, self.previous
        return {
            "indicator_id": self.indicator_id, "area_code": self.area_code, "kind": self.kind,
            "from": w.first_month if w else None, "to": w.last_month if w else None, "verdict": self.verdict,
            "count": self.count, "population": self.population, "rate": self.rate, "lower": self.lower,
            "upper": self.upper, "benchmark": self.benchmark,
            "previous_from": p.first_month if p else None, "previous_to": p.last_month if p else None,
            "previous_count": self.previous_count, "p_value": self.p_value,
        }


def window_for(dataset, indicator_id: str, start: pd.Timestamp | None = None,
               end: pd.Timestamp | None = None) -> Window | None:
    """The window a view of this indicator judges (see the module docstring), or None when the
    chosen period holds no complete period of its total."""
    freq = dataset.frequency(indicator_id)
    total = dataset.series(indicator_id, dataset.total_code(indicator_id))
    periods = total["period"]
    if end is not None:
        periods = periods[periods <= end]
    if start is not None:
        periods = periods[periods >= start]
    if periods.empty:
        return None
    last = periods.max()
    first = freq.step(last, -(freq.per_year - 1))
    if start is not None and start > first:
        first = min(p for p in periods if p >= start)
    return Window(freq, first, last)


def _change_verdict(p_value: float, current: float, previous: float, polarity: str) -> str:
    if p_value >= stats.SIGNIFICANCE:
        return "no-significant-change"
    up = current > previous
    if polarity == "lower-is-better":
        return "worsening" if up else "improving"
    if polarity == "higher-is-better":
        return "improving" if up else "worsening"
    return "rising" if up else "falling"


def _comparison_verdict(lower: float, upper: float, benchmark: float, polarity: str) -> str:
    if lower <= benchmark <= upper:
        return "similar"
    higher = lower > benchmark
    if polarity == "lower-is-better":
        return "worse" if higher else "better"
    if polarity == "higher-is-better":
        return "better" if higher else "worse"
    return "higher" if higher else "lower"


@per_dataset
def _held(dataset, indicator_id: str, code: str) -> tuple[np.ndarray, np.ndarray]:
    """The area's periods (sorted) and figures as arrays, so every window judged is a slice of them."""
    frame = dataset.series(indicator_id, code)
    return frame["period"].to_numpy(dtype="datetime64[ns]"), frame["value"].to_numpy(dtype="float64")


def _window_count(dataset, indicator_id: str, code: str, window: Window) -> tuple[float | None, pd.Timestamp | None]:
    """The area's total over the window, or None and the first period it has no figure for."""
    periods, values = _held(dataset, indicator_id, code)
    wanted = window.index.to_numpy(dtype="datetime64[ns]")
    first = int(np.searchsorted(periods, wanted[0]))
    found = periods[first:first + len(wanted)]
    if len(found) == len(wanted) and (found == wanted).all():
        return float(values[first:first + len(wanted)].sum()), None
    return None, pd.Timestamp(wanted[~np.isin(wanted, periods)][0])


def _withheld_windows(dataset, indicator_id: str, window: Window) -> tuple[set[str], set[str]]:
    """Member areas whose count over the window, and over the window before, is withheld."""
    if not dataset.suppresses(indicator_id):
        return set(), set()
    _, hidden = dataset.window_grid(indicator_id, window.periods)
    out = []
    for last in (window.end, window.previous.end):
        col = hidden[last] if last in hidden.columns else pd.Series(False, index=hidden.index)
        out.append(set(col.index[col.astype(bool)]))
    return out[0], out[1]


def _change(dataset, indicator_id: str, code: str, window: Window, withheld: bool) -> Verdict:
    ind = dataset.indicator(indicator_id)
    base = Verdict(indicator_id, code, dataset.area_name(code), CHANGE, "not-compared", window, withheld=withheld)
    current, gap = _window_count(dataset, indicator_id, code, window)
    if current is None:
        label = window.frequency.label(gap)
        return replace(base, reason=f"there is no figure for {label}, so the window is incomplete")
    previous_window = window.previous
    for brk in dataset.breaks(indicator_id):
        if previous_window.start < brk.period <= window.end:
            return replace(base, count=current, reason=(
                f"the series changed in {brk.period:%B %Y}, so {previous_window.words()} are not comparable"))
    previous, gap = _window_count(dataset, indicator_id, code, previous_window)
    if previous is None:
        held = dataset.series(indicator_id, code)
        why = (f"there is no figure for {window.frequency.label(gap)}" if not held.empty
               and held["period"].min() <= previous_window.start else
               f"figures start in {window.frequency.label(held['period'].min())}")
        return replace(base, count=current, reason=f"{why}, so it cannot be set against {previous_window.words()}")
    p_value = stats.change_p_value(current, previous)
    population = dataset.population_of(code, window.population_year)
    return replace(base, verdict=_change_verdict(p_value, current, previous, ind["polarity"]), count=current,
                   previous_count=previous, p_value=p_value, population=population,
                   rate=stats.rate_per_1000(current, population) if population else None)


def _comparisons(dataset, indicator_id: str, window: Window, withheld: set[str]) -> list[Verdict]:
    ind = dataset.indicator(indicator_id)
    total_code = dataset.total_code(indicator_id)
    total_count, _ = _window_count(dataset, indicator_id, total_code, window)
    total_pop = dataset.population_of(total_code, window.population_year)
    benchmark = stats.rate_per_1000(total_count, total_pop) if total_count is not None and total_pop else None
    out = []
    for code in dataset.members(indicator_id):
        base = Verdict(indicator_id, code, dataset.area_name(code), COMPARISON, "not-compared", window,
                       benchmark=benchmark, withheld=code in withheld)
        count, gap = _window_count(dataset, indicator_id, code, window)
        pop = dataset.population_of(code, window.population_year)
        if count is None:
            out.append(replace(base, reason=f"there is no figure for {window.frequency.label(gap)}"))
        elif not pop or benchmark is None:
            out.append(replace(base, count=count, reason="no population estimate is held for the window"))
        else:
            lower, upper = stats.rate_interval(count, pop)
            out.append(replace(base, verdict=_comparison_verdict(lower, upper, benchmark, ind["polarity"]),
                               count=count, population=pop, rate=stats.rate_per_1000(count, pop),
                               lower=lower, upper=upper))
    return out


def judge(dataset, indicator_id: str, start: pd.Timestamp | None = None,
          end: pd.Timestamp | None = None) -> tuple[Verdict, ...]:
    """Every verdict of an indicator for the window of a view: comparisons of each member area, then
    changes of each member area and of the total (county-only measures: the total's change only).

    Views whose choices come to the same window share one result."""
    return _judge_window(dataset, indicator_id, window_for(dataset, indicator_id, start, end))


def warm(dataset) -> None:
    """Judge every indicator for its latest window now (at start-up), so no page pays for it later."""
    for indicator_id in dataset.indicators["indicator_id"]:
        judge(dataset, indicator_id)


@per_dataset
def _judge_window(dataset, indicator_id: str, window: Window | None) -> tuple[Verdict, ...]:
    ind = dataset.indicator(indicator_id)
    total_code = dataset.total_code(indicator_id)
    if window is None:
        reason = "there is no complete figure in the period chosen"
        codes = dataset.members(indicator_id) if ind["geography"] == "district" else []
        return tuple(
            [Verdict(indicator_id, c, dataset.area_name(c), COMPARISON, "not-compared", None, reason) for c in codes]
            + [Verdict(indicator_id, c, dataset.area_name(c), CHANGE, "not-compared", None, reason)
               for c in [*codes, total_code]])
    if ind["geography"] != "district":
        return (_change(dataset, indicator_id, total_code, window, False),)
    now_hidden, before_hidden = _withheld_windows(dataset, indicator_id, window)
    comparisons = _comparisons(dataset, indicator_id, window, now_hidden)
    changes = [_change(dataset, indicator_id, code, window, code in now_hidden or code in before_hidden)
               for code in dataset.members(indicator_id)]
    return (*comparisons, *changes, _change(dataset, indicator_id, total_code, window, False))


def disclosed(verdict: Verdict, *, reveal: bool) -> Verdict:
    """The verdict as a viewer may see it: withheld figures and their verdict blanked unless `reveal`."""
    if not verdict.withheld:
        return verdict
    if reveal:
        return replace(verdict, shown_withheld=True)
    return replace(verdict, verdict=None, count=None, population=None, rate=None, lower=None, upper=None,
                   previous_count=None, p_value=None, reason="withheld: the numbers are too small to publish")


def verdicts(dataset, indicator_id: str, start=None, end=None, *, reveal: bool) -> list[Verdict]:
    """Every verdict of an indicator for a view, as this viewer may see them."""
    return [disclosed(v, reveal=reveal) for v in judge(dataset, indicator_id, start, end)]


def verdict(dataset, indicator_id: str, area_code: str, kind: str, start=None, end=None, *,
            reveal: bool) -> Verdict | None:
    """One area's verdict of one kind for a view (None when the indicator judges no such thing)."""
    for v in judge(dataset, indicator_id, start, end):
        if v.area_code == area_code and v.kind == kind:
            return disclosed(v, reveal=reveal)
    return None


def shown_area(dataset, indicator_id: str, district_slug: str | None) -> str:
    """The one rule for which area a view of an indicator shows: the chosen district when the
    indicator has figures for it, else the indicator's total."""
    code = dataset.area_code_for_slug(district_slug)
    if code and dataset.indicator(indicator_id)["geography"] == "district" and dataset.has_data(indicator_id, code):
        return code
    return dataset.total_code(indicator_id)


def table(dataset, indicator_id: str, start=None, end=None, *, reveal: bool) -> pd.DataFrame:
    """The verdicts as /api/judgements.csv gives them: one row per area and kind."""
    rows = [v.csv_row() for v in verdicts(dataset, indicator_id, start, end, reveal=reveal)]
    return pd.DataFrame(rows, columns=CSV_COLUMNS)


def comparison_frame(verdicts: list[Verdict]) -> pd.DataFrame:
    """The comparison verdicts of a view as a frame, one row per area (what the district charts draw)."""
    rows = [{"area_code": v.area_code, "area_name": v.area_name, "count": v.count, "population": v.population,
             "rate": v.rate, "lower": v.lower, "upper": v.upper, "verdict": v.verdict, "benchmark": v.benchmark,
             "shown_withheld": v.shown_withheld} for v in verdicts if v.kind == COMPARISON]
    columns = ["area_code", "area_name", "count", "population", "rate", "lower", "upper", "verdict", "benchmark",
               "shown_withheld"]
    return pd.DataFrame(rows, columns=columns).astype({c: "float64" for c in
                                                       ("count", "population", "rate", "lower", "upper", "benchmark")})


@per_dataset
def funnel(dataset, indicator_id: str, start=None, end=None) -> pd.DataFrame:
    """The funnel limits around the benchmark of a view's comparisons (same intervals as the verdicts)."""
    comparisons = [v for v in judge(dataset, indicator_id, start, end) if v.kind == COMPARISON]
    benchmark = next((v.benchmark for v in comparisons if v.benchmark is not None), None)
    populations = [dataset.population_of(v.area_code, v.window.population_year) for v in comparisons if v.window]
    populations = [p for p in populations if p]
    if benchmark is None or not populations:
        return pd.DataFrame(columns=["population", "lower_95", "upper_95", "lower_99.8", "upper_99.8"])
    return stats.funnel_limits(benchmark, max(populations))
