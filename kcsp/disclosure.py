"""What anonymous readers see of a small-number measure, and why (the one module that owns the rule).

Measures whose `disclosure` is `suppress-small` (partner data such as MARAC cases, domestic abuse
and hate crime) hold district counts small enough to identify people. For anyone not signed in,
their district and total figures are published by this rule; signed-in readers see every exact
figure, marked as not for publication. Open measures (police.uk street-level data, published
openly) and measures held only for the county publish every figure exactly.

The rule: one protected table, and everything else computed from it.
1. Each district's count of one period (its *cell*) is published on its own: 0 as 0; 1 to 4
   withheld ("from 1 to 4"); 5 or more rounded to the nearest 5. This is the practice of NHS
   England's Hospital Episode Statistics and of ONS tables from administrative sources (small
   counts suppressed, the rest rounded to base 5), with 1 to 4 as this partnership's threshold.
2. Every other figure a reader is shown (the county's total of a period, a rolling year's total,
   the count of any window a verdict judges, and the rates, intervals, benchmark and spread drawn
   from them) is *derived*: the sum of the published cells it covers, each counted as the middle of
   what it can be (a withheld cell as 2.5, the middle of 1 to 4; a 5 as 6, the middle of 5 to 7; 10
   and above as published), rounded to the nearest 5; withheld when its published cells could add
   up to less than 5 (none is 5 or more and fewer than five are withheld); 0 when all are 0. (On
   the demonstration store, counting a 5 as 5 made the county's yearly KSI casualties 9% low;
   counted as 6, about 1% off on average.)
3. Verdicts are decided from the exact counts and shown as words; a verdict is withheld where its
   derived count (or the count a year before it is set against) is withheld. No p-value and no
   control chart of exact months is published (each is a precise function of the exact counts).

Why derived figures and not figures rounded independently from the exact counts: independent
rounding is safe for one table, but the dashboard publishes every rolling year beside every month
and lets a reader ask for any window. Rolling years a month apart differ by one month in and one
out; each rounded to within 2, their differences chain across the series. With monthly figures and
rolling years both rounded to 5, linear programming on the demonstration store pinned two of its 52
withheld MARAC months (both 4) exactly; on made-up series with windows of every length rounded (a
reader may ask the API for any window), every withheld month. A total rounded on its own fails too:
districts of 1, 1, 5 and 5 (the rest 0) under a total of 12, shown as 10 and so at most 12, leave
the two withheld districts exactly 1 each. Complementary suppression (hiding further
cells as cover) must protect every area, period, total and window together, and it hid every
district month before (an empty chart for Thanet's domestic abuse, counts in the hundreds). With
derived figures the reader learns nothing beyond the cells: every cell's published range is its
own, so a withheld count is always anywhere from 1 to 4, and a sum of k withheld counts anywhere
from k to 4k. tests/test_disclosure_audit.py proves it by linear programming over everything the
CSVs send, on the demonstration store and on stores made to break weaker rules.
"""

from __future__ import annotations

import numpy as np

OPEN = "open"
SUPPRESS_SMALL = "suppress-small"
DISCLOSURES = (OPEN, SUPPRESS_SMALL)
SMALLEST_SHOWN = 5
BASE = 5
WITHHELD_COUNTS_AS = 2.5
"""What a withheld cell (1 to 4) adds to a derived figure: the middle of what it can be."""
FIVE_COUNTS_AS = 6.0
"""What a cell published as 5 (5 to 7: 3 and 4 are withheld) adds to a derived figure."""

EXACT, ROUNDED, WITHHELD, DERIVED, DERIVED_WITHHELD = "exact", "rounded", "withheld", "derived", "derived-withheld"
CODES = (EXACT, ROUNDED, WITHHELD, DERIVED, DERIVED_WITHHELD)
"""How a published figure was made (the `disclosure` columns of the CSVs)."""
HIDDEN = (WITHHELD, DERIVED_WITHHELD)

WORDS = {
    EXACT: "",
    ROUNDED: "rounded to the nearest 5 (small numbers)",
    WITHHELD: "withheld: from 1 to 4, too small to publish",
    DERIVED: "the sum of the published figures (one withheld counted as 2.5, a 5 as 6), rounded to the nearest 5",
    DERIVED_WITHHELD: "withheld: made of figures of 1 to 4, too small to publish",
}
"""Why a figure is as it is, in words (blank for an exact one)."""
NOT_FOR_PUBLICATION = "not for publication: the public sees this "
SHOWN_AS = {ROUNDED: "rounded to the nearest 5", WITHHELD: "withheld (from 1 to 4)",
            DERIVED: "as a sum of rounded figures", DERIVED_WITHHELD: "withheld (made of figures of 1 to 4)"}


def small(values) -> np.ndarray:
    """Counts from 1 to SMALLEST_SHOWN - 1 (0 is shown: it reveals no one)."""
    values = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        return (values >= 1) & (values < SMALLEST_SHOWN)


def to_base(values) -> np.ndarray:
    """Values rounded to the nearest BASE (a half rounds up)."""
    return BASE * np.floor(np.asarray(values, dtype="float64") / BASE + 0.5)


def cells(values) -> tuple[np.ndarray, np.ndarray]:
    """Each cell as published (NaN where withheld or not held) and how (EXACT for 0, ROUNDED, WITHHELD;
    blank where not held)."""
    values = np.asarray(values, dtype="float64")
    held = ~np.isnan(values)
    hidden = small(values)
    shown = np.where(hidden, np.nan, np.where(values == 0, 0.0, to_base(values)))
    codes = np.where(~held, "", np.where(hidden, WITHHELD, np.where(values == 0, EXACT, ROUNDED)))
    return shown, codes.astype(object)


def parts(values) -> tuple[np.ndarray, np.ndarray]:
    """What each cell adds to a derived figure (the middle of what its published figure can be: 2.5
    if withheld, 6 for a 5, else the figure) and the least it can be (0, 1 or 5), both NaN where not
    held; sum them over a window and pass the sums to `derived`."""
    values = np.asarray(values, dtype="float64")
    shown, codes = cells(values)
    estimate = np.where(codes == WITHHELD, WITHHELD_COUNTS_AS, np.where(shown == BASE, FIVE_COUNTS_AS, shown))
    lowest = np.where(codes == WITHHELD, 1.0, np.where(codes == ROUNDED, float(BASE), shown))
    return estimate, lowest


def derived(estimate, lowest) -> tuple[np.ndarray, np.ndarray]:
    """A derived figure from the summed `parts` of its cells: its value (NaN where withheld or not
    held) and how it was made (DERIVED or DERIVED_WITHHELD; blank where not held)."""
    estimate = np.asarray(estimate, dtype="float64")
    lowest = np.asarray(lowest, dtype="float64")
    held = ~np.isnan(estimate)
    with np.errstate(invalid="ignore"):
        hidden = held & (lowest > 0) & (lowest < SMALLEST_SHOWN)
    shown = np.where(hidden | ~held, np.nan, to_base(estimate))
    codes = np.where(~held, "", np.where(hidden, DERIVED_WITHHELD, DERIVED))
    return shown, codes.astype(object)


def reason(code: str, *, reveal: bool) -> str:
    """What a figure's code means, in words: for the public, why it is rounded or withheld; for a
    signed-in reader, that the exact figure is not for publication and how the public sees it."""
    if code not in SHOWN_AS:
        return ""
    return NOT_FOR_PUBLICATION + SHOWN_AS[code] if reveal else WORDS[code]


def verdict_reason(count_code: str, previous_code: str | None) -> str:
    """Why a verdict is withheld from the public, in words."""
    if count_code in HIDDEN:
        return "withheld: the count is made of figures of 1 to 4, too small to publish"
    if previous_code in HIDDEN:
        return "withheld: the earlier count is made of figures of 1 to 4, too small to publish"
    return ""
