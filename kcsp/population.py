"""Population by area and year: ONS mid-year estimates where published, the census after them.

ONS mid-year estimates (a partnership folder's open-data/population_mid_year.csv, 1997 to 2020)
give each year up to 2020; 2021 is the census count; years after 2021 continue the 2011-2021 census average
yearly change (no later estimate is shipped). Years before the first estimate take the first estimate's value
when a rate needs them. Areas with estimates but no census count carry on the estimates' average
yearly change. Areas without estimates fall back to the censuses with a straight line
between them. The method column says which applies to each row.
"""

from __future__ import annotations

import pandas as pd

CENSUS_YEARS = (2011, 2021)
FIRST_YEAR = 2011
LATER_YEARS_NOTE = ("Populations are ONS mid-year estimates up to mid-2020 and the 2021 census count for 2021; "
                    "later years carry on the average yearly change between the 2011 and 2021 censuses.")
ESTIMATES_ONLY_NOTE = ("Populations are ONS mid-year estimates up to mid-{last}; later years carry on the "
                       "estimates' average yearly change over their last ten years (no census count is held).")


def method_note(population: pd.DataFrame) -> str:
    """The sentence that says how the store's populations were made, by the methods its rows record."""
    if "census" in set(population["method"]):
        return LATER_YEARS_NOTE
    estimated = population.loc[population["method"] == "mid-year-estimate", "year"]
    return ESTIMATES_ONLY_NOTE.format(last=int(estimated.max()) if len(estimated) else "?")


def estimate_population(census: pd.DataFrame, *, last_year: int, mid_year: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows (area_code, year, population, method) for every area in the census table.

    census has columns area_code, pop_2011, pop_2021 (totals included: kcsp.reference sums them from
    their member areas); mid_year (optional) has area_code, year, population.
    """
    base = census[["area_code", "pop_2011", "pop_2021"]].copy()
    base["pop_2011"] = base["pop_2011"].astype(int)
    base["pop_2021"] = base["pop_2021"].astype(int)
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
    for code in sorted({c for c, _ in estimates} - set(base["area_code"])):
        rows.extend(_from_estimates_only(code, estimates, last_year))
    return pd.DataFrame(rows, columns=["area_code", "year", "population", "method"])


def _from_estimates_only(code: str, estimates: dict[tuple[str, int], int], last_year: int) -> list[tuple]:
    """An area with mid-year estimates and no census row: the estimates, then their average yearly change
    over the last ten estimated years carried on ("extrapolated")."""
    years = sorted(y for (c, y) in estimates if c == code)
    last, base = years[-1], years[max(0, len(years) - 10)]
    step = (estimates[(code, last)] - estimates[(code, base)]) / max(last - base, 1)
    rows = [(code, y, estimates[(code, y)], "mid-year-estimate") for y in years]
    rows += [(code, y, round(estimates[(code, last)] + step * (y - last)), "extrapolated")
             for y in range(last + 1, max(last_year, last) + 1)]
    return rows
