"""Plain-English sentences built from computed figures (never from typed-in numbers)."""

from __future__ import annotations

import pandas as pd

from kcsp import stats

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
