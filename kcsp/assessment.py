"""The local CSPs' strategic assessments: which issues each CSP identified, and MoRiLE scores.

Read from the `strategic_assessment` table: one row per year, CSP and issue, classified as a
priority, a cross-cutting theme or part of a broader theme, with MoRiLE threat / risk / harm
scores where the CSP used the matrix.
"""

from __future__ import annotations

import pandas as pd

SCORES = ("threat", "risk", "harm")


def years(table: pd.DataFrame) -> list[str]:
    """Assessment years held, latest first."""
    return sorted(table["year"].unique(), reverse=True)


def issue_counts(table: pd.DataFrame, year: str) -> pd.DataFrame:
    """How many CSPs identified each issue in a year (issue, csps), most often named first."""
    rows = table[table["year"] == year]
    counts = rows.groupby("issue")["csp_name"].nunique().rename("csps").reset_index()
    return counts.sort_values(["csps", "issue"], ascending=[False, True], kind="stable").reset_index(drop=True)


def matrix(table: pd.DataFrame, year: str, csps: list[str] | None = None) -> pd.DataFrame:
    """CSP x issue: each cell the classification the CSP gave the issue, or None where not named.

    Rows are `csps` when given (so CSPs that named nothing still show), else those in the table;
    columns are issues in the order of issue_counts.
    """
    rows = table[table["year"] == year]
    issues = list(issue_counts(table, year)["issue"])
    names = csps if csps is not None else sorted(rows["csp_name"].unique())
    grid = rows.pivot(index="csp_name", columns="issue", values="classification")
    grid = grid.reindex(index=names, columns=issues)
    return grid.astype(object).where(grid.notna(), None)


def morile_scores(table: pd.DataFrame, year: str) -> pd.DataFrame:
    """Rows with MoRiLE scores in a year: csp_name, issue, threat, risk, harm, total (highest first)."""
    rows = table[(table["year"] == year)].dropna(subset=list(SCORES), how="all")
    frame = rows[["csp_name", "issue", *SCORES, "illustrative"]].copy()
    frame["total"] = frame[list(SCORES)].sum(axis=1, min_count=1)
    return frame.sort_values(["csp_name", "total", "issue"], ascending=[True, False, True],
                             kind="stable").reset_index(drop=True)
