"""The national comparator card: an area's rate beside the national rate of the same measure.

Built from kcsp.comparators.comparison (no data loading here): the chart (components.charts.
comparator_figure), the one-sentence summary the pack also uses, a table of exactly what is drawn,
how the rates are made, and the data as a CSV download carried in the link itself.
"""

from __future__ import annotations

from urllib.parse import quote

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.cards import GRAPH_CONFIG, data_table, illustrative_badge, part_id
from components.charts import comparator_figure
from kcsp.comparators import words
from kcsp.periods import frequency

KIND = "comparator"
CSV_COLUMNS = ["period", "period_label", "area_code", "area_name", "area_count", "area_population", "area_rate",
               "comparator_code", "comparator_name", "comparator_rate", "unit", "source"]
METHOD = ("Both rates are crude rates: the count in the period divided by the area's residents (the ONS mid-year "
          "estimate for the year) and multiplied by 100,000. They are not age-standardised, so they differ from "
          "age-standardised rates ONS publishes. A national figure is shown only where it measures the same thing as "
          "the area's: the same source and definition, counting residents only (a national figure that also counts "
          "people who lived elsewhere has no rate here). Periods with no national figure, and the area's figures "
          "that are withheld, illustrative or have no mid-year estimate, are left out.")


def comparator_table(frame: pd.DataFrame, noun: str = "year") -> pd.DataFrame:
    """One row per period: the area's count, residents and rate, then each comparator's rate (as text)."""
    first = frame.drop_duplicates("period")
    area = str(first["area_name"].iloc[0]) if not first.empty else "Area"
    columns = {noun.capitalize(): list(first["period_label"]),
               f"{area}: count": [f"{v:,.0f}" for v in first["area_count"]],
               f"{area}: residents": [f"{v:,.0f}" for v in first["area_population"]],
               f"{area}: rate per 100,000": [f"{v:.1f}" for v in first["area_rate"]]}
    for name, rows in frame.groupby("comparator_name", sort=False):
        rates = rows.set_index("period")["comparator_rate"].reindex(first["period"])
        columns[f"{name}: rate per 100,000"] = ["" if pd.isna(v) else f"{v:.1f}" for v in rates]
    return pd.DataFrame(columns)


def csv_href(frame: pd.DataFrame) -> str:
    """The comparison as a CSV file inside a data: link (it needs no route and is exactly what is drawn)."""
    out = frame[CSV_COLUMNS].assign(period=frame["period"].dt.strftime("%Y-%m"))
    return "data:text/csv;charset=utf-8," + quote(out.to_csv(index=False, lineterminator="\n"))


def _toggle(label: str, body, *, key: str) -> html.Details:
    return html.Details([html.Summary(label, className="view-toggle"), html.Div(body, className="pt-2")],
                        className=f"card-view card-view-{key}")


def comparator_card(*, indicator: pd.Series, frame: pd.DataFrame, dates: str = "") -> dbc.Card | None:
    """The card for one indicator and area, or None when the comparison is empty (no comparator, or no
    period in the view has one). `frame` is kcsp.comparators.comparison(...); `dates` says when the
    figures were published (as the trend card's subtitle does). The card's id is "comparator-<indicator>"."""
    if frame.empty:
        return None
    iid = indicator["indicator_id"]
    freq = frequency(indicator["frequency"])
    unit = str(frame["unit"].iloc[0])
    area = str(frame["area_name"].iloc[0])
    names = list(dict.fromkeys(frame["comparator_name"]))
    span = freq.span(frame["period"].min(), frame["period"].max())
    title = f"{indicator['name']}: {area} and {' and '.join(names)}, {unit}, {span}"
    sources = "; ".join(dict.fromkeys(frame["source"]))
    about = html.Dl([html.Dt("How the rates are made"), html.Dd(METHOD), html.Dt("Source"), html.Dd(sources),
                     html.Dt("Definition"), html.Dd(indicator.get("notes") or "Not given"),
                     html.Dt("Caveats"), html.Dd(indicator.get("caveats") or "None recorded"),
                     html.Dt("Licence"), html.Dd(indicator.get("licence") or "Not given")])
    table = data_table(comparator_table(frame, freq.noun), caption=f"{title} (crude rates)",
                       label=f"Table: {indicator['name']}, {area} and the national rate")
    return dbc.Card(dbc.CardBody([
        html.Div([
            html.H3(title, className="h5 mb-1", id=part_id(KIND, iid, "title")),
            html.Div([illustrative_badge(bool(indicator["illustrative"])),
                      html.Span(f"Crude rates. Source: {sources}. {dates}".strip(),
                                className="ms-2 text-muted small")]),
        ]),
        html.P(words(frame), className="chart-summary mb-2", id=part_id(KIND, iid, "summary")),
        dcc.Graph(id=part_id(KIND, iid, "graph-0"), figure=comparator_figure(frame, title_unit=unit),
                  config=GRAPH_CONFIG, className="chart"),
        _toggle("Table of the data", table, key="table"),
        _toggle("About this comparison", [about], key="about"),
        html.A("Download CSV of this data", href=csv_href(frame), className="csv-link small",
               download=f"{iid}_{frame['area_code'].iloc[0]}_national.csv", id=part_id(KIND, iid, "csv"),
               **{"data-testid": "csv-link"}),
    ]), className="chart-card mb-3", id=f"{KIND}-{iid}")
