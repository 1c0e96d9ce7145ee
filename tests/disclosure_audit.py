"""The small-number audit: what an anonymous reader is sent about a partner measure, read as linear
constraints on the unknown true counts, and the range linear programming leaves each withheld count
and each sum of withheld counts.

A reader who is not signed in collects, through the Flask test client as a browser would:
- /api/observations.csv of every district and of the total, for the whole series: each period's
  figure and the rolling year's total;
- /api/judgements.csv and /api/district-comparison.csv for many windows (whole years ending at
  every period, and shorter windows): counts, the year before's counts, rates, intervals and the
  benchmark (the county's rate).

Each figure becomes what it tells the reader about the true counts (x >= 0, one per district and
period; the total of a period is the sum of its member districts):
- a figure given exactly: the sum of its cells equals it;
- rounded to the nearest 5: the sum lies within 2 of it (and, as counts of 1 to 4 are withheld,
  is at least 5);
- withheld as a count of 1 to 4: the sum lies from 1 to 4;
- derived (worked out from the published figures): nothing new, once the audit has worked it out
  itself from the published figures and found it equal (`Reader.check_derived`);
- a rate or a benchmark: the count it implies (rate x residents / 1,000) is a figure too; an
  interval must be the interval of the published count; a p-value must not be published at all
  (it is a precise function of the exact counts).
A CSV without the columns that say how a figure was made (the code before the rule of
kcsp.disclosure) is read as a reader would: a figure shown is exact, a blank one unknown.

Every constraint is checked against the true counts (a reading that the truth breaks is the
audit's own mistake). Then for each target (a withheld count: a cell or window whose true count
is 1 to 4; or a sum of such counts whose true value is 1 to 4, the only sums whose being worked
out would give a small count away), the smallest and largest feasible values are found by linear
programming (scipy's HiGHS); with `integer=True` by mixed-integer programming, the exact range of
whole counts. A target is pinned when one whole number only is feasible: that is a leak. Where
every constraint bounds a single cell (as kcsp.disclosure's rule leaves them), the optimum puts each
cell at its own bound, so after the first few hundred targets the rest are worked out so, and the
tests check that the solvers agree.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import random
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from kcsp import judgements, stats

BASE = 5
SMALL = range(1, 5)
TOLERANCE = 1e-6


def published_rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code in (200, 422), (url, response.status_code)
    if response.status_code != 200:
        return []
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def number(text: str | None) -> float | None:
    return None if text in (None, "") else float(text)


def month(text: str) -> pd.Timestamp:
    return pd.Timestamp(f"{text}-01")


@dataclass
class Reader:
    """What an anonymous reader knows about one measure: linear constraints on its true counts."""

    ds: object
    indicator_id: str
    areas: list[str]
    periods: pd.DatetimeIndex
    truth: np.ndarray
    held: np.ndarray
    rows: list[tuple[np.ndarray, float, float, str]] = field(default_factory=list)
    estimate: np.ndarray | None = None
    lowest: np.ndarray | None = None
    problems: list[str] = field(default_factory=list)
    derived_checked: int = 0

    @classmethod
    def of(cls, ds, indicator_id: str) -> Reader:
        areas = [c for c in ds.districts()["area_code"] if ds.has_data(indicator_id, c)]
        frames = {c: ds.series(indicator_id, c).set_index("period")["value"] for c in areas}
        first = min(f.index.min() for f in frames.values())
        last = max(f.index.max() for f in frames.values())
        periods = pd.date_range(first, last, freq=f"{ds.frequency(indicator_id).months}MS")
        grid = pd.DataFrame({c: f.reindex(periods) for c, f in frames.items()}).T
        return cls(ds, indicator_id, areas, periods, grid.fillna(0).to_numpy(dtype="float64"),
                   grid.notna().to_numpy())

    @cached_property
    def members(self) -> list[str]:
        return [c for c in self.ds.members(self.indicator_id) if c in self.areas]

    @cached_property
    def total_code(self) -> str:
        return self.ds.total_code(self.indicator_id)

    @cached_property
    def _position(self) -> dict[pd.Timestamp, int]:
        return {p: i for i, p in enumerate(self.periods)}

    def cells_of(self, area: str, first: pd.Timestamp, last: pd.Timestamp) -> np.ndarray:
        """Flat indexes of the cells a figure of `area` from `first` to `last` (periods) sums."""
        start = int(self.periods.searchsorted(first))
        stop = int(self.periods.searchsorted(last, side="right"))
        rows = [self.areas.index(c) for c in (self.members if area == self.total_code else [area])]
        n = len(self.periods)
        return (np.array(rows, dtype=int)[:, None] * n + np.arange(start, stop)[None, :]).ravel()

    def true_sum(self, cells: np.ndarray) -> float:
        return float(self.truth.ravel()[cells].sum())

    def add(self, cells: np.ndarray, low: float, high: float, where: str) -> None:
        true = self.true_sum(cells)
        if not low - TOLERANCE <= true <= high + TOLERANCE:
            self.problems.append(f"{where}: says {low:g} to {high:g}, but the true count is {true:g}")
        self.rows.append((cells, low, high, where))

    def figure(self, cells: np.ndarray | None, value: float | None, code: str | None, where: str) -> None:
        """What one published count says about the cells it sums (see the module docstring); `cells`
        None for a window reaching beyond the series, which can hold no figure."""
        if cells is None:
            if value is not None:
                self.problems.append(f"{where}: a figure {value:g} for periods not held")
            return
        if code is None:  # the code before kcsp.disclosure said how figures were made
            if value is not None:
                self.add(cells, value, value, where)
        elif code == "exact":
            if value is None:
                self.problems.append(f"{where}: an exact figure is blank")
            else:
                self.add(cells, value, value, where)
        elif code == "rounded":
            if value is None or value % BASE:
                self.problems.append(f"{where}: a rounded figure {value} is not a multiple of {BASE}")
            else:
                self.add(cells, max(value - 2, BASE if value >= BASE else 0), value + 2, where)
        elif code == "withheld":
            if value is not None:
                self.problems.append(f"{where}: a withheld figure is shown ({value:g})")
            self.add(cells, 1, 4, where)
        elif code in ("derived", "derived-withheld"):
            self.check_derived(cells, value, code, where)
        else:
            self.problems.append(f"{where}: unknown disclosure {code!r}")

    def read_observations(self, client) -> None:
        iid = self.indicator_id
        per_year = self.ds.frequency(iid).per_year
        for area in [*self.areas, self.total_code]:
            for r in published_rows(client, f"/api/observations.csv?indicator={iid}&area={area}"):
                period = month(r["period"])
                cells = self.cells_of(area, period, period)
                code = r.get("disclosure") or None
                value = number(r["value"])
                if area != self.total_code:
                    self.publish_cell(cells[0], value, code)
                self.figure(cells, value, code, f"observations {area} {r['period']}")
                if "rolling" in r and (r.get("rolling") or r.get("rolling_disclosure")):
                    first = self.ds.frequency(iid).step(period, -(per_year - 1))
                    self.figure(self.cells_of(area, first, period), number(r["rolling"]),
                                r.get("rolling_disclosure") or None, f"rolling {area} {r['period']}")

    def publish_cell(self, flat: int, value: float | None, code: str | None) -> None:
        """Note what one district's figure of one period adds to a derived figure and the least it can
        be (kcsp.disclosure's rule, worked out here again): NaN where it is not published."""
        if self.estimate is None:
            self.estimate = np.full(self.truth.size, np.nan)
            self.lowest = np.full(self.truth.size, np.nan)
        if code == "rounded":
            self.estimate[flat], self.lowest[flat] = (6.0 if value == BASE else value), BASE
        elif code == "withheld":
            self.estimate[flat], self.lowest[flat] = 2.5, 1
        elif code in (None, "exact") and value is not None:
            self.estimate[flat] = self.lowest[flat] = value

    def derive(self, cells: np.ndarray) -> tuple[float | None, str]:
        """The derived figure of kcsp.disclosure worked out again from the published cells alone:
        the sum of the published figures, a withheld one counted as 2.5 and a 5 as 6 (the middles of
        what they can be), rounded to the nearest 5;
        withheld when the published figures could sum to less than 5; 0 when every one is 0."""
        if self.estimate is None:
            return None, "unknown"
        held = self.held.ravel()[cells]
        estimate, lowest = self.estimate[cells].sum(), self.lowest[cells].sum()
        if not held.all() or np.isnan(estimate):
            return None, "unknown"
        if estimate == 0:
            return 0.0, "derived"
        if lowest < BASE:
            return None, "derived-withheld"
        return BASE * math.floor(estimate / BASE + 0.5), "derived"

    def check_derived(self, cells: np.ndarray, value: float | None, code: str, where: str) -> None:
        """A derived figure must be what the published cells give (a blank one publishes nothing)."""
        if value is None and code == "derived":
            return
        expected, expected_code = self.derive(cells)
        if expected_code == "unknown":
            if value is not None:
                self.problems.append(f"{where}: a derived figure whose parts are not all published")
        elif (expected_code, expected) != (code, value):
            self.problems.append(f"{where}: derived figure {value} ({code}) is not the sum of the published "
                                 f"figures ({expected}, {expected_code})")
        self.derived_checked += 1

    def read_judgements(self, client, windows: list[dict]) -> int:
        """Every row of /api/judgements.csv and /api/district-comparison.csv for each window."""
        read = 0
        for params in windows:
            query = "".join(f"&{k}={v}" for k, v in params.items())
            rows = published_rows(client, f"/api/judgements.csv?indicator={self.indicator_id}{query}")
            comparisons = [r for r in rows if r["kind"] == "comparison"]
            rows += [{**r, "kind": "comparison"} for r in
                     published_rows(client, f"/api/district-comparison.csv?indicator={self.indicator_id}{query}")]
            for r in rows:
                self.read_judgement(r, comparisons, f"{params} {r['kind']} {r['area_code']}")
                read += 1
        return read

    def read_judgement(self, r: dict, comparisons: list[dict], where: str) -> None:
        if not r.get("from") or not r.get("to"):
            return
        area, code = r["area_code"], r.get("disclosure") or None
        first, last = month(r["from"]), month(r["to"])
        cells = self.cells_of(area, first, last) if self.covers(first, last) else None
        count, rate, pop = number(r["count"]), number(r["rate"]), number(r["population"])
        earlier = None
        if r.get("previous_from"):
            before = month(r["previous_from"]), month(r["previous_to"])
            earlier = self.cells_of(area, *before) if self.covers(*before) else None
        if code == "derived-withheld":
            # a withheld verdict: no figure of its own, and withheld only as the published figures say
            if count is not None or rate is not None or number(r.get("previous_count")) is not None:
                self.problems.append(f"{where}: a withheld verdict shows a count or a rate")
            hidden = [c for c in (cells, earlier) if c is not None and self.derive(c)[1] == "derived-withheld"]
            if not hidden:
                self.problems.append(f"{where}: withheld though its published figures are not")
            self.derived_checked += 1
        else:
            self.figure(cells, count, code, f"judgements {where} count")
            if earlier is not None or number(r.get("previous_count")) is not None:
                self.figure(earlier, number(r["previous_count"]), code, f"judgements {where} previous count")
        if rate is not None:
            if pop is None or cells is None:
                self.problems.append(f"{where}: a rate without the residents or the count it is of")
            else:
                self.implied(cells, rate * pop / 1000, count, code, f"judgements {where} rate")
        benchmark = number(r.get("benchmark"))
        if benchmark is not None:
            total_cells = self.cells_of(self.total_code, first, last)
            year = judgements.Window(self.ds.frequency(self.indicator_id), first,
                                     self.periods[self.periods <= last][-1]).population_year
            implied = benchmark * self.ds.population_of(self.total_code, year) / 1000
            self.implied(total_cells, implied, self.derive(total_cells)[0], code, f"judgements {where} benchmark")
        if code is not None and code != "exact":
            if r.get("p_value"):
                self.problems.append(f"{where}: a p-value is published for figures that are not exact")
            self.check_interval(r, comparisons, where)
        elif code is None and count is None and (r.get("lower") or r.get("p_value")):
            self.problems.append(f"{where}: an interval or p-value of a withheld count")

    def covers(self, first: pd.Timestamp, last: pd.Timestamp) -> bool:
        """Whether every period from `first` to `last` is one the series spans."""
        return self.periods[0] <= first and last <= self.periods[-1]

    def implied(self, cells, implied: float, published: float | None, code: str | None, where: str) -> None:
        """A rate or benchmark: the count it implies is the published count, or says something new."""
        if code not in (None, "exact") and published is not None and abs(implied - published) < TOLERANCE * 1e3:
            return
        if code in (None, "exact"):
            whole = round(implied)
            self.add(cells, *((whole, whole) if abs(implied - whole) < 1e-3 else (implied, implied)), where)
        else:
            self.problems.append(f"{where}: implies a count of {implied:.6g}, not the published {published}")

    def check_interval(self, r: dict, comparisons: list[dict], where: str) -> None:
        """An interval of non-exact figures must be that of the published count: exact Poisson or
        Byar's, or (where the published rates spread more than chance allows) widened by tau^2."""
        lower, upper = number(r["lower"]), number(r["upper"])
        if lower is None:
            return
        count, pop, rate, benchmark = (number(r[k]) for k in ("count", "population", "rate", "benchmark"))
        shown = [(number(c["rate"]), number(c["population"])) for c in comparisons
                 if c["area_code"] != self.total_code and c.get("rate") and c.get("population")
                 and (c["from"], c["to"]) == (r["from"], r["to"])]
        candidates = [stats.rate_interval(count, pop)]
        if benchmark is not None and shown:
            spread = stats.spread([s[0] for s in shown], [s[1] for s in shown], benchmark)
            if spread.overdispersed:
                candidates.append(stats.widened_interval(rate, benchmark, pop, spread.tau2))
        if not any(abs(lower - lo) < 1e-6 and abs(upper - hi) < 1e-6 for lo, hi in candidates):
            self.problems.append(f"{where}: interval {lower:g} to {upper:g} is not that of the published count")

    def units(self, windows: list[tuple[pd.Timestamp, pd.Timestamp]]) -> list[tuple[str, np.ndarray, float]]:
        """The withheld counts to look for: every cell, every rolling year and every window asked
        for, of each district and the total, whose true count is 1 to 4."""
        freq = self.ds.frequency(self.indicator_id)
        spans = {(p, p) for p in self.periods}
        spans |= {(freq.step(p, -(freq.per_year - 1)), p) for p in self.periods[freq.per_year - 1:]}
        spans |= set(windows)
        found = []
        for area in [*self.areas, self.total_code]:
            for first, last in sorted(spans):
                cells = self.cells_of(area, first, last)
                if cells.size and self.true_sum(cells) in SMALL and self.held.ravel()[cells].all():
                    found.append((f"{area} {first:%Y-%m} to {last:%Y-%m}", cells, self.true_sum(cells)))
        return found

    def targets(self, units, *, most: int | None = None, seed: int = 22) -> list[tuple[str, np.ndarray]]:
        """Each withheld count, and the sums of withheld counts that could give one away: sums that
        add up to 1 to 4 of two to four counts over the same periods (districts side by side), and of
        two counts of one district within a year of each other that share no period. At most `most`
        sums (a seeded sample) when there are more."""
        n, per_year = len(self.periods), self.ds.frequency(self.indicator_id).per_year
        spans = [(int(u[1].min() % n), int(u[1].max() % n)) for u in units]
        rows = [frozenset((u[1] // n).tolist()) for u in units]
        groups: set[tuple[int, ...]] = set()
        by_span: dict[tuple[int, int], list[int]] = {}
        for i, span in enumerate(spans):
            by_span.setdefault(span, []).append(i)
        for same in by_span.values():
            for size in (2, 3, 4):
                groups |= {g for g in itertools.combinations(same, size)
                           if sum(units[i][2] for i in g) <= 4 and not frozenset.intersection(*(rows[i] for i in g))}
        for i, j in itertools.combinations(range(len(units)), 2):
            (a0, a1), (b0, b1) = spans[i], spans[j]
            if (rows[i] == rows[j] and len(rows[i]) == 1 and units[i][2] + units[j][2] <= 4
                    and (a1 < b0 or b1 < a0) and max(a1, b1) - min(a0, b0) < per_year):
                groups.add((i, j))
        sums = [(" + ".join(units[i][0] for i in g), np.concatenate([units[i][1] for i in g])) for g in sorted(groups)]
        if most is not None and len(sums) > most:
            sums = random.Random(seed).sample(sums, most)
        return [(name, cells) for name, cells, _ in units] + sums

    def matrix(self):
        size = self.truth.size
        data, ri, ci = [], [], []
        for i, (cells, _, _, _) in enumerate(self.rows):
            ri += [i] * len(cells)
            ci += list(cells)
            data += [1.0] * len(cells)
        a = sparse.csr_matrix((data, (ri, ci)), shape=(len(self.rows), size))
        low = np.array([r[1] for r in self.rows], dtype="float64")
        high = np.array([r[2] for r in self.rows], dtype="float64")
        return a, low, high

    def ranges(self, targets, *, integer: bool = False, solved: int = 300) -> list[tuple[str, float, float]]:
        """The smallest and largest value each target can take under everything published: by scipy's
        solvers, or, once `solved` targets have been solved, in closed form where every constraint
        bounds one cell (each cell then takes its own bound; the tests check the two agree)."""
        size = self.truth.size
        a, low, high = self.matrix()
        # a constraint on one cell is a bound on it: faster to solve, the same problem
        single = np.diff(a.indptr) == 1
        lb, ub = np.zeros(size), np.full(size, np.inf)
        for i in np.nonzero(single)[0]:
            c = a.indices[a.indptr[i]]
            lb[c], ub[c] = max(lb[c], low[i]), min(ub[c], high[i])
        lb[~self.held.ravel()] = ub[~self.held.ravel()] = 0
        multi, m_low, m_high = a[~single], low[~single], high[~single]
        stacked = sparse.vstack([multi, -multi]).tocsr() if multi.shape[0] else None
        rhs = np.r_[m_high, -m_low] if multi.shape[0] else None
        bounds = np.column_stack([lb, ub])
        constraints = [LinearConstraint(multi, m_low, m_high)] if multi.shape[0] else []
        out = []
        for k, (name, cells) in enumerate(targets):
            objective = np.bincount(cells, minlength=size).astype("float64")
            if not multi.shape[0] and k >= solved:
                # bounds only: the optimum puts each cell at its own bound (what the solver finds)
                used = objective > 0
                high = np.inf if np.isinf(ub[used]).any() else float(objective[used] @ ub[used])
                out.append((name, float(objective[used] @ lb[used]), high))
                continue
            found = []
            for sign in (1, -1):
                if integer:
                    result = milp(sign * objective, bounds=Bounds(lb, ub), integrality=np.ones(size),
                                  constraints=constraints)
                else:
                    result = linprog(sign * objective, A_ub=stacked, b_ub=rhs, bounds=bounds, method="highs")
                if result.status == 3 or (integer and result.status != 0 and "nbounded" in result.message):
                    found.append(sign * np.inf)
                else:
                    assert result.status == 0, (name, result.message)
                    found.append(sign * result.fun)
            out.append((name, found[0], found[1]))
        return out

    def leaks(self, targets, *, integer: bool = False, solved: int = 300) -> list[str]:
        """The targets pinned to one whole number from 1 to 4."""
        pinned = []
        for name, low, high in self.ranges(targets, integer=integer, solved=solved):
            first, last = math.ceil(low - TOLERANCE), math.floor(high + TOLERANCE)
            if first == last and first in SMALL:
                pinned.append(f"{name} = {first}")
        return pinned


def windows_to_read(ds, indicator_id: str, *, every: int = 1, short_to: int = 13) -> tuple[list[dict], list]:
    """The windows a reader asks the judgement CSVs for: the default; a year ending at every
    `every`-th period back from the latest (and each of the last 13); and windows of every shorter
    length ending at each of the last `short_to` periods. Returns the query parameters and the
    (first, last) periods."""
    freq = ds.frequency(indicator_id)
    total = ds.series(indicator_id)["period"]
    periods = list(total)
    ends = sorted(set(periods[::-1][::every]) | set(periods[-13:]))
    params, spans = [{}], []
    for end in ends:
        params.append({"to": f"{freq.last_month(end):%Y-%m}"})
        spans.append((freq.step(end, -(freq.per_year - 1)), end))
        if end in periods[-short_to:]:
            for length in range(1, freq.per_year):
                start = freq.step(end, -(length - 1))
                params.append({"from": f"{start:%Y-%m}", "to": f"{freq.last_month(end):%Y-%m}"})
                spans.append((start, end))
    return params, spans
