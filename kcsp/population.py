"""Population by area and year: ONS mid-year estimates where published, the census after them.

ONS mid-year estimates (data/ons/population_mid_year.csv, 1997 to 2020) give each year up to 2020;
2021 is the census count; years after 2021 continue the 2011-2021 census average yearly change
(no later estimate is shipped). Years before the first estimate take the first estimate's value
when a rate needs them. Areas without estimates fall back to the censuses with a straight line
between them. The method column says which applies to each row.
"""

from __future__ import annotations

import pandas as pd

CENSUS_YEARS = (2011, 2021)
FIRST_YEAR = 2011
LATER_YEARS_NOTE = ("Populations are ONS mid-year estimates up to mid-2020 and the 2021 census count for 2021; "
                    "later years carry on the average yearly change between the 2011 and 2021 censuses.")


def estimate_population(census: pd.DataFrame, *, last_year: int, mid_year: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows (area_code, year, population, method) for every area in the census table.

    census has columns area_code, pop_2011, pop_2021; mid_year (optional) has area_code, year,
    population. Kent and Medway (E23000032) is added as the sum of Kent County and Medway.
    """
    base = census[["area_code", "pop_2011", "pop_2021"]].copy()
    base["pop_2011"] = base["pop_2011"].astype(int)
    base["pop_2021"] = base["pop_2021"].astype(int)
    kent = base[base["area_code"] == "E10000016"]
    medway = base[base["area_code"] == "E06000035"]
    if len(kent) == 1 and len(medway) == 1:
        combined = {"area_code": "E23000032",
                    "pop_2011": int(kent["pop_2011"].iloc[0] + medway["pop_2011"].iloc[0]),
                    "pop_2021": int(kent["pop_2021"].iloc[0] + medway["pop_2021"].iloc[0])}
        base = pd.concat([base, pd.DataFrame([combined])], ignore_index=True)
    estimates: dict[tuple[str, int], int] = {}
    if mid_year is not None:
        estimates = {(str(r.area_code), int(r.year)): int(r.population) for r in mid_year.itertuples(index=False)}
    rows = []
    span = CENSUS_YEARS[1] - CENSUS_YEARS[0]
    for rec in base.itertuples(index=False):
        step = (rec.pop_2021 - rec.pop_2011) / span
        years = sorted(y for (code, y) in estimates if code == rec.area_code)
        first = years[0] if years else FIRST_YEAR
        for year in range(first, max(last_year, CENSUS_YEARS[1]) + 1):
            if (rec.area_code, year) in estimates:
                value, method = estimates[(rec.area_code, year)], "mid-year-estimate"
            elif year in CENSUS_YEARS:
                value, method = (rec.pop_2011 if year == 2011 else rec.pop_2021), "census"
            elif year < CENSUS_YEARS[1]:
                value, method = rec.pop_2011 + step * (year - 2011), "interpolated"
            else:
                value, method = rec.pop_2021 + step * (year - 2021), "extrapolated"
            rows.append((rec.area_code, year, round(value), method))
    return pd.DataFrame(rows, columns=["area_code", "year", "population", "method"])
