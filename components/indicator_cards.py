"""Chart cards for one indicator: its trend, and its districts compared with the county."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from dash import html

from components.cards import about_indicator, chart_card, csv_href, data_table, part_id
from components.charts import district_figure, district_map, funnel_figure, trend_figure
from kcsp import periods

SUPPRESSED = "suppressed (1 to 4)"


def _count(value: float, hidden: bool) -> str:
    if pd.isna(value):
        return ""
    return SUPPRESSED if hidden else f"{value:,.0f}"


def trend_table(trend: pd.DataFrame, unit: str, frequency: str = "monthly") -> pd.DataFrame:
    """The rows a trend chart draws, as text (suppressed counts never shown as numbers).

    When real figures have replaced part of an illustrative series, a Data column says which is which."""
    table = pd.DataFrame({
        periods.NOUN[frequency].capitalize(): [periods.label(p, frequency) for p in trend["period"]],
        unit.capitalize(): [_count(v, h) for v, h in zip(trend["value"], trend["suppressed"], strict=True)],
    })
    if frequency in ("monthly", "quarterly"):
        table["Rolling 12-month total"] = [_count(v, h) for v, h in
                                           zip(trend["rolling_12"], trend["rolling_suppressed"], strict=True)]
    if "illustrative" in trend and trend["illustrative"].any() and not trend["illustrative"].all():
        table["Data"] = trend["illustrative"].map({True: "illustrative", False: "real"}).to_numpy()
    return table


@dataclass(frozen=True)
class TrendView:
    """The parts of a trend card that depend on the area and period shown (what a district change updates)."""

    title: str
    figure: dict
    summary: str
    caption: str
    table: pd.DataFrame
    download_href: str


def trend_view(*, indicator: pd.Series, trend: pd.DataFrame, area_code: str, area_name: str, breaks: list,
               summary: str, start: str | None, end: str | None) -> TrendView:
    period = (f"{trend['period'].min():%b %Y} to {trend['period'].max():%b %Y}"
              if not trend.empty else "no data in the chosen period")
    frequency = str(indicator["frequency"])
    if not trend.empty:
        period = (f"{periods.label(trend['period'].min(), frequency)} to "
                  f"{periods.label(trend['period'].max(), frequency)}")
    per = periods.NOUN[frequency]
    return TrendView(
        title=f"{indicator['name']}: {area_name}, by {per}, {period}",
        figure=trend_figure(trend, unit=indicator["unit"], breaks=[(b.period, b.label) for b in breaks],
                            frequency=frequency),
        summary=summary,
        caption=f"{indicator['name']}, {area_name}, by {per}",
        table=trend_table(trend, indicator["unit"], frequency),
        download_href=csv_href(indicator["indicator_id"], area_code, start, end),
    )


def trend_card(*, indicator: pd.Series, view: TrendView, coverage: str, breaks: list) -> html.Div:
    iid = indicator["indicator_id"]
    updated = pd.Timestamp(indicator["updated"]).strftime("%d %b %Y")
    return chart_card(
        kind="trend", key=iid,
        title=view.title,
        subtitle=f"Unit: {indicator['unit']}. Source: {indicator['source']}. Last updated {updated}.",
        figures=[("Chart", view.figure)],
        table=data_table(view.table, caption=view.caption,
                         label=f"Table: {indicator['name']} by {periods.NOUN[str(indicator['frequency'])]}",
                         ids=(part_id("trend", iid, "caption"), part_id("trend", iid, "table"))),
        about=about_indicator(indicator, coverage=coverage, last_updated=updated,
                              breaks=[(b.period, b.label, b.description) for b in breaks]),
        illustrative=bool(indicator["illustrative"]),
        download_href=view.download_href,
        summary=view.summary,
    )


def comparison_table(breakdown: pd.DataFrame, total_label: str) -> pd.DataFrame:
    hidden = breakdown["suppressed"]
    interval = breakdown["lower"].map("{:.2f}".format) + " to " + breakdown["upper"].map("{:.2f}".format)
    return pd.DataFrame({
        "District": breakdown["area_name"],
        "Count": [_count(v, h) for v, h in zip(breakdown["count"], hidden, strict=True)],
        "Residents": breakdown["population"].map("{:,.0f}".format),
        "Rate per 1,000": breakdown["rate"].map("{:.2f}".format).where(~hidden, "suppressed"),
        "95% confidence interval": interval.where(~hidden, ""),
        f"Compared with {total_label}": breakdown["judgement"],
        **({"IMD 2019 rank (1 = most deprived)": breakdown["imd_rank"].astype("string").fillna("")}
           if "imd_rank" in breakdown else {}),
    })


def highlighted_figures(breakdown: pd.DataFrame, limits: pd.DataFrame, *, total_label: str,
                        selected_code: str | None, order: str = "rate") -> tuple[dict, dict]:
    """The bar chart and funnel plot of a district comparison, with the chosen district picked out."""
    return (district_figure(breakdown, total_label=total_label, selected_code=selected_code, order=order),
            funnel_figure(breakdown, limits, total_label=total_label, selected_code=selected_code))


def district_card(*, indicator: pd.Series, breakdown: pd.DataFrame, limits: pd.DataFrame, boundaries: dict,
                  total_label: str, selected_code: str | None, download_href: str, order: str = "rate") -> html.Div:
    iid = indicator["indicator_id"]
    first, last = breakdown["first"].iloc[0], breakdown["last"].iloc[0]
    window = f"{first:%b %Y} to {last:%b %Y}"
    benchmark = breakdown["benchmark"].iloc[0]
    updated = pd.Timestamp(indicator["updated"]).strftime("%d %b %Y")
    judged = breakdown[breakdown["judgement"] != "Similar"]
    standout = ", ".join(f"{r.area_name} ({r.judgement.lower()})" for r in judged.itertuples())
    summary = (f"{total_label}: {benchmark:.2f} per 1,000 residents over {breakdown['months'].iloc[0]} months "
               f"({window}). "
               + (f"Different from {total_label}: {standout}." if standout
                  else f"No district is significantly different from {total_label}."))
    method = html.P(
        f"Rates use the estimated population of the middle year of the period. Intervals are 95% (Byar's "
        f"method). A district is 'Similar' when the {total_label} rate lies inside its interval; otherwise it "
        "is 'Better' or 'Worse' (or 'Higher' or 'Lower' where a rise is neither good nor bad). The funnel's "
        "limits are 95% and 99.8% around the county rate. Counts from 1 to 4 are suppressed and shown as "
        "'suppressed', never as zero."
    )
    bars, funnel = highlighted_figures(breakdown, limits, total_label=total_label, selected_code=selected_code,
                                       order=order)
    return chart_card(
        kind="districts", key=iid,
        title=f"{indicator['name']}: rate per 1,000 residents by district, {window}",
        subtitle=f"Against the {total_label} rate. Source: {indicator['source']}. Last updated {updated}.",
        figures=[
            ("Bar chart", bars),
            ("Funnel plot", funnel),
            ("Map", district_map(breakdown, boundaries)),
        ],
        table=data_table(comparison_table(breakdown, total_label),
                         caption=f"{indicator['name']} by district, {window}"),
        about=[*about_indicator(indicator, coverage=total_label, last_updated=updated, breaks=[]), method],
        illustrative=bool(indicator["illustrative"]),
        download_href=download_href,
        summary=summary,
    )
