"""Chart cards for one indicator: its trend and its district comparison."""

from __future__ import annotations

import pandas as pd
from dash import html

from components.cards import about_indicator, chart_card, csv_href, data_table
from components.charts import district_figure, rolling_by_segment, trend_figure


def trend_card(*, indicator: pd.Series, series: pd.DataFrame, area_code: str, area_name: str,
               coverage: str, breaks: list, summary: str, start: str | None, end: str | None) -> html.Div:
    iid = indicator["indicator_id"]
    table = series.assign(rolling=rolling_by_segment(series, [b.period for b in breaks]).to_numpy()) \
        if not series.empty else series.assign(rolling=[])
    table = pd.DataFrame({
        "Month": table["period"].dt.strftime("%b %Y"),
        f"{indicator['unit'].capitalize()}": table["value"].map("{:,.0f}".format),
        "Rolling 12-month total": table["rolling"].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}"),
    })
    updated = pd.Timestamp(indicator["updated"]).strftime("%d %b %Y")
    period = (f"{series['period'].min():%b %Y} to {series['period'].max():%b %Y}"
              if not series.empty else "no data in the chosen period")
    return chart_card(
        card_id=f"trend-{iid}",
        title=f"{indicator['name']}: {area_name}, monthly, {period}",
        subtitle=f"Unit: {indicator['unit']}. Source: {indicator['source']}. Last updated {updated}.",
        figure=trend_figure(series, unit=indicator["unit"], breaks=[(b.period, b.label) for b in breaks]),
        table=data_table(table, caption=f"{indicator['name']}, {area_name}, by month"),
        about=about_indicator(indicator, coverage=coverage, last_updated=updated,
                              breaks=[(b.period, b.label, b.description) for b in breaks]),
        illustrative=bool(indicator["illustrative"]),
        download_href=csv_href(iid, area_code, start, end),
        summary=summary,
    )


def district_card(*, indicator: pd.Series, breakdown: pd.DataFrame, total_label: str,
                  selected_code: str | None, suppress_below: int) -> html.Div:
    iid = indicator["indicator_id"]
    first, last = breakdown["first"].iloc[0], breakdown["last"].iloc[0]
    window = f"{first:%b %Y} to {last:%b %Y}"
    hidden = breakdown["suppressed"]
    table = pd.DataFrame({
        "District": breakdown["area_name"],
        "Count": breakdown["count"].map("{:,.0f}".format).where(~hidden, f"suppressed (1-{suppress_below - 1})"),
        "Population": breakdown["population"].map("{:,.0f}".format),
        "Rate per 1,000": breakdown["rate"].map("{:.2f}".format).where(~hidden, "suppressed"),
        "95% confidence interval": (breakdown["lower"].map("{:.2f}".format) + " to "
                                    + breakdown["upper"].map("{:.2f}".format)).where(~hidden, ""),
        f"Compared with {total_label}": breakdown["judgement"],
    })
    updated = pd.Timestamp(indicator["updated"]).strftime("%d %b %Y")
    method = html.P(
        f"Rates use the estimated population of the middle year of the period. Intervals are 95% (Byar's "
        f"method). A district is 'Similar' when the {total_label} rate lies inside its interval. Counts from 1 "
        f"to {suppress_below - 1} are suppressed and shown as 'suppressed', never as zero."
    )
    about = [*about_indicator(indicator, coverage=total_label, last_updated=updated, breaks=[]), method]
    return chart_card(
        card_id=f"districts-{iid}",
        title=f"{indicator['name']}: rate per 1,000 residents by district, {window}",
        subtitle=f"Total of {breakdown['months'].iloc[0]} months against the {total_label} rate. "
                 f"Source: {indicator['source']}.",
        figure=district_figure(breakdown, total_label=total_label, selected_code=selected_code),
        table=data_table(table, caption=f"{indicator['name']} by district, {window}"),
        about=about,
        illustrative=bool(indicator["illustrative"]),
        download_href=csv_href(iid, None, f"{first:%Y-%m}", f"{last:%Y-%m}"),
    )
