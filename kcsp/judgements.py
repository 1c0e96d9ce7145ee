"""The one module that decides verdicts. Every card, sentence, table, chart, slide, pack and API reads
its results; nothing else says better or worse.

Two kinds of verdict, never mixed, each chosen for the data the measure holds (`method` says which):
- comparison: an area's rate per 1,000 residents over the window against its benchmark (the total
  of its coverage area over the same window). Better / Similar / Worse where the measure has a good
  direction, Higher / Similar / Lower where it has none. First Spiegelhalter's winsorised phi and
  DerSimonian and Laird's tau^2 measure how much more widely the areas spread than chance allows
  (kcsp.stats.spread). Where tau^2 is 0 (`interval`), an area differs when its 95% interval
  excludes the benchmark (exact Poisson below 10 events, Byar from 10). Where it is above 0
  (`funnel-overdispersed`), the interval and the funnel are widened by it, so a district differs
  only when it lies outside the widened funnel: the verdict and the funnel are one decision.
- change: for a monthly series (`spc`), the XmR control chart of kcsp.spc: the months since the
  series last broke, last changed between real and illustrative figures, or CHART_POINTS before the
  window's end, with a baseline of the months before the window (12 to 24). The verdict is the
  chart's reading of the window's last month: special cause improving or worsening (rising or
  falling where the measure has no good direction), else "No significant change" (common cause);
  `signal` names the rule. The window's count against the same months a year before is kept as a
  description, never as the verdict. For quarterly and yearly counts the window is tested against
  the same periods a year before (kcsp.stats.change_test): the exact conditional binomial test
  (`exact-test`) where the measure's series vary no more than Poisson counts, the quasi-Poisson test
  (`overdispersed-test`) where their dispersion, pooled across the areas (kcsp.stats.pooled_dispersion),
  is above 1.
  Improving / Worsening only when p < 0.05.
Never across a series break, never with a period missing, never mixing real and illustrative
figures: then "Not compared", with the reason.

The window (one rule, `window_for`): a year's worth of periods (12 months, 4 quarters, 1 year)
ending at the latest period whose total is complete, on or before the chosen `to`; a chosen `from`
later than that start shortens it, and the words say so. A view with no such period still names the
window it asked for. Judgements are computed once per dataset (store version) and window, with
what the public sees of a small-number measure's (kcsp.disclosure: verdict words from the exact
counts, every figure derived from the published ones); `disclosed` gives each viewer theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from kcsp import disclosure, spc, stats
from kcsp.memo import per_dataset
from kcsp.periods import FREQUENCIES, Frequency

FREQUENCIES_MONTHLY = FREQUENCIES["monthly"]
COMPARISON, CHANGE = "comparison", "change"
KINDS = (COMPARISON, CHANGE)
COMPARISON_VERDICTS = ("better", "similar", "worse", "higher", "lower", "not-compared")
CHANGE_VERDICTS = ("improving", "worsening", "rising", "falling", "no-significant-change", "not-compared")
JUDGED = {"better", "worse", "higher", "lower", "improving", "worsening", "rising", "falling"}
CSV_COLUMNS = ["indicator_id", "area_code", "kind", "from", "to", "verdict", "count", "population", "rate", "lower",
               "upper", "benchmark", "previous_from", "previous_to", "previous_count", "p_value", "method", "signal",
               "disclosure", "withheld_reason"]
SPC, EXACT_TEST, OVERDISPERSED_TEST, INTERVAL, FUNNEL_OVERDISPERSED = (
    "spc", "exact-test", "overdispersed-test", "interval", "funnel-overdispersed")
METHODS = (SPC, EXACT_TEST, OVERDISPERSED_TEST, INTERVAL, FUNNEL_OVERDISPERSED)
MIXED = "the window mixes real and illustrative figures, which measure different things"


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
        """The same periods a year earlier (for a year's window, the year just before it)."""
        back = -self.frequency.per_year
        return Window(self.frequency, self.frequency.step(self.start, back), self.frequency.step(self.end, back))

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

    def previous_words(self) -> str:
        """How the earlier window stands to this one: 'the year before' or 'the same months a year before'."""
        if self.full:
            return f"the year before ({self.previous.words()})"
        return f"the same {self.frequency.count_words(self.periods)} a year before ({self.previous.words()})"


@dataclass(frozen=True)
class Verdict:
    """One judgement of one area: what was judged, the verdict, and the figures behind it.

    For a small-number measure held by district (kcsp.disclosure), `for_public` is the verdict as
    anonymous viewers see it (its figures derived from the published ones, `disclosure` saying so),
    and `withheld` marks a verdict they may not see at all; `disclosed` picks the view.
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
    method: str | None = None
    signal: str | None = None
    chart: spc.Chart | None = None
    chart_start: pd.Timestamp | None = None
    chart_illustrative: bool = False
    direction: int = 0
    months_withheld: bool = False
    spread: stats.Spread | None = None
    disclosure: str = "exact"
    for_public: Verdict | None = field(default=None, compare=False, repr=False)

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
            "previous_count": self.previous_count,
            "p_value": self.p_value if self.disclosure == disclosure.EXACT else None, "method": self.method,
            "signal": self.signal, "disclosure": self.disclosure, "withheld_reason": self.disclosure_words,
        }

    @property
    def disclosure_words(self) -> str:
        """How this view's figures were made, in words: for the public, why they are rounded or the
        verdict withheld; for a signed-in viewer of a small-number measure, that they are not for
        publication; blank for exact figures the public sees too."""
        if self.for_public is not None:
            return disclosure.reason(self.for_public.disclosure, reveal=True)
        if self.disclosure == disclosure.DERIVED_WITHHELD:
            return self.reason or disclosure.WORDS[self.disclosure]
        return disclosure.WORDS.get(self.disclosure, "")

    @property
    def chart_periods(self) -> pd.DatetimeIndex | None:
        """The months of the control chart behind an `spc` verdict (None for other methods)."""
        if self.chart is None or self.chart_start is None or self.window is None:
            return None
        return pd.date_range(self.chart_start, periods=self.chart.values.size,
                             freq=f"{self.window.frequency.months}MS")


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


def asked_window(dataset, indicator_id: str, start: pd.Timestamp | None, end: pd.Timestamp | None) -> Window | None:
    """The window a view asked for when it holds no figure: its chosen periods, so a verdict that
    could not be made still names the months it is about (None when the view chose no period)."""
    if start is None and end is None:
        return None
    freq = dataset.frequency(indicator_id)
    last = freq.start_of(end) if end is not None else None
    first = freq.start_of(start) if start is not None else None
    if last is None:
        last = freq.step(first, freq.per_year - 1)
    if first is None or first > last:
        first = freq.step(last, -(freq.per_year - 1))
    return Window(freq, first, last)


def _direction_verdict(up: bool, polarity: str) -> str:
    if polarity == "lower-is-better":
        return "worsening" if up else "improving"
    if polarity == "higher-is-better":
        return "improving" if up else "worsening"
    return "rising" if up else "falling"


def _change_verdict(p_value: float, current: float, previous: float, polarity: str) -> str:
    if p_value >= stats.SIGNIFICANCE:
        return "no-significant-change"
    return _direction_verdict(current > previous, polarity)


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
def _held(dataset, indicator_id: str, code: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The area's periods (sorted), figures and which are illustrative, as arrays, so every window
    judged is a slice of them."""
    frame = dataset.series(indicator_id, code)
    return (frame["period"].to_numpy(dtype="datetime64[ns]"), frame["value"].to_numpy(dtype="float64"),
            frame["illustrative"].to_numpy(dtype=bool))


def _window_slice(dataset, indicator_id: str, code: str, window: Window) -> tuple[slice | None, pd.Timestamp | None]:
    """Where the window's periods sit in the area's arrays, or None and the first period missing."""
    periods, _, _ = _held(dataset, indicator_id, code)
    wanted = window.index.to_numpy(dtype="datetime64[ns]")
    first = int(np.searchsorted(periods, wanted[0]))
    found = periods[first:first + len(wanted)]
    if len(found) == len(wanted) and (found == wanted).all():
        return slice(first, first + len(wanted)), None
    return None, pd.Timestamp(wanted[~np.isin(wanted, periods)][0])


def _window_count(dataset, indicator_id: str, code: str, window: Window) -> tuple[float | None, pd.Timestamp | None]:
    """The area's total over the window, or None and the first period it has no figure for."""
    where, gap = _window_slice(dataset, indicator_id, code, window)
    if where is None:
        return None, gap
    return float(_held(dataset, indicator_id, code)[1][where].sum()), None


def _mixed(dataset, indicator_id: str, code: str, *windows: Window) -> bool:
    """Whether the windows' figures (all held) are partly real and partly illustrative."""
    flags = []
    for window in windows:
        where, _ = _window_slice(dataset, indicator_id, code, window)
        flags.append(_held(dataset, indicator_id, code)[2][where])
    kinds = np.concatenate(flags)
    return bool(kinds.any() and not kinds.all())


def _public_count(dataset, indicator_id: str, code: str, window: Window) -> tuple[float | None, str]:
    """The area's count over the window as the public sees it (kcsp.disclosure.derived) and how it
    was made; None and "" where a period of the window is not held."""
    where, _ = _window_slice(dataset, indicator_id, code, window)
    if where is None:
        return None, ""
    parts = dataset.public_parts(indicator_id, code).iloc[where]
    shown, codes = disclosure.derived(parts["estimate"].sum(), parts["lowest"].sum())
    value = float(shown)
    return (None if np.isnan(value) else value), str(codes)


def _for_public(dataset, indicator_id: str, window: Window, verdicts: list[Verdict]) -> list[Verdict]:
    """The verdicts of a small-number measure with what anonymous viewers see of each: counts derived
    from the published figures (kcsp.disclosure), and rates, intervals, the benchmark and the spread
    computed from those counts; no control chart; a verdict withheld where its count, or the count a
    year before it is set against, is. The verdict words are the exact counts', and so is the p-value,
    kept to choose and order lists of changes as the words are, never published (`csv_row`,
    kcsp.narrative)."""
    total_code = dataset.total_code(indicator_id)
    total, total_how = _public_count(dataset, indicator_id, total_code, window)
    total_pop = dataset.population_of(total_code, window.population_year)
    benchmark = (stats.rate_per_1000(total, total_pop) if total is not None and total_how == disclosure.DERIVED
                 and total_pop else None)
    public = []
    for v in verdicts:
        count, how = (_public_count(dataset, indicator_id, v.area_code, window) if v.count is not None
                      else (None, ""))
        previous, before = ((_public_count(dataset, indicator_id, v.area_code, window.previous))
                            if v.previous_count is not None else (None, ""))
        hidden = how in disclosure.HIDDEN or before in disclosure.HIDDEN
        shown = replace(v, count=count, previous_count=previous, chart=None, chart_start=None,
                        spread=None, withheld=hidden, disclosure=disclosure.DERIVED_WITHHELD if hidden
                        else disclosure.DERIVED, rate=stats.rate_per_1000(count, v.population)
                        if v.rate is not None and count is not None else None, lower=None, upper=None,
                        benchmark=benchmark if v.kind == COMPARISON else None)
        if hidden:
            shown = replace(shown, verdict=None, count=None, population=None, rate=None, previous_count=None,
                            signal=None, reason=disclosure.verdict_reason(how, before))
        public.append(shown)
    judged = [p for p in public if p.kind == COMPARISON and p.rate is not None]
    if judged and benchmark is not None:
        spread = stats.spread([p.rate for p in judged], [p.population for p in judged], benchmark)
        for i, p in enumerate(public):
            if p.kind == COMPARISON and p.rate is not None:
                lower, upper = (stats.widened_interval(p.rate, benchmark, p.population, spread.tau2)
                                if spread.overdispersed else stats.rate_interval(p.count, p.population))
                public[i] = replace(p, lower=lower, upper=upper, spread=spread)
    return [replace(v, withheld=p.withheld, for_public=p) for v, p in zip(verdicts, public, strict=True)]


def _break_within(dataset, indicator_id: str, first: pd.Timestamp, last: pd.Timestamp):
    """The latest series break after `first`, on or before `last` (None if there is none)."""
    found = [b for b in dataset.breaks(indicator_id) if first < b.period <= last]
    return found[-1] if found else None


def _year_before(dataset, indicator_id: str, code: str, window: Window) -> float | None:
    """The count of the same periods a year before, where it can be set beside the window's: held in
    full, of the same kind (real or illustrative), with no series break between them."""
    before = window.previous
    count, _ = _window_count(dataset, indicator_id, code, before)
    if count is None or _break_within(dataset, indicator_id, before.start, window.end) is not None:
        return None
    return None if _mixed(dataset, indicator_id, code, before, window) else count


def _chart_start(dataset, indicator_id: str, code: str, where: slice) -> int:
    """Where the control chart of a window (`where`, in the area's arrays) starts: CHART_POINTS
    before the window's end at most, within the run of months its end belongs to."""
    end = where.stop - 1
    return max(_segment_start(dataset, indicator_id, code, end), end - spc.CHART_POINTS + 1)


def _segment_start(dataset, indicator_id: str, code: str, first: int) -> int:
    """Where the run of months holding position `first` begins: the same series, with no series
    break, gap or change between real and illustrative figures since."""
    periods, _, kinds = _held(dataset, indicator_id, code)
    brk = _break_within(dataset, indicator_id, pd.Timestamp(periods[0]), pd.Timestamp(periods[first]))
    start = int(np.searchsorted(periods, np.datetime64(brk.period, "ns"))) if brk is not None else 0
    monthly = FREQUENCIES_MONTHLY
    for i in range(first, start, -1):
        if pd.Timestamp(periods[i - 1]) != monthly.step(pd.Timestamp(periods[i]), -1) or kinds[i - 1] != kinds[first]:
            return i
    return start


def _control_chart(dataset, indicator_id: str, code: str, window: Window, base: Verdict, where: slice) -> Verdict:
    """The change of a monthly series by its XmR chart (kcsp.spc), read at the window's last month."""
    periods, values, _ = _held(dataset, indicator_id, code)
    first = _chart_start(dataset, indicator_id, code, where)
    if first > where.start:
        brk = _break_within(dataset, indicator_id, window.start, window.end)
        why = (f"the series changed in {brk.period:%B %Y}, within the window" if brk is not None else MIXED)
        return replace(base, reason=why)
    points = where.stop - first
    if points < spc.MIN_BASELINE:
        since = window.frequency.label(pd.Timestamp(periods[first]))
        return replace(base, reason=(f"a control chart needs at least {spc.MIN_BASELINE} months in a row of one "
                                     f"series, and the figures from {since} hold {points}"))
    chart = spc.read(values[first:where.stop], pd.Timestamp(periods[first]).month, window.periods,
                     values[_segment_start(dataset, indicator_id, code, first):first])
    illustrative = bool(_held(dataset, indicator_id, code)[2][where.stop - 1])
    verdict = ("no-significant-change" if chart.signal is None else
               _direction_verdict(chart.direction > 0, dataset.indicator(indicator_id)["polarity"]))
    return replace(base, verdict=verdict, signal=chart.signal, p_value=chart.chance, chart=chart,
                   direction=chart.direction, chart_start=pd.Timestamp(periods[first]), chart_illustrative=illustrative,
                   previous_count=_year_before(dataset, indicator_id, code, window))


def _tested(dataset, indicator_id: str, code: str, window: Window, base: Verdict) -> Verdict:
    """The change of a quarterly or yearly count: the window against the same periods a year before,
    by the exact test, or the quasi-Poisson one where the series is overdispersed."""
    previous_window = window.previous
    brk = _break_within(dataset, indicator_id, previous_window.start, window.end)
    if brk is not None:
        return replace(base, reason=(
            f"the series changed in {brk.period:%B %Y}, so {previous_window.words()} are not comparable"))
    previous, gap = _window_count(dataset, indicator_id, code, previous_window)
    if previous is None:
        held = dataset.series(indicator_id, code)
        why = (f"there is no figure for {window.frequency.label(gap)}" if not held.empty
               and held["period"].min() <= previous_window.start else
               f"figures start in {window.frequency.label(held['period'].min())}")
        return replace(base, reason=f"{why}, so it cannot be set against {previous_window.words()}")
    if _mixed(dataset, indicator_id, code, previous_window, window):
        return replace(base, reason=MIXED)
    phi, chance = _series_dispersion(dataset, indicator_id, window)
    current = base.count
    method, p_value = stats.change_test(current, previous, phi, chance)
    polarity = dataset.indicator(indicator_id)["polarity"]
    return replace(base, verdict=_change_verdict(p_value, current, previous, polarity),
                   previous_count=previous, p_value=p_value, method=method)


@per_dataset
def _series_dispersion(dataset, indicator_id: str, window: Window) -> tuple[float, float]:
    """The measure's dispersion up to the window's end since its latest break: the member areas'
    series pooled (kcsp.stats.pooled_dispersion), or the total's for a county-only measure. The
    window is included, as a quasi-Poisson model of the data includes it: a real change widens its
    own test a little, never narrows it."""
    ind = dataset.indicator(indicator_id)
    codes = dataset.members(indicator_id) if ind["geography"] == "district" else [dataset.total_code(indicator_id)]
    series = []
    for code in codes:
        periods, values, _ = _held(dataset, indicator_id, code)
        if periods.size == 0:
            continue
        stop = int(np.searchsorted(periods, np.datetime64(window.end, "ns"), side="right"))
        brk = _break_within(dataset, indicator_id, pd.Timestamp(periods[0]), window.end)
        first = int(np.searchsorted(periods, np.datetime64(brk.period, "ns"))) if brk is not None else 0
        series.append(values[first:stop])
    return stats.pooled_dispersion(series)


def _change(dataset, indicator_id: str, code: str, window: Window) -> Verdict:
    monthly = window.frequency.months == 1
    base = Verdict(indicator_id, code, dataset.area_name(code), CHANGE, "not-compared", window,
                   method=SPC if monthly else None)
    where, gap = _window_slice(dataset, indicator_id, code, window)
    if where is None:
        label = window.frequency.label(gap)
        return replace(base, reason=f"there is no figure for {label}, so the window is incomplete")
    current = float(_held(dataset, indicator_id, code)[1][where].sum())
    population = dataset.population_of(code, window.population_year)
    base = replace(base, count=current, population=population,
                   rate=stats.rate_per_1000(current, population) if population else None)
    if _mixed(dataset, indicator_id, code, window):
        return replace(base, reason=MIXED)
    if monthly:
        return _control_chart(dataset, indicator_id, code, window, base, where)
    return _tested(dataset, indicator_id, code, window, base)


def _comparisons(dataset, indicator_id: str, window: Window) -> list[Verdict]:
    ind = dataset.indicator(indicator_id)
    total_code = dataset.total_code(indicator_id)
    total_count, _ = _window_count(dataset, indicator_id, total_code, window)
    total_pop = dataset.population_of(total_code, window.population_year)
    benchmark = stats.rate_per_1000(total_count, total_pop) if total_count is not None and total_pop else None
    total_mixed = total_count is not None and _mixed(dataset, indicator_id, total_code, window)
    out = []
    for code in dataset.members(indicator_id):
        base = Verdict(indicator_id, code, dataset.area_name(code), COMPARISON, "not-compared", window,
                       benchmark=benchmark)
        count, gap = _window_count(dataset, indicator_id, code, window)
        pop = dataset.population_of(code, window.population_year)
        if count is None:
            out.append(replace(base, reason=f"there is no figure for {window.frequency.label(gap)}"))
        elif total_mixed or _mixed(dataset, indicator_id, code, window):
            out.append(replace(base, count=count, reason=MIXED))
        elif not pop or benchmark is None:
            out.append(replace(base, count=count, reason="no population estimate is held for the window"))
        else:
            out.append(replace(base, count=count, population=pop, rate=stats.rate_per_1000(count, pop)))
    judged = [v for v in out if v.rate is not None]
    if not judged:
        return out
    spread = stats.spread([v.rate for v in judged], [v.population for v in judged], benchmark)
    decided = {}
    for v in judged:
        if spread.overdispersed:
            lower, upper = stats.widened_interval(v.rate, benchmark, v.population, spread.tau2)
            method = FUNNEL_OVERDISPERSED
        else:
            lower, upper = stats.rate_interval(v.count, v.population)
            method = INTERVAL
        decided[v.area_code] = replace(v, verdict=_comparison_verdict(lower, upper, benchmark, ind["polarity"]),
                                       lower=lower, upper=upper, method=method, spread=spread)
    return [decided.get(v.area_code, v) for v in out]


def judge(dataset, indicator_id: str, start: pd.Timestamp | None = None,
          end: pd.Timestamp | None = None) -> tuple[Verdict, ...]:
    """Every verdict of an indicator for the window of a view: comparisons of each member area, then
    changes of each member area and of the total (county-only measures: the total's change only).

    Views whose choices come to the same window share one result."""
    window = window_for(dataset, indicator_id, start, end)
    if window is None:
        return _unjudged(dataset, indicator_id, asked_window(dataset, indicator_id, start, end))
    return _judge_window(dataset, indicator_id, window)


def warm(dataset) -> None:
    """Judge every indicator for its latest window now (at start-up), so no page pays for it later."""
    for indicator_id in dataset.indicators["indicator_id"]:
        judge(dataset, indicator_id)


@per_dataset
def _unjudged(dataset, indicator_id: str, window: Window | None) -> tuple[Verdict, ...]:
    """Not compared, for a view whose period holds no complete figure: each names the window asked for."""
    ind = dataset.indicator(indicator_id)
    reason = "there is no complete figure in the period chosen"
    codes = dataset.members(indicator_id) if ind["geography"] == "district" else []
    return tuple(
        [Verdict(indicator_id, c, dataset.area_name(c), COMPARISON, "not-compared", window, reason) for c in codes]
        + [Verdict(indicator_id, c, dataset.area_name(c), CHANGE, "not-compared", window, reason)
           for c in [*codes, dataset.total_code(indicator_id)]])


@per_dataset
def _judge_window(dataset, indicator_id: str, window: Window) -> tuple[Verdict, ...]:
    ind = dataset.indicator(indicator_id)
    total_code = dataset.total_code(indicator_id)
    if ind["geography"] != "district":
        return (_change(dataset, indicator_id, total_code, window),)
    judged = [*_comparisons(dataset, indicator_id, window),
              *[_change(dataset, indicator_id, code, window) for code in dataset.members(indicator_id)],
              _change(dataset, indicator_id, total_code, window)]
    if dataset.protected(indicator_id):
        judged = _for_public(dataset, indicator_id, window,
                             [replace(v, months_withheld=v.kind == CHANGE) for v in judged])
    return tuple(judged)


def disclosed(verdict: Verdict, *, reveal: bool) -> Verdict:
    """The verdict as a viewer may see it: for a small-number measure, the public's view of it
    (Verdict.for_public) unless `reveal`; a signed-in viewer sees the exact figures, a verdict the
    public may not see marked `shown_withheld`."""
    if verdict.for_public is None:
        return verdict
    if reveal:
        return replace(verdict, shown_withheld=True) if verdict.withheld else verdict
    return verdict.for_public


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
             "shown_withheld": v.shown_withheld, "rounded": v.disclosure != disclosure.EXACT}
            for v in verdicts if v.kind == COMPARISON]
    columns = ["area_code", "area_name", "count", "population", "rate", "lower", "upper", "verdict", "benchmark",
               "shown_withheld", "rounded"]
    return pd.DataFrame(rows, columns=columns).astype({c: "float64" for c in
                                                       ("count", "population", "rate", "lower", "upper", "benchmark")})


@per_dataset
def funnel(dataset, indicator_id: str, start=None, end=None, *, reveal: bool) -> pd.DataFrame:
    """The funnel limits around the benchmark of a view's comparisons, as this viewer may see them:
    the same decision as the verdicts (the intervals' limits, or the limits widened by tau^2 where
    the districts are overdispersed); for the public, from its benchmark and spread (kcsp.disclosure)."""
    comparisons = [v for v in verdicts(dataset, indicator_id, start, end, reveal=reveal) if v.kind == COMPARISON]
    benchmark = next((v.benchmark for v in comparisons if v.benchmark is not None), None)
    populations = [dataset.population_of(v.area_code, v.window.population_year) for v in comparisons if v.window]
    populations = [p for p in populations if p]
    if benchmark is None or not populations:
        return pd.DataFrame(columns=["population", "lower_95", "upper_95", "lower_99.8", "upper_99.8"])
    spread = funnel_spread(dataset, indicator_id, start, end, reveal=reveal)
    if spread is not None and spread.overdispersed:
        return stats.widened_funnel(benchmark, max(populations), spread.tau2)
    return stats.funnel_limits(benchmark, max(populations))


def funnel_spread(dataset, indicator_id: str, start=None, end=None, *, reveal: bool) -> stats.Spread | None:
    """Spiegelhalter's test of the view's districts as this viewer may see it (None when no district
    was compared)."""
    return next((v.spread for v in verdicts(dataset, indicator_id, start, end, reveal=reveal)
                 if v.kind == COMPARISON and v.spread is not None), None)


def spread_words(spread: stats.Spread | None, benchmark: float | None) -> str:
    """Whether the funnel's limits were widened, and by how much, in words."""
    if spread is None or benchmark is None:
        return ""
    if not spread.overdispersed:
        return (f"The districts vary no more than chance allows (dispersion {spread.phi:.2f} across "
                f"{spread.areas} areas), so the limits are the districts' own 95% and 99.8% intervals.")
    sd = stats.rate_se(benchmark, 100_000)
    return (f"The districts vary {spread.phi:.1f} times as much as chance allows (Spiegelhalter's method, "
            f"{spread.areas} areas), so the limits are widened for it: by a between-district standard deviation "
            f"of {spread.tau:.2f} per 1,000 (for 100,000 residents, the 95% limits move from "
            f"\u00b1{1.96 * sd:.2f} to \u00b1{1.96 * (sd ** 2 + spread.tau2) ** 0.5:.2f} per 1,000). A district "
            "outside them differs by more than the usual spread between districts.")


def control_frame(verdict: Verdict, polarity: str) -> pd.DataFrame:
    """The control chart behind an `spc` verdict, one row per month, as the chart draws it: period,
    value (seasonally adjusted where the chart is), mean, upper and lower process limits, baseline
    (the month is in it), rule (the strongest rule marking the month, blank for common cause),
    verdict (what its signal says: improving, worsening, rising or falling; blank for common cause)
    and adjusted. Empty for a verdict with no chart."""
    columns = ["period", "value", "mean", "upper", "lower", "baseline", "rule", "verdict", "adjusted"]
    chart, periods = verdict.chart, verdict.chart_periods
    if chart is None or periods is None:
        return pd.DataFrame(columns=columns)
    rules = [r[0] if r else "" for r in chart.rules]
    said = [_direction_verdict(d > 0, polarity) if d else "" for d in chart.directions]
    return pd.DataFrame({"period": periods, "value": chart.values, "mean": chart.mean, "upper": chart.upper,
                         "lower": max(chart.lower, 0.0), "baseline": np.arange(len(periods)) < chart.baseline,
                         "rule": rules, "verdict": said, "adjusted": chart.adjusted}, columns=columns)
