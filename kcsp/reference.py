"""Reference tables shipped in data/reference: areas, priorities, themes, indicators, meetings.

Priorities, themes and meetings are data, not code: a refreshed Community Safety Agreement is a
change to these CSV files. This module reads them into the store's table shapes.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from kcsp import opendata
from kcsp.population import estimate_population
from kcsp.schema import TABLES
from kcsp.settings import REFERENCE_DIR

REFERENCE_TABLES = ("areas", "priorities", "themes", "indicators", "series_breaks", "meetings")


def read_reference(name: str) -> pd.DataFrame:
    """A reference CSV as strings (blank cells as missing), columns as in the file."""
    return pd.read_csv(REFERENCE_DIR / f"{name}.csv", dtype="str", keep_default_na=False, na_values=[""])


@cache
def district_names() -> dict[str, str]:
    """Every name a police.uk LSOA may carry for a Kent district or Medway, mapped to its ONS code.

    Covers current names and the 2011 names (Shepway became Folkestone and Hythe in 2018).
    """
    areas = read_reference("areas")
    local = areas[areas["area_type"].isin(["district", "unitary"])]
    names = dict(zip(local["area_name"], local["area_code"], strict=True))
    names["Shepway"] = names["Folkestone and Hythe"]
    return names


def empty_table(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in TABLES[name].column_names})


def reference_tables(today: pd.Timestamp | None = None) -> dict[str, pd.DataFrame]:
    """All tables with their reference content, and empty observations, actions and updates."""
    today = pd.Timestamp.today().normalize() if today is None else today
    tables = {name: read_reference(name) for name in REFERENCE_TABLES}
    tables["indicators"]["updated"] = None
    population = estimate_population(read_reference("population_census"), last_year=today.year,
                                     mid_year=opendata.read(opendata.POPULATION_FILE))
    tables["population"] = population[population["area_code"].isin(tables["areas"]["area_code"])]
    for name in TABLES:
        tables.setdefault(name, empty_table(name))
    return {name: tables[name] for name in TABLES}
