"""Which numbers of a small-number indicator may be shown to someone not signed in.

Indicators whose `disclosure` is `suppress-small` (partner data) have every district-level count
from 1 to 4 withheld from anonymous viewers, and every figure from which such a count could be
worked out. At district level, anonymous viewers therefore see only totals over a year's worth of
periods (12 months, 4 quarters, a year):
- a single month or quarter is withheld (a year's total minus the other eleven months would give a
  small month away), and so is any total over less than a year;
- a year's total from 1 to 4 is withheld;
- in any period or window where exactly one area's count is withheld, the smallest other count of
  that period or window too, since the area total minus the others would give it away;
- a rate, an interval or a verdict of a withheld count.
Totals of Kent, or of Kent and Medway, are never withheld.
Signed-in users see every value, marked as withheld from the public. Open indicators (police.uk
street-level data, published openly) withhold nothing. The rule is applied once, here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OPEN = "open"
SUPPRESS_SMALL = "suppress-small"
DISCLOSURES = (OPEN, SUPPRESS_SMALL)
SMALLEST_SHOWN = 5


def small(values: np.ndarray) -> np.ndarray:
    """Counts from 1 to SMALLEST_SHOWN - 1 (0 is shown: it reveals no one)."""
    with np.errstate(invalid="ignore"):
        return (values >= 1) & (values < SMALLEST_SHOWN)


def withhold(values: pd.DataFrame) -> pd.DataFrame:
    """Which cells of an areas x years (or year-long windows) table to withhold.

    Primary: small counts. Secondary: in each column with exactly one cell withheld, the smallest
    other known count too.
    """
    grid = values.to_numpy(dtype="float64")
    hidden = small(grid)
    known = ~np.isnan(grid)
    for col in range(grid.shape[1]):
        if (hidden[:, col] & known[:, col]).sum() != 1:
            continue
        others = np.where(known[:, col] & ~hidden[:, col], grid[:, col], np.inf)
        if np.isfinite(others).any():
            hidden[int(np.argmin(others)), col] = True
    return pd.DataFrame(hidden, index=values.index, columns=values.columns)


def _every(values: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(True, index=values.index, columns=values.columns)


def withheld_periods(values: pd.DataFrame, per_year: int) -> pd.DataFrame:
    """Which single periods of an areas x periods table to withhold: all of them when a period is
    shorter than a year, else the small ones and their secondaries."""
    return _every(values) if per_year > 1 else withhold(values)


def window_totals(values: pd.DataFrame, periods: int, per_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Totals of `periods` consecutive periods ending at each period, per area, and which to withhold.

    `values` is areas x periods (columns in order, one per period, none skipped).
    """
    totals = values.T.rolling(periods, min_periods=periods).sum().T
    return totals, (_every(totals) if periods < per_year else withhold(totals))


def reason(count: float | None, previous: float | None, full_year: bool) -> str:
    """Why a withheld verdict is withheld, in words: its own count is small, it covers less than a
    year, or it is withheld so that another area's small count cannot be worked out from it."""
    if count is not None and small(np.array([count]))[0]:
        return f"withheld: the count is from 1 to {SMALLEST_SHOWN - 1}, too small to publish"
    if previous is not None and small(np.array([previous]))[0]:
        return f"withheld: the earlier count is from 1 to {SMALLEST_SHOWN - 1}, too small to publish"
    if not full_year:
        return "withheld: district figures over less than a year are not published for this measure"
    return "withheld so that a small count in another area cannot be worked out from the totals"
