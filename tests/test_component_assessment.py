"""components.assessment: the strategic assessment's classes as shape + word, and its tables."""

from __future__ import annotations

import pandas as pd

from components.assessment import classification_cell, classification_key, matrix_table, morile_table
from tests.component_tree import attr, text


def test_a_class_is_a_word_and_a_class_name_and_none_is_not_named():
    cell = classification_cell("priority")
    assert "sa-priority" in cell.className and "Priority" in text(cell)
    assert text(classification_cell(None)) == "Not named"
    assert "Cross-cutting" in text(classification_key())


def test_the_matrix_counts_each_issue_and_names_its_region():
    grid = pd.DataFrame({"Knife crime": ["priority", None]}, index=["Dover", "Thanet"], dtype=object)
    counts = pd.DataFrame({"issue": ["Knife crime"], "csps": [1]})
    table = matrix_table(grid, counts, caption="Issues by CSP")
    assert attr(table, "aria-label") == "Issues by CSP"
    assert "Number of CSPs identifying the issue 1" in text(table)


def test_morile_scores_are_whole_numbers_and_an_empty_year_says_so():
    scores = pd.DataFrame([{"csp_name": "Dover", "issue": "Knife crime", "threat": 3.0, "risk": 4.0, "harm": 2.0,
                            "total": 9.0}])
    assert "Dover Knife crime 3 4 2 9" in text(morile_table(scores, caption="Scores"))
    assert "No CSP recorded" in text(morile_table(scores.iloc[0:0], caption="Scores"))
