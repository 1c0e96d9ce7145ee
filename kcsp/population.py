"""Population by area and year from the 2011 and 2021 censuses.

Only census counts are shipped (no mid-year estimates are available offline), so years between the
censuses are interpolated on a straight line, and years after 2021 continue the same average
yearly change. Years before 2011 take the 2011 count. The method column says which applies.
"""

from __future__ import annotations

import pandas as pd

CENSUS_YEARS = (2011, 2021)
FIRST_YEAR = 2011


def estimate_population(census: pd.DataFrame, *, last_year: int) -> pd.DataFrame:
    """Rows (area_code, year, population, method) for every area in the census table.

    census has columns area_code, pop_2011, pop_2021. Kent and Medway (E23000032) is added as the
    sum of Kent County and Medway.
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
    rows = []
    span = CENSUS_YEARS[1] - CENSUS_YEARS[0]
    for rec in base.itertuples(index=False):
        step = (rec.pop_2021 - rec.pop_2011) / span
        for year in range(FIRST_YEAR, max(last_year, CENSUS_YEARS[1]) + 1):
            if year in CENSUS_YEARS:
                value, method = (rec.pop_2011 if year == 2011 else rec.pop_2021), "census"
            elif year < CENSUS_YEARS[1]:
                value, method = rec.pop_2011 + step * (year - 2011), "interpolated"
            else:
                value, method = rec.pop_2021 + step * (year - 2021), "extrapolated"
            rows.append((rec.area_code, year, round(value), method))
    return pd.DataFrame(rows, columns=["area_code", "year", "population", "method"])
