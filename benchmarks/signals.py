"""False signals and detection of the verdict engine, on simulated series in which nothing changes.

What is simulated: a monthly count for each of 13 areas (the 12 Kent districts and Medway, at
populations of about 106,000 to 281,000) for 7 years, January to December: 2 years of history the
control chart needs before the first judged year, then 5 judged years. Every area has the same true
rate per 1,000 residents in every month (no change, no real difference between areas); a replicate
dataset draws one of three rates (SIZES), so the areas' mean monthly counts range from about 30 to
about 590 over the run. Six scenarios: month-to-month counts Poisson, or overdispersed (negative
binomial with variance / mean 1.6 or 2.0, the same dispersion at every size), each with or without
a seasonal factor of 1 + 15% x cos (peak in July, a year's factors averaging 1).

What is judged, for each area and judged year (the 12-month window ending each December), the way
kcsp.judgements does it, by calling kcsp.spc and kcsp.stats with judgements' own arguments
(`product_check` runs kcsp.judgements.judge on one replicate per scenario, through a real store,
and counts any verdict that differs):
- chart: the XmR chart of the months since CHART_POINTS before the window's end, baseline
  spc.baseline_size(points, 12), read at its last point (judgements._control_chart);
- funnel: the area's 12-month rate against the total's (the benchmark), by Spiegelhalter's spread
  test and the widened or the Poisson interval (judgements._comparisons);
- yearly: the months summed into yearly counts, as a yearly indicator holds them: the dispersion
  of the area's years before the judged one about a log-linear trend (too few years count as
  Poisson), then the quasi-Poisson or the exact test of the year against the year before
  (judgements._tested);
- old (reference, no longer a verdict): the exact conditional binomial test of the 12 months
  against the 12 before, p < 0.05.
A false signal is an area-year whose verdict is anything but no change / similar. The target: no
kind of verdict raises one for more than 5% of area-years.

Detection: the same series with the mean raised by 15% from a month spread over the calendar; each
month from then on the chart of the window ending that month is read, as the dashboard shows it
when that month is the latest; the months until the first high signal (the month of the step
counts as 1). Also the chart read at every month's end (not only December), with the rule that
fired, since the dashboard's window ends at whichever month is latest; and the yearly test again
with LONG_HISTORY years held before each judged year, as a yearly indicator's history may be.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import say
from kcsp import spc, stats
from kcsp.reference import register

SEED = 20260101
RESIDENTS = (134_000, 157_000, 118_000, 117_000, 106_000, 180_000, 121_000, 109_000, 152_000, 141_000, 134_000,
             116_000, 281_000)
"""Residents of the default partnership's local areas, rounded, in its register's order."""
AREAS = tuple(zip(register().local_codes(), RESIDENTS, strict=True))
TOTAL_CODE = register().force_code
POPULATIONS = np.array([p for _, p in AREAS], dtype="float64")
SIZES = (0.28, 0.75, 2.1)
"""Monthly rates per 1,000 residents a replicate may draw: mean counts 30-79, 80-211, 223-590."""
HISTORY_YEARS, JUDGED_YEARS = 2, 5
YEARS = HISTORY_YEARS + JUDGED_YEARS
FIRST_YEAR = 2017
AMPLITUDE, PEAK_MONTH = 0.15, 7
STEP = 0.15
STEP_HISTORY, HORIZON = 36, 24
LONG_HISTORY = 10
"""Years before each judged year in the yearly test's second reading (a yearly indicator's history)."""
TARGET = 0.05
WINDOW = 12
MONTHLY_INDICATOR, YEARLY_INDICATOR = "police-uk-burglary", "ons-drug-poisoning-deaths"
KINDS = ("chart", "funnel", "yearly", "old")
JUDGED_KINDS = ("chart", "funnel", "yearly")
KIND_NAMES = {"chart": "(a) change, control chart", "funnel": "(b) comparison, funnel",
              "yearly": "(c) yearly test", "old": "(d) old exact test"}
FULL = {"replicates": 200, "month_end_replicates": 40, "detection_replicates": 100}
QUICK = {"replicates": 30, "month_end_replicates": 10, "detection_replicates": 20}


@dataclass(frozen=True)
class Scenario:
    """How the months vary about their mean: variance / mean, and the seasonal amplitude."""

    name: str
    dispersion: float
    amplitude: float


SCENARIOS = tuple(Scenario(f"{name}{', seasonal' if amp else ''}", disp, amp)
                  for name, disp in (("Poisson", 1.0), ("dispersion 1.6", 1.6), ("dispersion 2.0", 2.0))
                  for amp in (0.0, AMPLITUDE))
DISPERSED_SEASONAL = SCENARIOS[-1]


def rng_for(scenario: Scenario, replicate: int, purpose: int = 0) -> np.random.Generator:
    """A generator of its own for each scenario, replicate and purpose: the same draws every run."""
    return np.random.default_rng([SEED, SCENARIOS.index(scenario), replicate, purpose])


def season(months: int, amplitude: float) -> np.ndarray:
    """The seasonal factor of each month of a series starting in January."""
    calendar = np.arange(months) % 12 + 1
    return 1 + amplitude * np.cos(2 * np.pi * (calendar - PEAK_MONTH) / 12)


def draw(rng: np.random.Generator, means: np.ndarray, dispersion: float) -> np.ndarray:
    """Counts with these means: Poisson, or negative binomial with variance dispersion x mean."""
    if dispersion == 1:
        return rng.poisson(means).astype("float64")
    return rng.negative_binomial(means / (dispersion - 1), 1 / dispersion).astype("float64")


def monthly_counts(rng: np.random.Generator, scenario: Scenario, rate: float, months: int = YEARS * 12,
                   step_at: np.ndarray | None = None) -> np.ndarray:
    """Areas x months of counts at one true rate per 1,000 residents; from `step_at` (one month per
    area) on, the mean is STEP higher."""
    means = POPULATIONS[:, None] * rate / 1000 * season(months, scenario.amplitude)[None, :]
    if step_at is not None:
        means = means * np.where(np.arange(months)[None, :] >= np.asarray(step_at)[:, None], 1 + STEP, 1)
    return draw(rng, means, scenario.dispersion)


def replicate(scenario: Scenario, index: int) -> tuple[float, np.ndarray]:
    """Replicate dataset `index` of a scenario: its rate and its counts."""
    rate = SIZES[index % len(SIZES)]
    return rate, monthly_counts(rng_for(scenario, index), scenario, rate)


def chart_at(values: np.ndarray, end: int) -> spc.Chart:
    """The control chart of the window ending at month `end` (judgements._control_chart, no breaks)."""
    first = max(0, end - spc.CHART_POINTS + 1)
    return spc.read(values[first:end + 1], first % 12 + 1, WINDOW, values[:first])


def funnel_signals(counts: np.ndarray) -> tuple[np.ndarray, stats.Spread]:
    """Which areas' window counts a comparison with the benchmark judges not similar, and the
    areas' spread (judgements._comparisons: the benchmark is the total's rate, the total being the
    areas' sum)."""
    benchmark = stats.rate_per_1000(float(counts.sum()), float(POPULATIONS.sum()))
    rates = [stats.rate_per_1000(float(c), float(p)) for c, p in zip(counts, POPULATIONS, strict=True)]
    spread = stats.spread(rates, POPULATIONS, benchmark)
    out = np.zeros(counts.size, dtype=bool)
    for i, (count, rate, pop) in enumerate(zip(counts, rates, POPULATIONS, strict=True)):
        if spread.overdispersed:
            lower, upper = stats.widened_interval(rate, benchmark, float(pop), spread.tau2)
        else:
            lower, upper = stats.rate_interval(float(count), float(pop))
        out[i] = not lower <= benchmark <= upper
    return out, spread


def yearly_signal(years: np.ndarray, dispersion: tuple[float, float]) -> tuple[bool, bool]:
    """Whether the last of these yearly counts differs from the one before, and whether the
    quasi-Poisson test judged it (judgements._tested: `dispersion` is every area's years to the one
    judged, pooled)."""
    method, p_value = stats.change_test(float(years[-1]), float(years[-2]), *dispersion)
    return p_value < stats.SIGNIFICANCE, method == "overdispersed-test"


def area_year_signals(counts: np.ndarray, kinds: tuple[str, ...] = KINDS) -> dict[str, np.ndarray]:
    """For each kind, areas x judged years: whether the verdict of the window ending that December
    signals; "rule" holds the chart's rule and direction ("" when none), "widened" whether the
    funnel was widened for overdispersion, "phi" the spread test's phi (the same for every area of
    a year), "quasi" whether the yearly test was the quasi-Poisson one."""
    areas = counts.shape[0]
    yearly = counts.reshape(areas, -1, 12).sum(axis=2)
    judged = range(HISTORY_YEARS, yearly.shape[1])
    out = {kind: np.zeros((areas, len(judged)), dtype=bool) for kind in kinds}
    rules = np.full((areas, len(judged)), "", dtype=object)
    widened, quasi = np.zeros((areas, len(judged)), dtype=bool), np.zeros((areas, len(judged)), dtype=bool)
    phi = np.full((areas, len(judged)), np.nan)
    pooled = {year: stats.pooled_dispersion(yearly[:, :year + 1]) for year in judged} if "yearly" in kinds else {}
    for j, year in enumerate(judged):
        if "funnel" in kinds:
            out["funnel"][:, j], spread = funnel_signals(yearly[:, year])
            widened[:, j], phi[:, j] = spread.overdispersed, spread.phi
        for a in range(areas):
            if "chart" in kinds:
                c = chart_at(counts[a], year * 12 + 11)
                out["chart"][a, j] = c.signal is not None
                rules[a, j] = f"{c.signal} {'high' if c.direction > 0 else 'low'}" if c.signal else ""
            if "yearly" in kinds:
                out["yearly"][a, j], quasi[a, j] = yearly_signal(yearly[a, :year + 1], pooled[year])
            if "old" in kinds:
                out["old"][a, j] = stats.change_p_value(yearly[a, year], yearly[a, year - 1]) < stats.SIGNIFICANCE
    out["rule"], out["widened"], out["phi"], out["quasi"] = rules, widened, phi, quasi
    return out


def false_signals(scenario: Scenario, replicates: int, kinds: tuple[str, ...] = KINDS) -> dict:
    """Every kind's signals over `replicates` datasets of a scenario, stacked: replicates x areas x years."""
    results = [area_year_signals(replicate(scenario, i)[1], kinds) for i in range(replicates)]
    return {key: np.stack([r[key] for r in results]) for key in results[0]}


def long_yearly_signals(scenario: Scenario, replicates: int) -> tuple[np.ndarray, np.ndarray]:
    """The yearly test with LONG_HISTORY years before each judged year: signal and whether the
    quasi-Poisson test judged, each replicates x areas x judged years."""
    signal = np.zeros((replicates, len(AREAS), JUDGED_YEARS), dtype=bool)
    quasi = np.zeros_like(signal)
    for r in range(replicates):
        rate = SIZES[r % len(SIZES)]
        counts = monthly_counts(rng_for(scenario, r, purpose=3), scenario, rate, 12 * (LONG_HISTORY + JUDGED_YEARS))
        yearly = counts.reshape(len(AREAS), -1, 12).sum(axis=2)
        for j in range(JUDGED_YEARS):
            pooled = stats.pooled_dispersion(yearly[:, :LONG_HISTORY + j + 1])
            for a in range(len(AREAS)):
                signal[r, a, j], quasi[r, a, j] = yearly_signal(yearly[a, :LONG_HISTORY + j + 1], pooled)
    return signal, quasi


def month_end_signals(scenario: Scenario, replicates: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The chart read at the end of every month of the judged years: signal (bool), rule names and
    the calendar month, each replicates x areas x months."""
    months = range(HISTORY_YEARS * 12, YEARS * 12)
    shape = (replicates, len(AREAS), len(months))
    signal, rules = np.zeros(shape, dtype=bool), np.full(shape, "", dtype=object)
    for r in range(replicates):
        counts = replicate(scenario, r)[1]
        for a in range(len(AREAS)):
            for j, end in enumerate(months):
                c = chart_at(counts[a], end)
                signal[r, a, j] = c.signal is not None
                rules[r, a, j] = f"{c.signal} {'high' if c.direction > 0 else 'low'}" if c.signal else ""
    calendar = np.broadcast_to(np.array([m % 12 + 1 for m in months]), shape)
    return signal, rules, calendar


def detection(scenario: Scenario, replicates: int) -> dict:
    """Months from a 15% step until the chart of the latest window first signals high (and the old
    test first finds a significant rise), for every area of `replicates` datasets; NaN when not
    within HORIZON months."""
    chart_months, old_months = [], []
    months = STEP_HISTORY + 11 + HORIZON
    for r in range(replicates):
        rate = SIZES[r % len(SIZES)]
        step_at = STEP_HISTORY + (np.arange(len(AREAS)) + r * len(AREAS)) % 12
        counts = monthly_counts(rng_for(scenario, r, purpose=1), scenario, rate, months, step_at)
        for a, start in enumerate(step_at):
            found_chart = found_old = math.nan
            for end in range(start, start + HORIZON):
                if math.isnan(found_chart):
                    c = chart_at(counts[a], end)
                    if c.signal is not None and c.direction > 0:
                        found_chart = end - start + 1
                if math.isnan(found_old):
                    now, before = counts[a, end - 11:end + 1].sum(), counts[a, end - 23:end - 11].sum()
                    if now > before and stats.change_p_value(now, before) < stats.SIGNIFICANCE:
                        found_old = end - start + 1
                if not (math.isnan(found_chart) or math.isnan(found_old)):
                    break
            chart_months.append(found_chart)
            old_months.append(found_old)
    return {"chart": np.array(chart_months), "old": np.array(old_months)}


def median_months(months: np.ndarray) -> float:
    """The median of months to detection, counting series never detected as later than any (inf)."""
    return float(np.median(np.where(np.isnan(months), np.inf, months)))


def within(months: np.ndarray, limit: int = 12) -> float:
    return float((months <= limit).mean())


def product_tables(counts: np.ndarray, today: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The store's tables for one replicate: the reference tables, its months as the monthly
    indicator, their yearly sums as the yearly indicator, and the simulated populations in every year."""
    from kcsp.reference import reference_tables

    tables = reference_tables(today)
    months = pd.date_range(f"{FIRST_YEAR}-01-01", periods=counts.shape[1], freq="MS")
    years = pd.date_range(f"{FIRST_YEAR}-01-01", periods=counts.shape[1] // 12, freq="12MS")
    yearly = counts.reshape(counts.shape[0], -1, 12).sum(axis=2)
    rows = [(MONTHLY_INDICATOR, code, m, int(v)) for (code, _), series in zip(AREAS, counts, strict=True)
            for m, v in zip(months, series, strict=True)]
    rows += [(YEARLY_INDICATOR, code, y, int(v)) for (code, _), series in zip(AREAS, yearly, strict=True)
             for y, v in zip(years, series, strict=True)]
    tables["observations"] = pd.DataFrame(rows, columns=["indicator_id", "area_code", "period", "value"])
    held = range(FIRST_YEAR - 10, today.year + 1)
    people = [*AREAS, (TOTAL_CODE, int(POPULATIONS.sum()))]
    tables["population"] = pd.DataFrame([(code, year, pop, "mid-year-estimate") for code, pop in people
                                         for year in held], columns=["area_code", "year", "population", "method"])
    return tables


def product_signals(counts: np.ndarray) -> dict[str, np.ndarray]:
    """The same area-year signals from kcsp.judgements.judge, through a store written and read back."""
    from kcsp import judgements
    from kcsp.queries import Dataset
    from kcsp.store import Store

    today = pd.Timestamp(f"{FIRST_YEAR + YEARS}-02-01")
    with tempfile.TemporaryDirectory(prefix="kcsp-signals-") as folder:
        store = Store(Path(folder))
        store.write(product_tables(counts, today))
        dataset = Dataset(store.read_all(), today=today)
    codes = [code for code, _ in AREAS]
    if dataset.members(MONTHLY_INDICATOR) != codes:
        raise RuntimeError(f"the monthly indicator's areas are {dataset.members(MONTHLY_INDICATOR)}")
    out = {kind: np.zeros((len(AREAS), JUDGED_YEARS), dtype=bool) for kind in JUDGED_KINDS}
    for j in range(JUDGED_YEARS):
        year = FIRST_YEAR + HISTORY_YEARS + j
        expected = {"chart": (judgements.SPC,), "funnel": (judgements.INTERVAL, judgements.FUNNEL_OVERDISPERSED),
                    "yearly": (judgements.EXACT_TEST, judgements.OVERDISPERSED_TEST)}
        for indicator, end in ((MONTHLY_INDICATOR, f"{year}-12-01"), (YEARLY_INDICATOR, f"{year}-01-01")):
            for v in judgements.judge(dataset, indicator, end=pd.Timestamp(end)):
                if v.area_code not in codes:
                    continue
                kind = ("funnel" if v.kind == judgements.COMPARISON else
                        "chart" if indicator == MONTHLY_INDICATOR else "yearly")
                if indicator == YEARLY_INDICATOR and v.kind == judgements.COMPARISON:
                    continue
                if v.method not in expected[kind]:
                    raise RuntimeError(f"{indicator} {v.area_code} {year}: {v.kind} {v.verdict} ({v.reason})")
                out[kind][codes.index(v.area_code), j] = v.judged
    return out


def product_check(scenario: Scenario, index: int = 0) -> tuple[int, int]:
    """How many area-year verdicts of one replicate differ between this module and judgements.judge,
    and how many of the product's verdicts were signals."""
    counts = replicate(scenario, index)[1]
    ours, theirs = area_year_signals(counts, JUDGED_KINDS), product_signals(counts)
    return (int(sum((ours[kind] != theirs[kind]).sum() for kind in JUDGED_KINDS)),
            int(sum(theirs[kind].sum() for kind in JUDGED_KINDS)))


def percent(share: float) -> str:
    return "-" if math.isnan(share) else f"{share * 100:.1f}%"


def markdown(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _rule_counts(rules: np.ndarray) -> dict[str, int]:
    names, counts = np.unique(rules[rules != ""].astype(str), return_counts=True)
    return {str(n): int(c) for n, c in sorted(zip(names, counts, strict=True), key=lambda p: -p[1])}


def _share(signal: np.ndarray, where: np.ndarray) -> float:
    return float(signal[where].mean()) if where.any() else math.nan


def _by_size(signal: np.ndarray) -> list[float]:
    """The share of area-years signalling in the replicates of each size (replicates first axis)."""
    return [float(signal[i::len(SIZES)].mean()) for i in range(len(SIZES))]


def run(replicates: int = FULL["replicates"], month_end_replicates: int = FULL["month_end_replicates"],
        detection_replicates: int = FULL["detection_replicates"]) -> dict:
    """Measure every scenario, print the tables and return the figures."""
    started = time.perf_counter()
    results = {"replicates": replicates, "area_years": replicates * len(AREAS) * JUDGED_YEARS,
               "month_end_replicates": month_end_replicates, "detection_replicates": detection_replicates,
               "scenarios": []}
    for scenario in SCENARIOS:
        found = false_signals(scenario, replicates)
        ends, end_rules, calendar = month_end_signals(scenario, month_end_replicates)
        by_month = {int(m): float(ends[calendar == m].mean()) for m in range(1, 13)}
        found_detection = detection(scenario, detection_replicates)
        long_yearly, long_quasi = long_yearly_signals(scenario, replicates)
        mismatches, checked_signals = product_check(scenario)
        row = {
            "scenario": scenario.name, "dispersion": scenario.dispersion, "amplitude": scenario.amplitude,
            "rates": {kind: float(found[kind].mean()) for kind in KINDS},
            "meets": {kind: bool(found[kind].mean() <= TARGET) for kind in JUDGED_KINDS},
            "chart_by_size": _by_size(found["chart"]),
            "december_rules": _rule_counts(found["rule"]),
            "month_end_rate": float(ends.mean()), "month_end_by_month": by_month,
            "month_end_rules": _rule_counts(end_rules),
            "detection_median_months": median_months(found_detection["chart"]),
            "detected_within_12": within(found_detection["chart"]),
            "old_detected_within_12": within(found_detection["old"]),
            "detection_series": int(found_detection["chart"].size),
            "product_mismatches": mismatches, "product_area_years": len(AREAS) * JUDGED_YEARS * len(JUDGED_KINDS),
            "product_signals": checked_signals,
            "funnel_widened": float(found["widened"].mean()),
            "funnel_mean_phi": float(found["phi"].mean()),
            "funnel_given_widened": _share(found["funnel"], found["widened"]),
            "funnel_given_poisson": _share(found["funnel"], ~found["widened"]),
            "yearly_quasi": float(found["quasi"].mean()),
            "yearly_given_quasi": _share(found["yearly"], found["quasi"]),
            "yearly_given_exact": _share(found["yearly"], ~found["quasi"]),
            "yearly_long": float(long_yearly.mean()), "yearly_long_quasi": float(long_quasi.mean()),
        }
        results["scenarios"].append(row)
        say(f"{scenario.name}: " + ", ".join(f"{kind} {percent(row['rates'][kind])}" for kind in KINDS)
            + f"; product check {mismatches} of {row['product_area_years']} verdicts differ"
            + f" ({time.perf_counter() - started:.0f} s)")
    results["elapsed_s"] = time.perf_counter() - started
    say("")
    say(report(results))
    return results


def report(results: dict) -> str:
    """The markdown tables of a run."""
    rows = []
    for s in results["scenarios"]:
        misses = [KIND_NAMES[k].split(" ", 1)[0] for k in JUDGED_KINDS if not s["meets"][k]]
        rows.append([s["scenario"], results["area_years"], *(percent(s["rates"][k]) for k in KINDS),
                     "meets" if not misses else f"MISSES: {', '.join(misses)}"])
    false_table = markdown(["scenario", "area-years", *(KIND_NAMES[k] for k in KINDS),
                            f"target: (a)-(c) <= {TARGET:.0%}"], rows)
    detect_rows = [[s["scenario"], s["detection_series"],
                    "> 24" if math.isinf(s["detection_median_months"]) else f"{s['detection_median_months']:g}",
                    percent(s["detected_within_12"]), percent(s["old_detected_within_12"])]
                   for s in results["scenarios"]]
    detect_table = markdown(["scenario", "series", "chart: median months to signal",
                             "chart: detected within 12 months", "old test: detected within 12 months"], detect_rows)
    size_words = [f"{POPULATIONS.min() * r / 1000:.0f}-{POPULATIONS.max() * r / 1000:.0f}" for r in SIZES]
    chart_rows = []
    for s in results["scenarios"]:
        worst = max(s["month_end_by_month"], key=s["month_end_by_month"].get)
        top = ", ".join(f"{rule} {n}" for rule, n in list(s["month_end_rules"].items())[:3]) or "-"
        chart_rows.append([s["scenario"], *(percent(x) for x in s["chart_by_size"]), percent(s["rates"]["chart"]),
                           percent(s["month_end_rate"]),
                           f"{pd.Timestamp(2000, worst, 1):%b} {percent(s['month_end_by_month'][worst])}", top])
    chart_table = markdown(["scenario", *(f"Dec, counts {w}/month" for w in size_words), "Dec, all",
                            "every month's end", "worst month", "commonest rules (every month's end)"], chart_rows)
    method_rows = [[s["scenario"], f"{s['funnel_mean_phi']:.2f}", percent(s["funnel_widened"]),
                    percent(s["funnel_given_widened"]), percent(s["funnel_given_poisson"]), percent(s["yearly_quasi"]),
                    percent(s["yearly_given_quasi"]), percent(s["yearly_given_exact"]), percent(s["yearly_long_quasi"]),
                    percent(s["yearly_long"])] for s in results["scenarios"]]
    method_table = markdown(["scenario", "funnel: mean phi", "funnel widened (overdispersion found)", "false, widened",
                             "false, Poisson interval", "yearly: quasi-Poisson test", "false, quasi-Poisson",
                             "false, exact test", f"yearly, {LONG_HISTORY} years before: quasi-Poisson test",
                             f"yearly, {LONG_HISTORY} years before: false"], method_rows)
    checks = sum(s["product_mismatches"] for s in results["scenarios"])
    checked = sum(s["product_area_years"] for s in results["scenarios"])
    signalled = sum(s["product_signals"] for s in results["scenarios"])
    return "\n\n".join([
        f"False signals per area-year ({results['replicates']} replicate datasets x {len(AREAS)} areas x "
        f"{JUDGED_YEARS} judged years per scenario):", false_table,
        f"Detection of a {STEP:.0%} step by the control chart read each month ({results['detection_replicates']} "
        f"replicates x {len(AREAS)} areas per scenario):", detect_table,
        f"Control chart false signals by size and month of the window's end ({results['month_end_replicates']} "
        "replicates for every month's end):", chart_table,
        "Which method judged, and its false signals (share of the area-years above; the last two columns: the "
        f"yearly test of the same number of area-years with {LONG_HISTORY} years held before each judged one):",
        method_table,
        f"Product check: {checks} of {checked} verdicts ({signalled} of them signals) differ from "
        "kcsp.judgements.judge (one replicate per scenario, through a store)."])
