"""A small store for exact tests: the reference tables plus hand-made observations and updates,
written to a temporary folder of the test's own and read back typed, as the app reads a store; and
helpers to copy a store and to tell whether its files changed."""

from __future__ import annotations

import hashlib
import shutil
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


def copy_store(source: Store, root: Path) -> Store:
    """A private copy of a store's table files (not its lock or temporary files) in `root`."""
    shutil.copytree(source.root, root, ignore=shutil.ignore_patterns(".*"))
    return Store(root)


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in a store folder (lock and hidden files aside): equal means byte-identical."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")}
