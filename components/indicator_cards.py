"""Chart cards for one indicator: its trend, and its districts compared with the county."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from dash import dcc, html

from components.cards import GRAPH_CONFIG, about_indicator, chart_card, csv_href, data_table, part_id
from components.charts import control_chart_figure, district_figure, district_map, funnel_figure, trend_figure
from components.verdicts import paragraph, variation_icon, verdict_badge
from kcsp import disclosure
from kcsp.judgements import Verdict, control_frame
from kcsp.narrative import method_words
from kcsp.periods import Frequency

WITHHELD = "withheld"
ROUNDED_CODES = (disclosure.ROUNDED, disclosure.WITHHELD, disclosure.DERIVED, disclosure.DERIVED_WITHHELD)
CHART_WITHHELD = ("its months are published only rounded (small numbers), so the chart, drawn from the exact "
                  "counts, is shown to signed-in readers; its reading is given in words")


def _count(value: float, withheld: bool) -> str:
    """A count as text: blank where there is none, 'withheld' where the public may not see it, and a
    withheld count a signed-in viewer sees marked with an asterisk."""
    if pd.isna(value):
        return WITHHELD if withheld else ""
    return f"{value:,.0f}*" if withheld else f"{value:,.0f}"


def _protected(trend: pd.DataFrame) -> bool:
    """Whether the trend is of a small-number measure the public sees rounded (kcsp.disclosure)."""
    return "disclosure" in trend and bool(trend["disclosure"].isin(ROUNDED_CODES).any())


def trend_table(trend: pd.DataFrame, unit: str, frequency: Frequency, *, reveal: bool = False) -> pd.DataFrame:
    """The rows a trend chart draws, as text (withheld counts never shown to the public; rounded ones
    said to be in the column's name)."""
    rounded = "" if reveal or not _protected(trend) else " (rounded to the nearest 5)"
    columns = {frequency.noun.capitalize(): [frequency.label(p) for p in trend["period"]],
               unit.capitalize() + rounded: [_count(v, h) for v, h in zip(trend["value"], trend["withheld"],
                                                                           strict=True)]}
    if frequency.per_year > 1:
        columns[f"Rolling {frequency.per_year}-{frequency.noun} total{rounded}"] = [
            _count(v, h) for v, h in zip(trend["rolling"], trend["rolling_withheld"], strict=True)]
    if "illustrative" in trend and trend["illustrative"].any() and not trend["illustrative"].all():
        columns["Data"] = trend["illustrative"].map({True: "illustrative", False: "real"}).to_numpy()
    return pd.DataFrame(columns)


def gaps_note(trend: pd.DataFrame, area_name: str, frequency: Frequency) -> str | None:
    """Which periods have no figure, and why (a total exists only where every area reported)."""
    missing = trend.loc[trend["missing"], "period"]
    if missing.empty:
        return None
    listed = ", ".join(frequency.label(p) for p in missing[:6]) + (" and others" if len(missing) > 6 else "")
    return (f"No figure for {area_name} in {listed}: not every area reported, so the gap is left as a gap and "
            "never compared.")


def withheld_note(trend: pd.DataFrame, *, reveal: bool) -> str | None:
    """What the public sees of a small-number measure and why (kcsp.disclosure), or for a signed-in
    viewer that the figures are exact and not for publication; None for an open measure."""
    if not _protected(trend):
        return None
    if reveal:
        return ("Exact figures, not for publication: the public sees them rounded to the nearest 5, and counts "
                "of 1 to 4 (marked *) withheld.")
    gaps = " Withheld figures are gaps in the chart, marked on its axis." if trend["withheld"].any() else ""
    return ("Small numbers: so that no one can be identified, counts are rounded to the nearest 5 and counts of "
            "1 to 4 withheld; totals and rolling years are sums of the published figures, rounded." + gaps)


@dataclass(frozen=True)
class TrendView:
    """The parts of a trend card that depend on the area and period shown (what a district change updates)."""

    title: str
    figure: dict
    summary: list
    caption: str
    table: pd.DataFrame
    download_href: str
    change: Verdict | None = None
    control: dict | None = None


def control_figure(change: Verdict | None, indicator: pd.Series) -> dict:
    """The control chart behind a change verdict, or a short figure saying why there is none."""
    frame = control_frame(change, indicator["polarity"]) if change is not None else pd.DataFrame()
    if not frame.empty:
        return control_chart_figure(frame, unit=indicator["unit"], real=not change.chart_illustrative,
                                    withheld=change.months_withheld)
    if change is None:
        why = "no change is judged for this view"
    elif change.verdict is None:
        why = change.reason or "withheld (small numbers)"
    elif change.months_withheld and change.method == "spc" and change.verdict != "not-compared":
        why = CHART_WITHHELD
    elif change.window is not None and change.window.frequency.months != 1:
        why = "yearly and quarterly measures are tested against the year before instead"
    else:
        why = change.reason or "no control chart for this view"
    return {"data": [], "layout": {"height": 90, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
                                   "xaxis": {"visible": False}, "yaxis": {"visible": False},
                                   "annotations": [{"text": f"No control chart: {why}.", "showarrow": False,
                                                    "x": 0, "xref": "paper", "xanchor": "left", "y": 0.5,
                                                    "yref": "paper", "font": {"size": 14}}]}}


def trend_view(*, indicator: pd.Series, trend: pd.DataFrame, frequency: Frequency, area_code: str, area_name: str,
               breaks: list, summary: list, start: str | None, end: str | None, reveal: bool,
               change: Verdict | None = None) -> TrendView:
    period = (frequency.span(trend["period"].min(), trend["period"].max())
              if not trend.empty else "no data in the chosen period")
    notes = [n for n in (gaps_note(trend, area_name, frequency), withheld_note(trend, reveal=reveal)) if n]
    return TrendView(
        title=f"{indicator['name']}: {area_name}, by {frequency.noun}, {period}",
        figure=trend_figure(trend, unit=indicator["unit"], breaks=[(b.period, b.label) for b in breaks],
                            frequency=frequency),
        summary=[*summary, *(((n,),) for n in notes)],
        caption=f"{indicator['name']}, {area_name}, by {frequency.noun}",
        table=trend_table(trend, indicator["unit"], frequency, reveal=reveal),
        download_href=csv_href(indicator["indicator_id"], area_code, start, end),
        change=change,
        control=control_figure(change, indicator),
    )


def summary_block(view: TrendView, key: str):
    """The card's summary: the variation icon of its change (where a control chart decided it), then
    its sentences."""
    block = paragraph(view.summary, className="chart-summary mb-2", id=part_id("trend", key, "summary"))
    icon = variation_icon(view.change)
    if icon is not None:
        block.children = [icon, " ", *block.children]
    return block


CONTROL_CHART = "Control chart: month by month, with its mean and process limits"


def control_card(*, indicator: pd.Series, change: Verdict, area_name: str, key: str) -> html.Section:
    """One measure's control chart for an area, titled with what it shows, its verdict and icon beside it."""
    periods = change.chart_periods
    span = f"{periods[0]:%b %Y} to {periods[-1]:%b %Y}" if periods is not None else ""
    return html.Section([
        html.H3(f"{indicator['name']}: {area_name}, control chart, {span}", className="h6 mb-1"),
        html.P([variation_icon(change), " ", verdict_badge(change), " ", method_words(change), ". ",
                html.Span(f"Source: {indicator['source']}.", className="text-muted")], className="small mb-1"),
        dcc.Graph(id=part_id("control", key, "graph"), figure=control_figure(change, indicator), config=GRAPH_CONFIG,
                  className="chart"),
    ], className="control-card mb-3")


def trend_card(*, indicator: pd.Series, view: TrendView, coverage: str, breaks: list, dates: str,
               control_shown: bool = False) -> html.Div:
    """A measure's trend, with its control chart beneath (shown, or behind a toggle)."""
    iid = indicator["indicator_id"]
    return chart_card(
        kind="trend", key=iid,
        title=view.title,
        subtitle=f"Unit: {indicator['unit']}. Source: {indicator['source']}. {dates}",
        figures=[("Chart", view.figure), (CONTROL_CHART, view.control)],
        shown=2 if control_shown else 1,
        table=data_table(view.table, caption=view.caption, label=f"Table: {indicator['name']}",
                         ids=(part_id("trend", iid, "caption"), part_id("trend", iid, "table"))),
        about=about_indicator(indicator, coverage=coverage, last_updated=dates,
                              breaks=[(b.period, b.label, b.description) for b in breaks]),
        illustrative=bool(indicator["illustrative"]),
        download_href=view.download_href,
        summary=summary_block(view, iid),
    )


def _rate(value: float) -> str:
    return "" if pd.isna(value) else f"{value:.2f}"


def comparison_table(breakdown: pd.DataFrame, total_label: str) -> pd.DataFrame:
    """The district comparison as text: counts the public sees rounded say so in the column's name."""
    withheld = breakdown["verdict"].isna()
    count = "Count (rounded to the nearest 5)" if "rounded" in breakdown and breakdown["rounded"].any() else "Count"
    interval = [("" if pd.isna(lo) else f"{lo:.2f} to {hi:.2f}") for lo, hi in
                zip(breakdown["lower"], breakdown["upper"], strict=True)]
    return pd.DataFrame({
        "District": breakdown["area_name"],
        count: [_count(v, h or m) for v, h, m in zip(breakdown["count"], withheld, breakdown["shown_withheld"],
                                                     strict=True)],
        "Residents": breakdown["population"].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}"),
        "Rate per 1,000": [WITHHELD if h else _rate(r) for r, h in zip(breakdown["rate"], withheld, strict=True)],
        "95% confidence interval": interval,
        f"Compared with {total_label}": [("Withheld" if h else v.replace("-", " ").capitalize())
                                          for v, h in zip(breakdown["verdict"].fillna(""), withheld, strict=True)],
        **({"IMD 2019 rank (1 = most deprived)": breakdown["imd_rank"].astype("string").fillna("").to_numpy()}
           if "imd_rank" in breakdown else {}),
    })


def highlighted_figures(breakdown: pd.DataFrame, limits: pd.DataFrame, *, total_label: str,
                        selected_code: str | None, order: str = "rate") -> tuple[dict, dict]:
    """The bar chart and funnel plot of a district comparison, with the chosen district picked out."""
    return (district_figure(breakdown, total_label=total_label, selected_code=selected_code, order=order),
            funnel_figure(breakdown, limits, total_label=total_label, selected_code=selected_code))


def verdict_list(verdicts: list[Verdict]) -> html.Ul:
    """Every district's comparison verdict as an element (the words the charts draw in colour)."""
    return html.Ul([html.Li([v.area_name, ": ", verdict_badge(v, small=True)]) for v in verdicts],
                   className="verdict-list list-unstyled small")


def district_card(*, indicator: pd.Series, verdicts: list[Verdict], breakdown: pd.DataFrame, limits: pd.DataFrame,
                  boundaries: dict, total_label: str, selected_code: str | None, download_href: str,
                  summary: list, dates: str, order: str = "rate") -> html.Div:
    iid = indicator["indicator_id"]
    window = verdicts[0].window.words() if verdicts and verdicts[0].window else "the period chosen"
    method = html.P(
        f"Rates use the estimated population of the year at the middle of the window. Intervals are 95%: exact "
        f"(Poisson) below 10 events, Byar's method from 10, as OHID Fingertips does. Where the districts vary "
        f"more than chance allows (Spiegelhalter's test, z-scores winsorised at 10%), every interval and the "
        f"funnel are widened by the between-district variance. A district is 'Similar' when the {total_label} "
        "rate lies inside its interval; otherwise it is 'Better' or 'Worse' (or 'Higher' or 'Lower' where a rise "
        "is neither good nor bad). The funnel's limits come from the same intervals, so a district outside the "
        "95% funnel is exactly one judged different. For a small-number measure the public sees each count "
        "rounded to the nearest 5, and a district whose count is made of figures of 1 to 4 withheld (never shown "
        "as zero); its rates, intervals and funnel are worked out from the rounded counts, its verdicts from the "
        "exact ones."
    )
    bars, funnel = highlighted_figures(breakdown, limits, total_label=total_label, selected_code=selected_code,
                                       order=order)
    return chart_card(
        kind="districts", key=iid,
        title=f"{indicator['name']}: rate per 1,000 residents by district, {window}",
        subtitle=f"Against the {total_label} rate. Source: {indicator['source']}. {dates}",
        figures=[
            ("Bar chart", bars),
            ("Funnel plot", funnel),
            ("Map", district_map(breakdown, boundaries)),
        ],
        table=html.Div([verdict_list(verdicts),
                        data_table(comparison_table(breakdown, total_label),
                                   caption=f"{indicator['name']} by district, {window}")]),
        about=[*about_indicator(indicator, coverage=total_label, last_updated=dates, breaks=[]), method],
        illustrative=bool(indicator["illustrative"]),
        download_href=download_href,
        summary=paragraph(summary, className="chart-summary mb-2", id=part_id("districts", iid, "summary")),
    )
