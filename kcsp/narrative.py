"""Plain-English sentences built from computed figures and the verdicts of kcsp.judgements.

A sentence is a tuple of parts: text, or a `Mention` of a verdict (the words that carry it, and
the verdict itself), so that a page can mark every verdict it states as an element with the
verdict's data, and a PDF or CSV can join the parts as plain text. No verdict is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from kcsp import judgements, spc
from kcsp.disclosure import DERIVED, EXACT
from kcsp.judgements import CHANGE, COMPARISON, EXACT_TEST, FUNNEL_OVERDISPERSED, OVERDISPERSED_TEST, SPC, Verdict
from kcsp.memo import per_dataset
from kcsp.vocabulary import term


@dataclass(frozen=True)
class Mention:
    """Words in a sentence that state a verdict."""

    verdict: Verdict
    text: str


Part = str | Mention
Sentence = tuple[Part, ...]

MAX_NAMED = 3
WITHHELD = "withheld (small numbers)"


CHANGE_METHOD = (
    "Change: a monthly measure is read from its control chart (an XmR chart, as NHS England's Making Data Count "
    "draws it): special cause only when a month falls beyond the process limits, two of three months lie near a "
    "limit, seven or more months sit on one side of the mean, or seven or more each rise or fall; otherwise its "
    "variation is common cause, shown as no significant change. Quarterly and yearly counts are tested against "
    "the same periods a year before, allowing for the dispersion of the series itself. A window's count beside "
    "the same months a year before describes it; it is not the verdict.")
COMPARISON_METHOD = (
    "Comparison: each district's rate per 1,000 residents against the county's, by funnel plot: 95% intervals "
    "(exact below 10 events, Byar's method from 10), widened by Spiegelhalter's method where districts vary more "
    "than chance allows.")
CHANGE_SHORT = "change: control charts for monthly measures, tests against the year before for others"


def plain(sentence: Sentence) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in sentence)


def word(verdict: Verdict) -> str:
    return term(verdict.kind, verdict.verdict).word


def fmt_count(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:,.0f}"


def fmt_rate(value: float) -> str:
    """A rate per 1,000: two decimal places, three significant figures below 0.1."""
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3g}"


def fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _move(percent: float | None) -> str:
    if percent is None:
        return ""
    if round(percent, 1) == 0:
        return ", no change"
    return f", {'up' if percent > 0 else 'down'} {abs(percent):.1f}%"


def chart_words(v: Verdict) -> str:
    """What a control chart's latest month shows, in words."""
    adjusted = "; months seasonally adjusted" if v.chart is not None and v.chart.adjusted else ""
    if v.signal:
        return f"special cause variation, {spc.RULE_WORDS[v.signal]}{adjusted}"
    return f"common cause variation only{adjusted}"


def _p_words(v: Verdict) -> str:
    """The p-value in words; for figures published rounded, that it is not published (it is a
    precise function of the exact counts, kcsp.disclosure)."""
    if v.p_value is None or v.disclosure != EXACT:
        return "p-value not published (small numbers)"
    return fmt_p(v.p_value)


def method_words(v: Verdict) -> str:
    """How a verdict was decided, in words (blank for one not made)."""
    if v.method == SPC and v.verdict not in (None, "not-compared"):
        return f"control chart: {chart_words(v)}"
    if v.method == EXACT_TEST and v.verdict not in (None, "not-compared"):
        return f"exact test, {_p_words(v)}"
    if v.method == OVERDISPERSED_TEST and v.verdict not in (None, "not-compared"):
        return f"test allowing for the measure's own overdispersion, {_p_words(v)}"
    if v.method == FUNNEL_OVERDISPERSED and v.spread is not None:
        return (f"95% funnel widened because districts vary {v.spread.phi:.1f} times as much as chance "
                "allows")
    return ""


def method_short(v: Verdict) -> str:
    """How a verdict was decided, in a few words (blank for one not made)."""
    if v.method == SPC and v.verdict not in (None, "not-compared"):
        return f"control chart: {spc.RULE_SHORT[v.signal]}" if v.signal else "control chart: common cause"
    return method_words(v) if v.method in (EXACT_TEST, OVERDISPERSED_TEST) else ""


def figures_mark(v: Verdict, *, short: bool = False) -> str:
    """What a verdict's figures are, beside them: rounded for the public, exact and not for
    publication for a signed-in viewer of a small-number measure (kcsp.disclosure); blank for exact
    figures the public sees too. `short`: in a word or two, for slides and covers."""
    if v.shown_withheld:
        return " (withheld from the public)" if short else " (figures withheld from the public)"
    if v.for_public is not None:
        return " (not public)" if short else " (exact figures, not for publication)"
    if v.disclosure == DERIVED:
        return " (rounded)" if short else " (counts rounded to the nearest 5)"
    return ""


def change_short(v: Verdict) -> str:
    """The change in a few words, for slides and covers: the count against the same months a year
    before, the change in per cent, and how the verdict was reached."""
    if v.verdict is None or v.count is None or v.window is None:
        return v.reason or WITHHELD
    if v.verdict == "not-compared":
        return v.reason or "not compared"
    before = "the year before" if v.window.full else f"the same {v.window.frequency.noun}s a year before"
    figures = (f"{fmt_count(v.count)} against {fmt_count(v.previous_count)} {before}{_move(v.percent)}"
               if v.previous_count is not None else f"{fmt_count(v.count)}, no comparable year before")
    figures += figures_mark(v, short=True)
    how = method_short(v)
    return f"{figures}; {how}" if how else figures


def chance_words(judged: int | None, by_chance: float | None) -> str:
    """How many changes a list judged and how many signals chance alone would give among them."""
    if judged is None or by_chance is None:
        return ""
    return (f"{judged} change{'s were' if judged != 1 else ' was'} judged; with no real change anywhere, tests "
            f"at 5% would still flag about {by_chance:.1f} of them, so a signal is listed only where it stands "
            "with the false discovery rate held at 5% (Benjamini-Hochberg).")


def change_figures(v: Verdict) -> str:
    """The window's count beside the same periods a year before: both counts and the change in per
    cent (a description; the verdict is the method's)."""
    if v.verdict is None:
        return v.reason or WITHHELD
    if v.count is None or v.window is None:
        return v.reason or "not compared"
    now = f"{fmt_count(v.count)} in {v.window.words()}"
    if v.previous_count is None:
        return f"{now} (no comparable figures a year before){figures_mark(v)}"
    return (f"{now}, against {fmt_count(v.previous_count)} in {v.window.previous_words()}{_move(v.percent)}"
            f"{figures_mark(v)}")


def change_sentence(v: Verdict, unit: str) -> Sentence:
    """The change of one area, with both counts, in words: the figures, then the verdict and how it
    was reached."""
    if v.verdict is None:
        return (f"Change in {v.area_name}: {v.reason or WITHHELD}.",)
    if v.window is None:
        return (Mention(v, word(v)), f": {v.reason}.")
    if v.verdict == "not-compared":
        figure = f"{fmt_count(v.count)} {unit} in {v.window.words()}{figures_mark(v)}; " if v.count is not None else ""
        return (f"{v.area_name}: {figure}", Mention(v, "not compared with an earlier period"), f": {v.reason}.")
    figures = change_figures(v).replace(" in ", f" {unit} in ", 1)
    said = word(v).lower() if v.verdict == "no-significant-change" else word(v)
    if v.method == SPC:
        return (f"{v.area_name}: {figures}. Its control chart to {v.window.frequency.label(v.window.end)}: ",
                Mention(v, said), f" ({chart_words(v)}).")
    return (f"{v.area_name}: {figures}: ", Mention(v, said), f" ({method_words(v)}).")


def comparison_sentence(v: Verdict, total_label: str) -> Sentence:
    """One area's rate against its benchmark, in words."""
    if v.verdict is None:
        return (f"{v.area_name}'s rate is {v.reason or WITHHELD}.",)
    if v.verdict == "not-compared" or v.window is None:
        return (f"{v.area_name}'s rate is ", Mention(v, "not compared"), f" with {total_label}'s: {v.reason}.")
    mark = figures_mark(v)
    widened = f"; {method_words(v)}" if v.method == FUNNEL_OVERDISPERSED else ""
    return (f"{v.area_name}'s rate over {v.window.words()}, {fmt_rate(v.rate)} per 1,000 residents "
            f"(95% interval {fmt_rate(v.lower)} to {fmt_rate(v.upper)}{widened}), against {total_label}'s "
            f"{fmt_rate(v.benchmark)}: ", Mention(v, word(v)), f"{mark}.")


def districts_sentence(comparisons: list[Verdict], total_label: str) -> Sentence | None:
    """The districts whose rate differs clearly from the total's, each named as a mention of its verdict."""
    judged = [v for v in comparisons if v.verdict is not None and v.verdict != "not-compared"]
    if not judged:
        return None
    benchmark = judged[0].benchmark
    parts: list[Part] = [f"Over {judged[0].window.words()}, against {total_label}'s rate of "
                         f"{fmt_rate(benchmark)} per 1,000 residents: "]
    groups = 0
    for code, lowest_first in (("worse", False), ("better", True), ("higher", False), ("lower", True)):
        named = sorted((v for v in judged if v.verdict == code), key=lambda v: v.rate, reverse=not lowest_first)
        if not named:
            continue
        if groups:
            parts.append("; ")
        groups += 1
        count = "one district is" if len(named) == 1 else f"{len(named)} districts are"
        parts.append(f"{count} {term(COMPARISON, code).word.lower()} (")
        rest = len(named) - MAX_NAMED
        items: list[Part] = [Mention(v, v.area_name) for v in named[:MAX_NAMED]]
        items += [f"{rest} other{'s' if rest > 1 else ''}"] if rest > 0 else []
        for i, item in enumerate(items):
            parts += [("" if i == 0 else " and " if i == len(items) - 1 else ", "), item]
        parts.append(")")
    if not groups:
        return (f"No district's rate over {judged[0].window.words()} differs clearly from {total_label}'s "
                f"rate of {fmt_rate(benchmark)} per 1,000 residents.",)
    withheld = sum(v.verdict is None for v in comparisons)
    tail = f" {withheld} district{'s are' if withheld > 1 else ' is'} withheld (small numbers)." if withheld else ""
    if judged[0].disclosure == DERIVED:
        tail += " Rates are of counts rounded to the nearest 5 (small numbers)."
    return (*parts, f".{tail}")


def figures_to(dataset, indicator_id: str, end: pd.Timestamp | None = None) -> pd.Timestamp | None:
    """The last period of the indicator's total held (to `end`, a meeting's last complete month)."""
    series = dataset.series(indicator_id, None, None, end)
    return None if series.empty else series["period"].iloc[-1]


def data_dates(dataset, indicator_id: str, end: pd.Timestamp | None = None) -> str:
    """The last period the indicator's figures cover (to `end`, when given), and when they were
    published or imported."""
    ind = dataset.indicator(indicator_id)
    last = figures_to(dataset, indicator_id, end)
    freq = dataset.frequency(indicator_id)
    covers = f"Figures to {freq.label(last)}" if last is not None else "No figures held"
    kind = "Illustrative figures" if bool(ind["illustrative"]) else None
    if kind and last is not None:
        covers = f"{kind} to {freq.label(last)}"
    updated = ind.get("updated")
    when = (f"; imported {pd.Timestamp(updated):%d %b %Y}" if updated is not None and not pd.isna(updated)
            else "; date published not recorded" if not bool(ind["illustrative"]) else "")
    return f"{covers}{when}."


def priority_narrative(dataset, priority_id: str, state, *, end: pd.Timestamp | None = None,
                       reveal: bool = False) -> tuple[Sentence, ...]:
    """Two to four sentences on a priority's headline measure (see _priority_narrative)."""
    return _priority_narrative(dataset, priority_id, state, end=end, reveal=reveal)


@per_dataset
def _priority_narrative(dataset, priority_id: str, state, *, end: pd.Timestamp | None = None,
                        reveal: bool = False) -> tuple[Sentence, ...]:
    """The headline measure's change in the area shown, the districts that stand out (or the chosen
    district against the total), and caveats; every figure and verdict from kcsp.judgements.

    `state` is the view (district, from, to); `end` caps the period further (a meeting's data end).
    """
    priority = dataset.priority(priority_id)
    if priority is None:
        raise KeyError(priority_id)
    headline = priority["headline_indicator_id"]
    if not isinstance(headline, str) or not dataset.has_indicator(headline) or not dataset.has_data(headline):
        return (("No measure with data is recorded for this priority yet.",),
                ("Its actions and their latest status are listed with it.",))
    ind = dataset.indicator(headline)
    stop = min((t for t in (state.end_ts, end) if t is not None), default=None)
    code = judgements.shown_area(dataset, headline, state.district)
    selected = dataset.area_code_for_slug(state.district)
    change = judgements.verdict(dataset, headline, code, CHANGE, state.start_ts, stop, reveal=reveal)
    sentences: list[Sentence] = [(f"{ind['name']}.",), change_sentence(change, ind["unit"])]
    if ind["geography"] == "district":
        total = dataset.total_label(headline)
        if selected and code == selected:
            mine = judgements.verdict(dataset, headline, code, COMPARISON, state.start_ts, stop, reveal=reveal)
            if mine is not None:
                sentences.append(comparison_sentence(mine, total))
        else:
            comparisons = [v for v in judgements.verdicts(dataset, headline, state.start_ts, stop, reveal=reveal)
                           if v.kind == COMPARISON]
            line = districts_sentence(comparisons, total)
            if line:
                sentences.append(line)
    caveats = []
    window = change.window
    for brk in dataset.breaks(headline):
        if window is not None and window.previous.start < brk.period <= window.end:
            what = re.sub(r"\s*\(.*\)$", "", brk.label)
            caveats.append(f"the series changed in {brk.period:%B %Y} ({what})")
    if selected and code != selected:
        caveats.append(f"{dataset.area_name(selected)} has no separate figures for this measure, so the "
                       f"{dataset.area_name(code)} figure is given")
    elif ind["geography"] != "district":
        caveats.append("the figures are held for the county as a whole only")
    if bool(ind["illustrative"]):
        shown = dataset.series(headline, code, state.start_ts, stop)
        real = int((~shown["illustrative"]).sum())
        noun = dataset.frequency(headline).noun
        caveats.append(f"only {real} of the {len(shown)} {noun}s shown hold real figures from partners; the others "
                       "are illustrative, generated to stand in for data that is not openly published"
                       if 0 < real < len(shown) else
                       "the figures are illustrative, generated to stand in for data that is not openly published")
    sentences.append((data_dates(dataset, headline, stop) + (f" Caveats: {'; '.join(caveats)}." if caveats else ""),))
    return tuple(sentences)
