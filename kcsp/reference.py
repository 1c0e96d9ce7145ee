"""A partnership folder's reference tables (data/partnerships/<id>/): areas, priorities, themes, indicators, meetings.

Priorities, themes and meetings are data, not code: a refreshed Community Safety Agreement is a
change to these CSV files. This module reads them into the store's table shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from kcsp import geo, opendata
from kcsp.areas import Register
from kcsp.population import estimate_population
from kcsp.schema import TABLES
from kcsp.settings import PARTNERSHIP_DIR

REFERENCE_TABLES = ("partnership", "areas", "priorities", "themes", "indicators", "meetings")
OPTIONAL_TABLES = ("bodies", "series_breaks")


def read_reference(name: str, folder: Path | None = None) -> pd.DataFrame:
    """A partnership folder's CSV as strings (blank cells as missing), columns as in the file."""
    path = Path(folder or PARTNERSHIP_DIR) / f"{name}.csv"
    return pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""])


def register(folder: Path | None = None) -> Register:
    """The area register of a partnership folder (default: the default partnership's)."""
    return Register.from_folder(folder or PARTNERSHIP_DIR)


def register_of(tables: Mapping[str, pd.DataFrame]) -> Register:
    """The area register of a store's tables; a store from before the partnership table is the
    default partnership's."""
    if len(tables.get("partnership", ())):
        return Register.from_tables(tables)
    return Register(tables["areas"], register().partnership)


def board_body(tables: Mapping[str, pd.DataFrame]) -> str:
    """The partnership's own board: the first of its bodies (a store from before the bodies table: the
    default partnership's)."""
    bodies = tables.get("bodies")
    if bodies is None or not len(bodies):
        bodies = read_reference("bodies")
    return str(bodies.sort_values("sort_order", kind="stable")["body"].iloc[0])


def store_register(store) -> Register:
    """The area register of a store (kcsp.store.Store)."""
    return register_of({"areas": store.read("areas"), "partnership": store.read("partnership")})


def empty_table(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in TABLES[name].column_names})


def read_optional(name: str, folder: Path) -> pd.DataFrame | None:
    """A partnership folder's optional CSV (read_reference), or None when the folder has none."""
    return read_reference(name, folder) if (folder / f"{name}.csv").exists() else None


def reference_tables(today: pd.Timestamp | None = None, folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """All tables with a partnership folder's reference content, and empty observations, actions and
    updates. Population: the folder's census table and converted mid-year estimates (kcsp.opendata);
    each total's population is the sum of its member areas'."""
    folder = Path(folder or PARTNERSHIP_DIR)
    today = pd.Timestamp.today().normalize() if today is None else today
    tables = {name: read_reference(name, folder) for name in REFERENCE_TABLES}
    for name in OPTIONAL_TABLES:
        found = read_optional(name, folder)
        if found is not None:
            tables[name] = found
    for col in ("aliases", "valid_from", "valid_to", "made_of"):
        if col not in tables["areas"]:
            tables["areas"][col] = None
    tables["areas"] = tables["areas"][TABLES["areas"].column_names]
    tables["indicators"]["updated"] = None
    areas = register(folder)
    population = estimate_population(_census(areas, read_optional("population_census", folder)), last_year=today.year,
                                     mid_year=opendata.read(opendata.POPULATION_FILE, folder))
    tables["population"] = population[population["area_code"].isin(tables["areas"]["area_code"])]
    tables["boundaries"] = geo.boundaries_table(folder)
    if (folder / "open-data" / opendata.DEPRIVATION_FILE).exists():
        tables["deprivation"] = opendata.read(opendata.DEPRIVATION_FILE, folder)
    for name in TABLES:
        tables.setdefault(name, empty_table(name))
    return {name: tables[name] for name in TABLES}


def _census(areas: Register, census: pd.DataFrame | None) -> pd.DataFrame:
    """The census counts (area_code, pop_2011, pop_2021) of every local area and of each total, a total's
    being the sum of its members' (empty when the folder has no census table)."""
    if census is None:
        return pd.DataFrame(columns=["area_code", "pop_2011", "pop_2021"])
    local = census[census["area_code"].isin(areas.local_codes(None))][["area_code", "pop_2011", "pop_2021"]]
    local = local.astype({"pop_2011": int, "pop_2021": int})
    rows = [local]
    for total in dict.fromkeys((areas.county_code, areas.force_code)):
        members = local[local["area_code"].isin(areas.members(total, on=None))]
        rows.append(pd.DataFrame([{"area_code": total, "pop_2011": int(members["pop_2011"].sum()),
                                   "pop_2021": int(members["pop_2021"].sum())}]))
    return pd.concat(rows, ignore_index=True)
