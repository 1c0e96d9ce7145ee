"""National comparators: an area's rate beside the national rate of the same measure, for charts and the pack.

The store's ``comparators`` table (kcsp.schema) holds national figures per indicator and period,
converted from ONS files (kcsp.opendata.comparator_table): today England's deaths related to drug
poisoning (count, residents and rate per 100,000), and England and Wales's count.

A comparison sets two rates side by side only where they measure the same thing. How that is made
sure of:
- a comparator row belongs to one indicator: the converter gives the national rows of a source only
  to the indicator made from that source's own local rows (the ONS drug-poisoning file's national
  rows to ons-drug-poisoning-deaths, never to the narrower "drug misuse" measure drug-related-deaths);
- a national rate exists only where the national figure counts the same people as the local ones:
  it must equal the sum of its local authorities' figures (residents only). England's does, every
  year; England and Wales's also counts deaths of people who lived outside it, so it has a count
  and no rate;
- the area's rate is made the same way as the national one: its count for the period divided by
  its residents (the ONS mid-year estimate of the year at the period's middle, the rule
  kcsp.judgements uses) x 100,000; a period is left out when the area's figure is illustrative,
  missing or withheld from the viewer, or when its population for that year is not an ONS mid-year
  estimate (never a nearest-year or census stand-in);
- both rates are crude (not age-standardised; ONS's published rates are age-standardised, so they
  differ from these).
Periods with no comparator are left out: nothing is drawn or said for them.
"""

from __future__ import annotations

import pandas as pd

from kcsp.judgements import Window
from kcsp.memo import per_dataset

RATE = "rate-per-100000"
PER = 100_000
DENOMINATOR = "mid-year-estimate"
"""The population method of the comparators' denominators, required of the area's too."""
COLUMNS = ["period", "area_rate", "comparator_rate", "comparator_name", "unit", "period_label", "area_code",
           "area_name", "area_count", "area_population", "comparator_code", "source"]


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in COLUMNS})
    frame["period"] = pd.Series(dtype="datetime64[ns]")
    for column in ("area_rate", "comparator_rate", "area_count", "area_population"):
        frame[column] = pd.Series(dtype="float64")
    return frame


def _rates(dataset, indicator_id: str) -> pd.DataFrame:
    """The indicator's national rates (none in a store built before the comparators table)."""
    table = dataset.tables.get("comparators")
    if table is None or table.empty:
        return pd.DataFrame()
    return table[(table["indicator_id"] == indicator_id) & (table["measure"] == RATE)]


def has_comparator(dataset, indicator_id: str) -> bool:
    """Whether the store holds a national rate for this indicator."""
    return not _rates(dataset, indicator_id).empty


def comparison(dataset, indicator_id: str, area_code: str | None = None, start: pd.Timestamp | None = None,
               end: pd.Timestamp | None = None, *, reveal: bool = False) -> pd.DataFrame:
    """The area's rate per 100,000 residents beside each national rate of the same measure, per period.

    One row per period and comparator, oldest first, within start..end (first days of periods; None:
    every period held). `area_code` defaults to the indicator's total. Columns: period, area_rate,
    comparator_rate, comparator_name, unit (of both rates), period_label, area_code, area_name,
    area_count, area_population, comparator_code, source (of the comparator). Empty when the
    indicator has no comparator or no period qualifies (see the module's docstring). Withheld
    figures count as missing unless `reveal`. Memoised per dataset: callers must not modify it.
    """
    if not dataset.has_indicator(indicator_id):
        return _empty()
    code = area_code or dataset.total_code(indicator_id)
    return _comparison(dataset, indicator_id, code, start, end, reveal)


@per_dataset
def _comparison(dataset, indicator_id: str, code: str, start, end, reveal: bool) -> pd.DataFrame:
    rates = _rates(dataset, indicator_id)
    if rates.empty or not dataset.has_data(indicator_id, code):
        return _empty()
    freq = dataset.frequency(indicator_id)
    trend = dataset.trend(indicator_id, code, start, end, reveal=reveal)
    held = trend[trend["value"].notna() & ~trend["illustrative"].astype(bool)]
    population = dataset.population[dataset.population["area_code"] == code].set_index("year")
    rows = []
    for period, count in zip(held["period"], held["value"], strict=True):
        year = Window(freq, period, period).population_year
        if year not in population.index or population.at[year, "method"] != DENOMINATOR:
            continue
        residents = float(population.at[year, "population"])
        if residents > 0:
            rows.append((period, freq.label(period), float(count), residents, float(count) / residents * PER))
    area = pd.DataFrame(rows, columns=["period", "period_label", "area_count", "area_population", "area_rate"])
    national = rates.rename(columns={"area_code": "comparator_code", "area_name": "comparator_name",
                                     "value": "comparator_rate"})
    out = area.merge(national[["period", "comparator_code", "comparator_name", "comparator_rate", "unit", "source"]],
                     on="period", how="inner")
    if out.empty:
        return _empty()
    out = out.assign(area_code=code, area_name=dataset.area_name(code),
                     comparator_rate=out["comparator_rate"].astype("float64"))
    return out.sort_values(["period", "comparator_code"]).reset_index(drop=True)[COLUMNS]


def words(frame: pd.DataFrame) -> str:
    """One sentence for the pack on the latest period of a comparison, e.g. "In 2020 Kent's rate was 5.9
    deaths per 100,000 residents; England's was 7.6 (ONS ...)."; empty when there is nothing to compare."""
    if frame.empty:
        return ""
    latest = frame[frame["period"] == frame["period"].max()]
    first = latest.iloc[0]
    others = "; ".join(f"{r.comparator_name}'s was {r.comparator_rate:.1f}" for r in latest.itertuples())
    sources = "; ".join(dict.fromkeys(latest["source"]))
    return (f"In {first['period_label']} {first['area_name']}'s rate was {first['area_rate']:.1f} "
            f"{first['unit']}; {others} ({sources}).")
