"""What every importer shares: collecting problems, failing with them, and replacing observations.

An importer reads and checks all of its input first, collecting every problem (a ``Problem`` for
a text file's row and column, a ``CellProblem`` for a spreadsheet cell) in a ``Problems``;
``raise_if_any`` turns them into ``ImportFailed``. It then changes the store in one
read-modify-write under the store's lock (``update_store``), where ``replace_observations`` swaps
the observations of the periods it imports for the new ones, so a re-import never doubles them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from filelock import Timeout

from kcsp.store import Problem, Store, StoreError

MAX_PROBLEMS = 200
OBSERVATION_TYPES = {"indicator_id": "str", "area_code": "str", "period": "datetime64[ns]", "value": "Int64"}


@dataclass(frozen=True)
class CellProblem:
    """A problem in one spreadsheet cell, printed as FILE:SHEET!CELL: reason (row and column kept for display)."""

    file: str
    sheet: str
    cell: str
    reason: str
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.sheet}!{self.cell}: {self.reason}"


class ImportFailed(Exception):
    """The input (or the store it was going into) was rejected; nothing was written."""

    def __init__(self, problems: Iterable[Problem | CellProblem], *, total: int | None = None):
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else total
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Every problem found, keeping the first MAX_PROBLEMS and counting the rest."""

    def __init__(self) -> None:
        self.kept: list[Problem | CellProblem] = []
        self.total = 0

    def add(self, problem: Problem | CellProblem) -> None:
        self.total += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(problem)

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if not self.total:
            return
        problems = list(self.kept)
        if self.total > len(problems):
            problems.append(Problem("(import)", None, "problems",
                                    f"{self.total - len(problems)} more problems not listed"))
        raise ImportFailed(problems, total=self.total)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as text cells (dates YYYY-MM-DD, booleans true/false), as the store reads CSV."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            text = col.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(col):
            text = col.map({True: "true", False: "false"})
        else:
            text = col
        out[name] = pd.Series(text.astype(object).where(text.notna(), None), index=frame.index, dtype=object)
    return pd.DataFrame(out, index=frame.index)


def replace_observations(observations: pd.DataFrame, new: pd.DataFrame, replaced: pd.Series) -> pd.DataFrame:
    """The observations with the rows marked `replaced` taken out and `new` added in their place."""
    kept = observations.loc[~replaced.fillna(False).astype(bool)]
    new = new.astype({k: v for k, v in OBSERVATION_TYPES.items() if k in new.columns})
    if kept.empty:
        return new.reset_index(drop=True)
    kept = kept.astype({k: v for k, v in OBSERVATION_TYPES.items() if k in kept.columns})
    return pd.concat([kept, new], ignore_index=True)


def update_store(store: Store, change: Callable[[dict[str, pd.DataFrame]], Mapping[str, pd.DataFrame]]) -> None:
    """store.update(change), with a rejected write or a lock held too long raised as ImportFailed."""
    try:
        store.update(change)
    except StoreError as err:
        raise ImportFailed(err.problems) from err
    except Timeout as err:
        raise ImportFailed([Problem(str(store.root), None, "store",
                                    "is locked by another write; try again later")]) from err
