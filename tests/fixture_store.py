"""A small store for exact tests: the reference tables plus hand-made observations and updates,
written to a temporary folder of the test's own and read back typed, as the app reads a store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kcsp.queries import Dataset
from kcsp.reference import reference_tables
from kcsp.store import Store

KENT_DISTRICTS = ["E07000105", "E07000106", "E07000107", "E07000108", "E07000109", "E07000110",
                  "E07000111", "E07000112", "E07000113", "E07000114", "E07000115", "E07000116"]


def monthly(indicator_id: str, areas: list[str], first: str, values: list[int]) -> list[tuple]:
    """The same monthly values in every area, from the month `first` on."""
    months = pd.date_range(pd.Timestamp(f"{first}-01"), periods=len(values), freq="MS")
    return [(indicator_id, area, month, value) for area in areas for month, value in zip(months, values, strict=True)]


def small_store(root: Path, rows: list[tuple], today: pd.Timestamp, **tables: pd.DataFrame) -> tuple[Store, Dataset]:
    """A store in `root` with observations `rows` (indicator, area, period, value) and other tables."""
    content = reference_tables(today)
    content["observations"] = pd.DataFrame(rows, columns=["indicator_id", "area_code", "period", "value"])
    content.update(tables)
    store = Store(root)
    store.write(content)
    return store, Dataset(store.read_all(), today=today)
