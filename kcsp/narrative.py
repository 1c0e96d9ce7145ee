"""Plain-English sentences built from computed figures (never from typed-in numbers)."""

from __future__ import annotations

import re

import pandas as pd

from kcsp import periods, stats
from kcsp.memo import per_dataset

DIRECTION_WORDS = {
    "better": "an improvement",
    "worse": "a deterioration",
    "no change": "little change",
    "up": "a rise (no better/worse judgement for this measure)",
    "down": "a fall (no better/worse judgement for this measure)",
    "unknown": "",
}


def fmt_count(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:,.0f}"


def fmt_month(period: pd.Timestamp | None) -> str:
    return "" if period is None or pd.isna(period) else f"{period:%b %Y}"


def fmt_window(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    if start is None or end is None:
        return ""
    return f"{start:%b %Y} to {end:%b %Y}"


def change_phrase(comparison: stats.Comparison) -> str:
    """'down 12.8% on the previous 12 months: 40,151 against 46,036', or why no change is given."""
    if comparison.percent is None:
        return f"No change is given: {comparison.reason or 'the previous period has no data'}."
    pct = comparison.percent
    if abs(pct) < 0.05:
        verb = "unchanged on"
    else:
        verb = f"{'up' if pct > 0 else 'down'} {abs(pct):.1f}% on"
    return (f"{verb} {comparison.basis}: {fmt_count(comparison.current)} "
            f"against {fmt_count(comparison.previous)}")


def change_sentence(comparison: stats.Comparison, polarity: str, unit: str) -> str:
    """A full sentence on the latest 12 months with its verdict."""
    if comparison.percent is None:
        return change_phrase(comparison)
    verdict = DIRECTION_WORDS[stats.direction(comparison.percent, polarity)]
    if comparison.current_start == comparison.current_end:
        window = fmt_month(comparison.current_end)
    else:
        window = fmt_window(comparison.current_start, comparison.current_end)
    text = f"{fmt_count(comparison.current)} {unit} in {window}, {change_phrase(comparison)}"
    return f"{text}: {verdict}." if verdict else f"{text}."


def fmt_rate(value: float) -> str:
    """A rate per 1,000: one decimal place, two below 1."""
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _window_text(comparison: stats.Comparison) -> str:
    """'the 12 months to October 2026' or 'October 2026' (a single-month comparison)."""
    start, end = comparison.current_start, comparison.current_end
    if start is None or end is None or start == end:
        return "" if end is None else f"{end:%B %Y}"
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return f"the {months} months to {end:%B %Y}"


def _earlier_text(comparison: stats.Comparison) -> str:
    """The window the current one is compared with, in words."""
    start, end = comparison.current_start, comparison.current_end
    if start == end:
        return f"{end - pd.DateOffset(years=1):%B %Y}"
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    before_end = start - pd.DateOffset(months=1)
    return f"the {months} months to {before_end:%B %Y}"


VERDICTS = {
    "better": "an improvement",
    "worse": "a deterioration",
    "no change": "little change",
    "up": "a rise this measure does not judge as better or worse",
    "down": "a fall this measure does not judge as better or worse",
}

STANDOUT_ORDER = (("Worse", False), ("Better", True), ("Higher", False), ("Lower", True))
"""Judgements named in the district sentence, and whether their districts are listed lowest rate first."""
MAX_NAMED = 3


def figure_sentence(name: str, area: str, unit: str, comparison: stats.Comparison) -> str:
    """What the figure was in the latest window."""
    return f"{name} in {area} stood at {fmt_count(comparison.current)} {unit} in {_window_text(comparison)}."


def year_earlier_sentence(comparison: stats.Comparison, polarity: str) -> str:
    """What it was a year earlier and the change, with its verdict in words."""
    if comparison.percent is None:
        return f"No comparison with a year earlier is given: {comparison.reason or 'there is no earlier data'}."
    pct = comparison.percent
    move = "unchanged" if abs(pct) < 0.05 else f"{'up' if pct > 0 else 'down'} {abs(pct):.1f}%"
    verdict = VERDICTS.get(stats.direction(pct, polarity), "")
    tail = f": {verdict}" if verdict else ""
    earlier = f"In {_earlier_text(comparison)} it was {fmt_count(comparison.previous)}"
    return f"{earlier}, so the latest figure is {move}{tail}."


def districts_sentence(breakdown: pd.DataFrame, total_label: str, selected_code: str | None = None) -> str | None:
    """The districts whose rate differs clearly from the total's (95% intervals), or the selected one's."""
    if breakdown.empty or breakdown["benchmark"].isna().all():
        return None
    total_rate = float(breakdown["benchmark"].dropna().iloc[0])
    benchmark = f"the {total_label} rate over the same period, {fmt_rate(total_rate)} per 1,000 residents"
    if selected_code is not None:
        mine = breakdown[breakdown["area_code"] == selected_code]
        if mine.empty:
            return None
        row = mine.iloc[0]
        if row["suppressed"]:
            return f"{row['area_name']}'s count is too small to publish, so its rate is not compared with {benchmark}."
        judgement = {"Similar": "similar to", "Higher": "higher than", "Lower": "lower than",
                     "Better": "better than", "Worse": "worse than"}.get(row["judgement"], "not compared with")
        return f"{row['area_name']}'s rate, {fmt_rate(row['rate'])} per 1,000 residents, is {judgement} {benchmark}."
    shown = breakdown[~breakdown["suppressed"] & breakdown["rate"].notna()]
    groups = []
    for judgement, ascending in STANDOUT_ORDER:
        names = list(shown.loc[shown["judgement"] == judgement].sort_values("rate", ascending=ascending)["area_name"])
        if not names:
            continue
        if len(names) > MAX_NAMED:
            rest = len(names) - MAX_NAMED
            listed = join_words([*names[:MAX_NAMED], f"{rest} other{'s' if rest > 1 else ''}"])
        else:
            listed = join_words(names)
        count = "one district is" if len(names) == 1 else f"{len(names)} districts are"
        groups.append(f"{count} {judgement.lower()} ({listed})")
    if not groups:
        return f"No district's rate differs clearly from {benchmark}."
    return f"Compared with {benchmark}, {join_words(groups)}."


def caveats_sentence(caveats: list[str]) -> str | None:
    return f"Caveats: {'; '.join(caveats)}." if caveats else None


def priority_narrative(dataset, priority_id: str, state, *, end: pd.Timestamp | None = None) -> list[str]:
    """Two to four plain-English sentences on a priority's headline measure (see _priority_narrative)."""
    return list(_priority_narrative(dataset, priority_id, state, end=end))


@per_dataset
def _priority_narrative(dataset, priority_id: str, state, *, end: pd.Timestamp | None = None) -> tuple[str, ...]:
    """Two to four plain-English sentences on a priority's headline measure, every figure computed.

    `state` is the view (district, from, to); `end` caps the period further (a meeting's data end).
    The sentences say what the figure was, what it was a year earlier and the change, the districts
    that stand out (or the chosen district against the total), and caveats: series breaks in the
    period, county-only figures and illustrative data.
    """
    priority = dataset.priority(priority_id)
    if priority is None:
        raise KeyError(priority_id)
    headline = priority["headline_indicator_id"]
    if not isinstance(headline, str) or not dataset.has_indicator(headline) or not dataset.has_data(headline):
        return ("No measure with data is recorded for this priority yet.",
                "Its actions and their latest status are listed with it.")
    ind = dataset.indicator(headline)
    stop = min((t for t in (state.end_ts, end) if t is not None), default=None)
    selected = dataset.area_code_for_slug(state.district)
    by_district = ind["geography"] == "district"
    own = bool(selected) and by_district and dataset.has_data(headline, selected)
    code = selected if own else dataset.total_code(headline)
    area = dataset.area_name(code)
    series = dataset.series(headline, code, state.start_ts, stop)
    caveats = []
    if series.empty:
        sentences = [f"No figures for {ind['name']} in {area} fall in the period chosen.",
                     "Choose a wider period to see how it has moved."]
    else:
        comparison = dataset.comparison(headline, code, state.start_ts, stop)
        if comparison.current is None:
            latest = series.iloc[-1]
            window = (latest["period"], latest["period"])
            sentences = [f"{ind['name']} in {area} stood at {fmt_count(latest['value'])} {ind['unit']} "
                         f"in {latest['period']:%B %Y}."]
        else:
            window = (comparison.current_start, comparison.current_end)
            sentences = [figure_sentence(ind["name"], area, ind["unit"], comparison)]
        sentences.append(year_earlier_sentence(comparison, ind["polarity"]))
        if by_district:
            breakdown = dataset.district_breakdown(headline, *window)
            focus = selected if selected and code == selected else None
            line = districts_sentence(breakdown, dataset.total_label(headline), focus)
            if line:
                sentences.append(line)
        first, last = series["period"].min(), series["period"].max()
        newest = min(t for t in (dataset.month_range()[1], stop) if t is not None)
        frequency = str(ind["frequency"])
        if periods.last_day(last, frequency) < newest:
            caveats.append(f"the latest {periods.NOUN[frequency]} held for this measure is "
                           f"{periods.label(last, frequency)}, while other measures run to {newest:%B %Y}")
        for brk in dataset.breaks(headline):
            if first < brk.period <= last:
                what = re.sub(r"\s*\(.*\)$", "", brk.label)
                caveats.append(f"the series changed in {brk.period:%B %Y} ({what}), so figures before and after "
                               "it are not comparable")
    if selected and code != selected:
        caveats.append(f"{dataset.area_name(selected)} has no separate figures for this measure, so the "
                       f"{area} figure is given")
    elif not by_district:
        caveats.append("the figures are held for the county as a whole only")
    real = series[~series["illustrative"]] if "illustrative" in series else series.iloc[0:0]
    if bool(ind["illustrative"]) and not real.empty and len(real) < len(series):
        caveats.append(f"only {len(real)} of the {len(series)} {periods.NOUN[str(ind['frequency'])]}s shown hold "
                       "real figures from partners; the others are illustrative, generated to stand in for data "
                       "that is not openly published")
    elif bool(ind["illustrative"]) and real.empty:
        caveats.append("the figures are illustrative, generated to stand in for data that is not openly published")
    line = caveats_sentence(caveats)
    if line:
        sentences.append(line)
    return tuple(sentences)
